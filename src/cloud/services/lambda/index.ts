/**
 * Lambda (restJson1, paths under /2015-03-31/functions…): functions whose
 * Node code really runs (runtime/), their states, resource policies,
 * asynchronous invocation with retries, destinations and dead-letter
 * targets, recursive loop detection, reserved concurrency, and CloudWatch
 * Logs output. Other services reach Lambda through the "lambda" destination
 * adapter (S3, SNS, EventBridge and Lambda destinations: an async invoke,
 * gated by the function policy, which senders also read through
 * `resourcePolicy` to validate their configuration) and the
 * internal API `cloud.provide("lambda", LambdaInternalApi)` (synchronous
 * invokes for SQS event source mappings).
 *
 * Files: state.ts (records), names.ts (FunctionName forms), configuration.ts
 * (validation + FunctionConfiguration), code-package.ts (zip → blob →
 * unpacked dir), execution-role.ts (role check, role credentials),
 * lifecycle.ts (Pending → Active, InProgress → Successful), functions.ts,
 * invoke.ts, invoker.ts (runtime pool + logs + trace), async-invoke.ts,
 * integrations.ts (the destination adapter and the internal API),
 * log-permission.ts (may the role write the function's logs?),
 * permissions.ts, function-settings.ts, code-download.ts, errors.ts, runtime/ (the Node
 * runtime; its own header lists its gaps), event-source-mappings/ (SQS →
 * Lambda, mounted when present).
 *
 * **Gaps** (not implemented)
 * - Versions and aliases: only $LATEST exists; Publish is ignored; any other
 *   Qualifier is ResourceNotFoundException. No PublishVersion, aliases,
 *   provisioned concurrency, function URLs, layers (refused), container images
 *   (refused), code from S3 (refused: use ZipFile), code signing, VPC
 *   config, SnapStart, LoggingConfig changes, response streaming.
 * - The role check needs the IAM service's internal API; without it any
 *   well-formed role ARN is accepted (logged once). With IAM enforced, the
 *   role must allow logs:CreateLogStream and logs:PutLogEvents for the logs
 *   to be written (as on AWS; log-permission.ts), but logs:CreateLogGroup is
 *   not required, and sending to destinations / DLQs needs no permission.
 * - X-Amz-Function-Error is always "Unhandled" (Node runtimes never report
 *   "Handled" nowadays).
 * - DLQ delivery does not check that the role may send to the target.
 * - Loop detection through S3, SNS, SQS or EventBridge needs that service to
 *   copy the lineage of the caller's X-Amzn-Trace-Id into the message it
 *   routes (`lineageFromTraceHeader` in core/trace.ts → DeliveryMessage.lineage).
 *   Lambda's own Invoke API, Lambda destinations and S3 notifications do; at
 *   the time of writing SNS Publish, EventBridge PutEvents and SQS SendMessage
 *   called by a function do not yet.
 *
 * **By design**
 * - Handlers are contained (runtime/sandbox.ts): on Linux with bubblewrap each
 *   execution environment runs in a sandbox that shows it only the system
 *   (read-only), its own code at /var/task, the SDK and its own /tmp — never
 *   the data dir, the home directory, other functions' code or the cloud's
 *   environment — and dies with the cloud. Without bwrap (macOS, or the
 *   package missing) the cloud warns once at start and handlers run as your
 *   user; `LOCALCLOUD_SANDBOX=off` forces that for debugging.
 * - Execution environments are frozen between invocations, as on AWS
 *   (runtime/freeze.ts): work a handler did not await resumes only with the
 *   next invocation, or never; `LOCALCLOUD_FREEZE=off` disables it.
 * - Malformed input (issue 11): JSON bodies are type-checked against the SDK's model of the
 *   operation (protocols/json-shapes.ts) → InvalidRequestContentException; deployment packages
 *   with NUL/control characters, absolute or `..` names, symlinks, duplicate entries or a
 *   declared unzipped size past 250 MB are refused before anything is written
 *   (zip-checks.ts). AWS keeps symlinks in packages; here they are refused, because a link
 *   unpacked on the learner's machine could point anywhere. Filter.Pattern is at most 4096
 *   characters and goes through the event-pattern limits (core/event-pattern.ts).
 * - Pending/InProgress last AWS's few seconds × the time scale (≥ 20 ms);
 *   async retries wait AWS's 1 and 2 minutes × the time scale (1 s and 2 s by
 *   default), MaximumEventAgeInSeconds is scaled the same way; every wait is
 *   logged with the AWS figure.
 * - The async queue is persisted: events queued or waiting for a retry when
 *   the cloud stops are resumed at the next start (at least once).
 * - During an update (InProgress) invocations already use the new code or
 *   configuration (AWS keeps serving the previous one until Successful).
 * - Loop detection: the lineage travels in X-Amzn-Trace-Id as
 *   `Lineage=<origin>:<depth>` (AWS uses a similar field); an event that has
 *   been through 16 invocations is stopped when RecursiveLoop is Terminate,
 *   sent to the on-failure destination (condition "RecursiveInvocationDropped",
 *   UNCERTAIN: AWS does not document the record's condition for this case) or
 *   DLQ, and logged. Only async paths are stopped; synchronous Invoke passes
 *   the lineage on.
 * - GetFunction's Code.Location is a URL on the local endpoint (presigned-style,
 *   10 minutes, code-download.ts), not an S3 URL.
 * - A failed async event goes to both the OnFailure destination and the
 *   DeadLetterConfig target when both are set (UNCERTAIN how AWS splits them).
 * - Destination records and DLQ messages are sent with the service principal
 *   lambda.amazonaws.com (AWS sends them with the execution role).
 * - Injected throttles (core/faults/, `npm run faults -- add throttle`) refuse
 *   an invocation with 429 TooManyRequestsException before it runs: sync
 *   Invoke answers it, async events are retried as throttles (not attempts),
 *   SQS messages go back to the queue. Injected duplicates of S3/SNS/EventBridge
 *   deliveries arrive as separate async events with the same payload.
 *
 * **Client quirks**
 * - SDK v3 and the CLI send ZipFile as base64 inside the JSON body (≈ 67 MB
 *   for a 50 MB zip); the gateway's body limit allows it.
 * - ListFunctions is GET /2015-03-31/functions/ with a trailing slash.
 * - `aws lambda invoke --payload '{…}'` sends the text as is with CLI v1; CLI v2
 *   treats it as base64 unless `--cli-binary-format raw-in-base64-out`.
 *   `--payload fileb://event.json` behaves the same in both.
 */
