/**
 * Type checks of an awsJson request body against the operation's input shape,
 * as AWS's deserializer does before any handler runs: a list where a
 * structure belongs, a number where a list belongs, an object where a string
 * belongs is a 400 SerializationException (issue 11: `{"Tags": -0.5}` reached
 * a handler and answered 500).
 *
 * The shapes come from the AWS SDK's own service models: each
 * `@aws-sdk/client-*` package (already dependencies of the kit) exports its
 * operations' schemas (`PutRule$`, smithy's static schema format), read here
 * with `@smithy/core/schema`'s NormalizedSchema, resolved from the client
 * package so the two always agree. A client is loaded on the first request
 * to its service, never at start-up. If a schema cannot be found or read
 * (another SDK version), the body passes unchecked: handlers still validate
 * what they use.
 *
 * Scalars are checked leniently where AWS's JSON reader is lenient: numbers
 * and booleans may come as strings (the handlers, shared with awsQuery where
 * everything is text, answer a bad one in the service's own words, e.g. SQS
 * InvalidParameterValue), timestamps as numbers or strings; strings must be
 * strings; `null` is an absent member. Unknown members are ignored
 * (AWS ignores them too); `null` as a list item or map value is refused (every
 * list and map of these models is non-sparse).
 */
import { createRequire } from "node:module";
import { AwsError } from "../core/aws-error.js";

/** The client package whose models describe each awsJson service. */
const CLIENTS: Record<string, string> = {
  sqs: "@aws-sdk/client-sqs",
  events: "@aws-sdk/client-eventbridge",
  logs: "@aws-sdk/client-cloudwatch-logs",
  dynamodb: "@aws-sdk/client-dynamodb",
  lambda: "@aws-sdk/client-lambda",
  sns: "@aws-sdk/client-sns",
  iam: "@aws-sdk/client-iam",
  sts: "@aws-sdk/client-sts",
  states: "@aws-sdk/client-sfn",
  secretsmanager: "@aws-sdk/client-secrets-manager",
  "rds-data": "@aws-sdk/client-rds-data",
  cloudwatch: "@aws-sdk/client-cloudwatch",
  tagging: "@aws-sdk/client-resource-groups-tagging-api",
};

interface Schema {
  isStructSchema(): boolean;
  isListSchema(): boolean;
  isMapSchema(): boolean;
  isDocumentSchema(): boolean;
  isStringSchema(): boolean;
  isBooleanSchema(): boolean;
  isNumericSchema(): boolean;
  isBlobSchema(): boolean;
  isTimestampSchema(): boolean;
  getValueSchema(): Schema;
  structIterator(): Iterable<[string, Schema]>;
  getMergedTraits(): Record<string, unknown>;
}
interface Models {
  exports: Record<string, unknown>;
  of: (ref: unknown) => Schema;
}

const loaded = new Map<string, Models | null>();
const require = createRequire(import.meta.url);

function models(service: string): Models | null {
  if (loaded.has(service)) return loaded.get(service)!;
  let result: Models | null = null;
  const pkg = CLIENTS[service];
  if (pkg) {
    try {
      const fromClient = createRequire(require.resolve(pkg));
      const { NormalizedSchema } = fromClient("@smithy/core/schema") as { NormalizedSchema: { of(ref: unknown): Schema } };
      result = { exports: require(pkg) as Record<string, unknown>, of: (ref) => NormalizedSchema.of(ref) };
    } catch {
      result = null;
    }
  }
  loaded.set(service, result);
  return result;
}

/** Each operation's input schema, normalized once per operation schema of the SDK (null: not readable, the body passes unchecked). */
const inputSchemas = new WeakMap<object, Schema | null>();

function inputSchema(service: string, operation: string): Schema | null {
  const m = models(service);
  const op = m?.exports[`${operation}$`];
  if (!m || !Array.isArray(op) || op[0] !== 9) return null;
  if (inputSchemas.has(op)) return inputSchemas.get(op)!;
  let schema: Schema | null = null;
  try {
    const s = m.of(typeof op[4] === "function" ? op[4]() : op[4]);
    if (s.isStructSchema()) schema = s;
  } catch {
    schema = null;
  }
  inputSchemas.set(op, schema);
  return schema;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a structure" : `a ${typeof value}`;
}

