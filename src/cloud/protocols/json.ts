/**
 * The awsJson 1.0 / 1.1 protocols (SQS, DynamoDB, EventBridge, CloudWatch
 * Logs): `POST /` with `X-Amz-Target: <Prefix>.<Operation>` and a JSON body.
 * Errors are `{"__type": "<namespace>#<Code>", "message": …}` with the
 * `x-amzn-errortype` header; services that also speak awsQuery (SQS) add
 * `x-amzn-query-error: <queryCode>;Sender`, which SDK v3 needs to recover the
 * legacy error code (aws-behavior.md §1).
 */
import { AwsError, internalError, isAwsError } from "../core/aws-error.js";
import type { RequestContext } from "../core/context.js";
import type { GatewayRequest, GatewayResponse } from "../core/service.js";
import { checkInputShape } from "./json-shapes.js";
import { jsonDepthExceeds } from "../core/json-depth.js";

export type JsonHandler = (ctx: RequestContext, input: any) => unknown | Promise<unknown>;

export interface JsonProtocolOptions {
  service: string;
  version: "1.0" | "1.1";
  /** Error namespace before '#', e.g. "com.amazonaws.sqs". */
  errorNamespace: string;
  operations: Record<string, JsonHandler>;
  /** Add x-amzn-query-error (SQS). */
  queryCompatible?: boolean;
}

export function jsonResponse(status: number, body: unknown, version: "1.0" | "1.1", requestId: string): GatewayResponse {
  return {
    status,
    headers: {
      "content-type": `application/x-amz-json-${version}`,
      "x-amzn-requestid": requestId,
    },
    body: JSON.stringify(body ?? {}),
  };
}

export function jsonError(err: AwsError, options: Pick<JsonProtocolOptions, "version" | "errorNamespace" | "queryCompatible">, requestId: string): GatewayResponse {
  const response = jsonResponse(
    err.status,
    { __type: `${options.errorNamespace}#${err.code}`, message: err.message, ...err.fields },
    options.version,
    requestId,
  );
  response.headers!["x-amzn-errortype"] = err.code;
  if (options.queryCompatible) response.headers!["x-amzn-query-error"] = `${err.queryCode ?? err.code};${err.fault}`;
  Object.assign(response.headers!, err.headers);
  return response;
}

/**
 * Deepest nesting of arrays and objects a request body may have. AWS's JSON
 * services have no documented figure (DynamoDB's 32 levels of nested
 * attributes are the deepest legitimate input, about 70 JSON levels); past
 * this, handlers and engines that walk the input recursively would run out
 * of stack, so the body is refused up front as AWS's parsers refuse what
 * they cannot read.
 */
export const MAX_JSON_DEPTH = 100;

export { jsonDepthExceeds };

/**
 * Parse a JSON request body; an empty body is `{}`. Anything but a JSON
 * object at the top (`null`, an array, a number, a string) is a
 * SerializationException, as every awsJson service answers it; so is a body
 * nested deeper than MAX_JSON_DEPTH.
 */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw new AwsError("SerializationException", "Start of structure or map found where not expected, or the body is not valid JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AwsError("SerializationException", "The request body must be a JSON object.");
  }
  if (jsonDepthExceeds(parsed, MAX_JSON_DEPTH)) {
    throw new AwsError("SerializationException", `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  return parsed as Record<string, unknown>;
}

export function jsonProtocol(options: JsonProtocolOptions) {
  return async function handleJson(req: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse> {
    try {
      if (req.method !== "POST") {
        throw new AwsError("UnknownOperationException", `The ${options.service} JSON protocol only accepts POST requests.`);
      }
      const target = req.headers["x-amz-target"] ?? "";
      const operation = target.slice(target.indexOf(".") + 1);
      const handler = Object.prototype.hasOwnProperty.call(options.operations, operation) ? options.operations[operation] : undefined;
      if (!target || !handler) {
        throw new AwsError(
          "UnknownOperationException",
          target ? `The local cloud does not implement ${options.service}:${operation}.` : "Missing X-Amz-Target header.",
        );
      }
      const input = parseJsonBody(req.body);
      checkInputShape(options.service, operation, input);
      await ctx.cloud.authorizer.authorize(ctx, { service: options.service, operation, input });
      const output = await handler(ctx, input);
      return jsonResponse(200, output, options.version, ctx.requestId);
    } catch (err) {
      if (!isAwsError(err)) ctx.cloud.log.error(`${options.service}: unexpected failure: ${(err as Error)?.stack ?? err}`);
      return jsonError(isAwsError(err) ? err : internalError(err), options, ctx.requestId);
    }
  };
}
