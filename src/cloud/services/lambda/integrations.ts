/**
 * How other services reach Lambda, without importing this folder:
 * - the "lambda" DestinationAdapter (S3 notifications, SNS subscriptions,
 *   EventBridge targets, Lambda destinations): `deliver` is an asynchronous
 *   invoke (async-invoke.ts) carrying the message's loop-detection lineage,
 *   allowed only if the function policy lets the sending service principal
 *   invoke it (checked again at delivery, as AWS does), and
 *   `resourcePolicy` is that policy for senders that validate configuration;
 * - the internal API `cloud.provide("lambda", LambdaInternalApi)`: a
 *   synchronous invoke as an AWS service makes it (SQS event source
 *   mappings), refusing an event already 16 invocations deep when the
 *   function's RecursiveLoop is Terminate; and functionSettings (role and
 *   timeout, for the checks CreateEventSourceMapping makes).
 */
import { randomUUID } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import type { DestinationAdapter } from "../../core/destinations.js";
import { hex } from "../../core/ids.js";
import type { LambdaInternalApi } from "../../core/internal-apis.js";
import { traceHeaderWithLineage } from "../../core/trace.js";
import { serviceMayAccess } from "../../policy/service-access.js";
import { MAX_RECURSION_DEPTH } from "./async-invoke.js";
import { functionByArn } from "./names.js";
import { policyDocument } from "./permissions.js";
import type { LambdaService } from "./service-context.js";

export function lambdaDestinationAdapter(svc: LambdaService): DestinationAdapter {
  const { cloud, functions } = svc;
  return {
    kind: "lambda",
    exists: (arn) => functionByArn(functions, arn) !== undefined,
    resourcePolicy: (arn) => {
      const fn = functionByArn(functions, arn);
      return fn ? policyDocument(fn) : undefined;
    },
    async deliver(arn, message) {
      const fn = functionByArn(functions, arn);
      if (!fn) throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, { status: 404 });
      const principal = message.source.principal;
      // An AWS service invoking on its own behalf needs the function policy's permission at delivery time too
      // (removing it after configuring a trigger stops the deliveries on AWS). Lambda's own destinations
      // use the execution role instead of the function policy.
      if (principal.endsWith(".amazonaws.com") && principal !== "lambda.amazonaws.com") {
        const decision = serviceMayAccess(cloud, policyDocument(fn), {
          service: principal,
          action: "lambda:InvokeFunction",
          resource: fn.arn,
          sourceArn: message.source.arn,
          sourceAccount: message.source.account,
          policyName: `the resource policy of function ${fn.name}`,
        });
        if (decision.decision !== "Allow") {
          throw new AwsError("AccessDeniedException", `${principal} may not invoke ${fn.name}: ${decision.explanation}. Add it with aws lambda add-permission --principal ${principal}${message.source.arn ? ` --source-arn ${message.source.arn}` : ""}.`, { status: 403 });
        }
      }
      svc.async.enqueue(fn, message.body, { correlationId: message.correlationId, source: message.source.arn ?? message.source.principal, lineage: message.lineage });
    },
  };
}

/** functionSettings is declared here too, so this compiles whether or not core/internal-apis.ts has it yet. */
type LambdaInternalApiImpl = LambdaInternalApi & { functionSettings(functionArn: string): { role: string; timeout: number } | undefined };

export function lambdaInternalApi(svc: LambdaService): LambdaInternalApiImpl {
  const { cloud, functions, invoker } = svc;
  return {
    functionExists: (arn) => functionByArn(functions, arn) !== undefined,
    functionSettings(arn) {
      const fn = functionByArn(functions, arn);
      return fn ? { role: fn.role, timeout: fn.timeout } : undefined;
    },
    async invokeSync(arn, payload, meta) {
      const fn = functionByArn(functions, arn);
      if (!fn) throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, { status: 404 });
      if (fn.state !== "Active") throw new AwsError("ResourceConflictException", `The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}`, { status: 409 });
      const lineage = meta.lineage;
      if (lineage && lineage.depth >= MAX_RECURSION_DEPTH && fn.recursiveLoop !== "Allow") {
        const reason = `Lambda stopped a recursive invocation of ${fn.name} from ${meta.source.arn ?? meta.source.principal}: the event has already gone through ${lineage.depth} invocations (limit ${MAX_RECURSION_DEPTH}).`;
        cloud.log.error(`lambda: ${reason}`);
        cloud.trace.record({ correlationId: meta.correlationId, kind: "lambda.recursion", source: meta.source.arn ?? meta.source.principal, target: fn.arn, status: "dropped", detail: reason });
        throw new AwsError("RecursiveInvocationException", reason);
      }
      const next = lineage ? { originId: lineage.originId, depth: lineage.depth + 1 } : { originId: hex(4), depth: 1 };
      const result = await invoker.invoke(fn, payload, {
        requestId: randomUUID(),
        correlationId: meta.correlationId,
        source: meta.source.arn ?? meta.source.principal,
        traceHeader: traceHeaderWithLineage(next),
      });
      return { payload: result.payload, functionError: result.functionError };
    },
  };
}
