/**
 * What DynamoDB checks before dynalite sees a body. dynalite assumes the body
 * is a JSON object and walks nested attribute values recursively, inside its
 * own stream callbacks: a body of `null`, `[]` or `5`, or an item nested
 * thousands of levels deep, made it throw where nothing could catch it and
 * took the whole cloud down. DynamoDB answers these with a 400:
 * - anything but a JSON object at the top → SerializationException;
 * - attribute values nested deeper than DynamoDB's 32 levels →
 *   ValidationException "Nesting Levels have exceeded supported limits"
 *   (DynamoDB developer guide, "Service, account, and table quotas":
 *   nested attribute depth 32);
 * - a number string too long to be a DynamoDB number (38 digits of
 *   precision; the developer guide's "Number" data type) is left to dynalite,
 *   which answers ValidationException, but only after a length cap here so
 *   its big-number library never gets a megabyte-long exponent.
 * - members of the wrong JSON type (per the SDK's model, protocols/json-shapes.ts)
 *   → SerializationException; a null attribute value → ValidationException.
 * A body that is not JSON at all is passed through: dynalite answers it with
 * SerializationException exactly as DynamoDB does.
 */
import { AwsError } from "../../core/aws-error.js";
import { jsonDepthExceeds } from "../../protocols/json.js";
import { checkInputShape } from "../../protocols/json-shapes.js";

/** 32 levels of nested M/L attributes take two JSON levels each, plus the request's own few. */
const MAX_BODY_DEPTH = 2 * 32 + 8;
/** DynamoDB numbers have at most 38 significant digits; anything much longer is invalid whatever it says. */
const MAX_NUMBER_TEXT = 64;

/** The parsed request (for IAM and the TTL operations), or a 400 for a body dynalite must not see. */
export function checkedInput(body: Buffer, operation: string): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    return {}; // dynalite answers SerializationException
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AwsError("SerializationException", `Start of structure or map found where not expected; the request body must be a JSON object, not ${describe(parsed)}.`);
  }
  if (jsonDepthExceeds(parsed, MAX_BODY_DEPTH)) {
    throw new AwsError("ValidationException", "Nesting Levels have exceeded supported limits");
  }
  // Types per the SDK's DynamoDB model; dynalite reads a null attribute value as an object and throws.
  checkInputShape("dynamodb", operation, parsed, { nullItems: () => new AwsError("ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes") });
  const long = findLongNumber(parsed);
  if (long !== undefined) {
    throw new AwsError("ValidationException", `The parameter cannot be converted to a numeric value: ${long.slice(0, 40)}…`);
  }
  return parsed as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/** An `N` / `NS` value (or any number-looking string under those keys) too long to be a number. */
function findLongNumber(root: unknown): string | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (!v || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      stack.push(...v);
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      if (key === "N" && typeof child === "string" && child.length > MAX_NUMBER_TEXT) return child;
      if (key === "NS" && Array.isArray(child)) {
        const bad = child.find((n) => typeof n === "string" && n.length > MAX_NUMBER_TEXT);
        if (bad !== undefined) return bad as string;
      }
      if (child && typeof child === "object") stack.push(child);
    }
  }
  return undefined;
}