import type { ServiceFactory } from "../../core/service.js";
import type { LambdaInternalApi } from "../../core/internal-apis.js";
import { restJsonProtocol, type RestRoute } from "../../protocols/rest-json.js";
import { AsyncInvoker } from "./async-invoke.js";
import { CodeStore } from "./code-package.js";
import { codeDownloadRoutes } from "./code-download.js";
import { ExecutionRoles } from "./execution-role.js";
import { functionRoutes } from "./functions.js";
import { invokeRoutes } from "./invoke.js";
import { Invoker } from "./invoker.js";
import { Lifecycle } from "./lifecycle.js";
import { lambdaDestinationAdapter, lambdaInternalApi } from "./integrations.js";
import { permissionRoutes } from "./permissions.js";
import type { LambdaService } from "./service-context.js";
import { settingsRoutes } from "./function-settings.js";
import { openFunctions } from "./state.js";
import { createEventSourceMappings } from "./event-source-mappings/index.js";
import { sandboxStatus } from "./runtime/index.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

const createLambda: ServiceFactory = async (cloud) => {
  const functions = openFunctions(cloud);
  const code = new CodeStore(cloud);
  await code.sweep([...functions.values()].map((fn) => fn.code));
  const roles = new ExecutionRoles(cloud);
  const invoker = new Invoker(cloud, code, roles);
  const svc: LambdaService = {
    cloud,
    functions,
    code,
    roles,
    lifecycle: new Lifecycle(cloud, functions),
    invoker,
    async: new AsyncInvoker(cloud, functions, invoker),
    onFunctionDeleted: [],
  };

  cloud.destinations.register(lambdaDestinationAdapter(svc));
  // The mappings' lookup is filled in below, once they exist.
  const internal = lambdaInternalApi(svc);
  cloud.provide<LambdaInternalApi>("lambda", internal);
  cloud.provide<TaggedResourcesApi>("tags:lambda", {
    taggedResources: (account, region) => taggedIn(functions.values(), account, region, "lambda:function"),
  });

  // Say once, at start, when handlers will not be contained (the trial run is asynchronous: start-up does not wait).
  void sandboxStatus().then((status) => {
    if (status.mode === "bwrap") return;
    cloud.log.warn(
      `lambda: handlers run UNSANDBOXED (${status.reason}): they can read everything your user can, the data dir included.` +
        (status.fix ? ` To contain them: ${status.fix}.` : "") +
        " See src/cloud/services/lambda/runtime/index.ts.",
    );
  });

  const mappings = createEventSourceMappings(cloud);
  svc.onFunctionDeleted.push((arn) => mappings.onFunctionDeleted(arn));
  internal.mappingFunctionArn = (account, region, uuid) => mappings.functionOf(account, region, uuid);

  const routes: RestRoute[] = [
    ...functionRoutes(svc),
    ...invokeRoutes(svc),
    ...permissionRoutes(svc),
    ...settingsRoutes(svc),
    ...codeDownloadRoutes(svc),
    ...mappings.routes,
  ];

  return {
    name: "lambda",
    signingNames: ["lambda"],
    handle: restJsonProtocol({ service: "lambda", routes }),
    async reset() {
      svc.async.stop();
      svc.lifecycle.stop();
      mappings.reset();
      await invoker.close();
      await svc.async.drain();
      roles.reset();
      code.clear();
      svc.async.restart();
    },
    async close() {
      svc.async.stop();
      svc.lifecycle.stop();
      await mappings.close();
      await invoker.close();
      await svc.async.drain();
      code.close();
    },
  };
};
export default createLambda;
