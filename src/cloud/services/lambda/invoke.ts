/**
 * The Invoke operation (POST /2015-03-31/functions/{name}/invocations):
 * RequestResponse runs the function and answers 200 with its result (a
 * function error is still 200, flagged by X-Amz-Function-Error), Event
 * queues it for async-invoke.ts and answers 202, DryRun only checks and
 * answers 204. LogType Tail adds X-Amz-Log-Result, the base64 of the last
 * 4 KB of the invocation's log. Payload limits as AWS: 6 MB synchronous,
 * 256 KB asynchronous (413 RequestTooLargeException); a payload that is not
 * JSON is InvalidRequestContentException.
 */
import { randomUUID } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import { hex } from "../../core/ids.js";
import type { RequestContext } from "../../core/context.js";
import { lineageFromTraceHeader, traceHeaderWithLineage } from "../../core/trace.js";
import { restResult, type RestInput, type RestRoute } from "../../protocols/rest-json.js";
import { constraint, pendingConflict } from "./errors.js";
import { findFunction } from "./names.js";
import type { LambdaService } from "./service-context.js";

const MAX_SYNC_PAYLOAD = 6_291_456;
const MAX_ASYNC_PAYLOAD = 262_144;
const TAIL_BYTES = 4096;
const INVOCATION_TYPES = ["Event", "RequestResponse", "DryRun"];

/** The base64 of the last 4 KB of an invocation's log text (X-Amz-Log-Result). */
export function logTail(messages: string[]): string {
  const text = Buffer.from(messages.join(""), "utf8");
  return text.subarray(Math.max(0, text.length - TAIL_BYTES)).toString("base64");
}

function checkPayload(payload: Buffer): string {
  if (payload.length === 0) return "{}";
  const text = payload.toString("utf8");
  try {
    JSON.parse(text);
  } catch (err) {
    throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: Could not parse payload into json: ${(err as Error).message}`);
  }
  return text;
}

export function invokeRoutes(svc: LambdaService): RestRoute[] {
  async function invoke(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(svc.functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"));
    const type = input.headers["x-amz-invocation-type"] ?? "RequestResponse";
    if (!INVOCATION_TYPES.includes(type)) throw constraint(type, "invocationType", `Member must satisfy enum value set: [${INVOCATION_TYPES.join(", ")}]`);
    const logType = input.headers["x-amz-log-type"];
    if (logType !== undefined && logType !== "None" && logType !== "Tail") throw constraint(logType, "logType", "Member must satisfy enum value set: [None, Tail]");
    const limit = type === "Event" ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
    if (input.rawBody.length > limit) {
      throw new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the ${type === "Event" ? "InvokeAsync" : "InvokeFunction"} operation`, { status: 413 });
    }
    const payload = checkPayload(input.rawBody);
    if (fn.state !== "Active") throw pendingConflict(fn.state);
    const lineage = lineageFromTraceHeader(ctx.traceHeader);
    const source = ctx.principal.arn;

    if (type === "DryRun") return restResult({ status: 204 });

    if (type === "Event") {
      const requestId = svc.async.enqueue(fn, payload, { correlationId: ctx.requestId, source, lineage, requestId: ctx.requestId });
      return restResult({ status: 202, headers: { "x-amzn-requestid": requestId } });
    }

    const requestId = randomUUID();
    // A synchronous call continues the caller's lineage (one more round) so loops through it stay visible downstream.
    const next = lineage ? { originId: lineage.originId, depth: lineage.depth + 1 } : { originId: hex(4), depth: 1 };
    const result = await svc.invoker.invoke(fn, payload, {
      requestId,
      correlationId: ctx.requestId,
      source,
      traceHeader: traceHeaderWithLineage(next),
      clientContext: input.headers["x-amz-client-context"],
    });
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "x-amzn-requestid": requestId,
      "x-amz-executed-version": "$LATEST",
    };
    if (result.functionError) headers["x-amz-function-error"] = result.functionError;
    if (logType === "Tail") headers["x-amz-log-result"] = logTail(result.logs.map((e) => e.message));
    return restResult({ status: 200, headers, body: result.payload });
  }

  return [
    { method: "POST", path: "/2015-03-31/functions/{FunctionName}/invocations", operation: "Invoke", rawBody: true, handler: invoke },
  ];
}