export interface ShapeCheckOptions {
  /** restJson: check only members carried in the JSON body, not those bound to the URI, query or headers. */
  bodyOnly?: boolean;
  /** The error for a null list item or map value (default SerializationException). */
  nullItems?: () => AwsError;
  /** awsQuery input (unflattened form parameters): every scalar arrives as a string. */
  query?: boolean;
  /** The error code for a mismatch (default SerializationException, as the awsJson services answer). */
  code?: string;
}

function mismatch(options: ShapeCheckOptions, path: string, expected: string, value: unknown): AwsError {
  return new AwsError(options.code ?? "SerializationException", `Unexpected value type in payload: ${path || "the body"} must be ${expected}, not ${describe(value)}.`);
}

/** Throw (SerializationException unless told otherwise) when `input` does not fit the operation's input shape. */
export function checkInputShape(service: string, operation: string, input: unknown, options: ShapeCheckOptions = {}): void {
  const { bodyOnly = false } = options;
  // A null inside a list or map (non-sparse in every model here) is a malformed body, not an absent value.
  const nullItems = options.nullItems ?? (() => new AwsError(options.code ?? "SerializationException", "Unexpected value type in payload: null is not a valid list item or map value."));
  const schema = inputSchema(service, operation);
  if (!schema) return;
  // Iterative walk: input depth is already bounded by the JSON protocols (MAX_JSON_DEPTH).
  const stack: Array<[Schema, unknown, string, boolean]> = [[schema, input, "", bodyOnly]];
  while (stack.length > 0) {
    const [s, value, path, skipBound] = stack.pop()!;
    if (value === null && nullItems && path.endsWith("]")) throw nullItems();
    if (value === null || value === undefined) continue;
    if (s.isDocumentSchema()) continue;
    if (s.isStructSchema()) {
      if (typeof value !== "object" || Array.isArray(value)) throw mismatch(options, path, "a structure", value);
      for (const [name, member] of s.structIterator()) {
        if (skipBound) {
          const traits = member.getMergedTraits();
          if (traits.httpLabel || traits.httpQuery || traits.httpHeader || traits.httpPrefixHeaders || traits.httpQueryParams || traits.httpPayload) continue;
        }
        const child = (value as Record<string, unknown>)[name];
        if (child !== undefined) stack.push([member, child, path ? `${path}.${name}` : name, false]);
      }
    } else if (s.isListSchema()) {
      if (!Array.isArray(value)) throw mismatch(options, path, "a list", value);
      const item = s.getValueSchema();
      value.forEach((v, i) => stack.push([item, v, `${path}[${i}]`, false]));
    } else if (s.isMapSchema()) {
      if (typeof value !== "object" || Array.isArray(value)) throw mismatch(options, path, "a map", value);
      const item = s.getValueSchema();
      for (const [k, v] of Object.entries(value)) {
        if (v === null && nullItems) throw nullItems();
        stack.push([item, v, `${path}.${k}`, false]);
      }
    } else if (options.query) {
      if (typeof value !== "string") throw mismatch(options, path, "a single value", value);
    } else if (s.isStringSchema() || s.isBlobSchema()) {
      if (typeof value !== "string") throw mismatch(options, path, "a string", value);
    } else if (s.isNumericSchema()) {
      // Any string passes: SQS (and other awsQuery-born services) read numbers from text and answer a bad one themselves.
      if (typeof value !== "number" && typeof value !== "string") throw mismatch(options, path, "a number", value);
    } else if (s.isBooleanSchema()) {
      if (typeof value !== "boolean" && typeof value !== "string") throw mismatch(options, path, "a boolean", value);
    } else if (s.isTimestampSchema()) {
      if (typeof value !== "number" && typeof value !== "string") throw mismatch(options, path, "a timestamp", value);
    } else if (typeof value === "object") {
      // BigInteger/BigDecimal and anything else scalar.
      throw mismatch(options, path, "a scalar", value);
    }
  }
}
