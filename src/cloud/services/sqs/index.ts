/**
 * SQS — standard queues over both wire protocols: awsJson 1.0 (`X-Amz-Target:
 * AmazonSQS.<Op>`, what SDK v3 ≥ 3.446 and botocore ≥ 1.31 send, errors with
 * `x-amzn-query-error`) and awsQuery 2012-11-05 (form `Action=…`, what older
 * clients send). Queues, attributes, tags, send/receive/delete (single and
 * batch), visibility, long polling, purge, dead-letter redrive and retention,
 * persisted message by message so queues and their messages (in flight ones
 * included) survive a restart. Other services deliver through the "sqs"
 * destination adapter and read queues through `cloud.use("sqs")`
 * (integrations.ts).
 *
 * Files: state.ts (records), queue-engine.ts (messages, visibility, DLQ,
 * long-poll waiters), queue-attributes.ts, queue-urls.ts, errors.ts,
 * message-validation.ts, message-md5.ts, queue-handlers.ts, send.ts,
 * receive.ts, permissions.ts (Add/RemovePermission), move-tasks.ts
 * (Start/List/CancelMessageMoveTask: DLQ redrive), query-wire.ts
 * (awsQuery ⇄ JSON shapes), integrations.ts.
 *
 * **Gaps** (not implemented)
 * - FIFO queues (`.fifo` names, FifoQueue, MessageGroupId, deduplication):
 *   refused with UnsupportedOperation.
 * - Message move tasks answer in the JSON protocol only as AWS shapes them
 *   (the awsQuery XML of ListMessageMoveTasks is not AWS's member layout);
 *   the CANCELLING status is never seen (a cancel takes effect at once).
 *   ReceiveRequestAttemptId, KMS encryption (KMS attributes are stored and
 *   echoed, nothing is encrypted), message attribute list values (refused as
 *   on AWS). Of MessageSystemAttributes only AWSTraceHeader is kept.
 * - QueueDeletedRecently: a deleted queue's name can be reused at once (AWS
 *   makes you wait 60 s).
 * - RedriveAllowPolicy is stored but not enforced.
 * - A message move task without DestinationArn returns each message to the
 *   queue it was dead-lettered from; one sent to the DLQ directly goes to the
 *   DLQ's only source queue, and with several the task fails (UNCERTAIN).
 *   Redriven messages keep their id, body, attributes and SentTimestamp
 *   (UNCERTAIN whether AWS gives them new ids).
 *
 * **By design**
 * - The console reads messages with the internal `peek` (integrations.ts): no receive
 *   count, no visibility change, no DLQ move — looking must not change the queue.
 * - Malformed input (issue 11): JSON bodies are type-checked against the SDK's model
 *   (SerializationException, like AWS's deserializer), query forms shape-checked
 *   (InvalidParameterValue); a body that is not a JSON object, or nests past 100 levels,
 *   is a SerializationException.
 * - Visibility timeouts, DelaySeconds, WaitTimeSeconds, retention and the
 *   60-s PurgeQueue interval run in real time, not on the cloud's time scale:
 *   they are values the user picks, and a Lambda's run time must compare with
 *   its queue's visibility timeout as it does on AWS. Tests use small values.
 * - A message moved to the dead-letter queue keeps its id, body, attributes
 *   and SentTimestamp (retention counts from the first enqueue, as AWS
 *   documents) and starts again at ApproximateReceiveCount 0 (UNCERTAIN).
 * - Deleting with a receipt handle that is no longer the latest succeeds
 *   without deleting (as the API reference says); ChangeMessageVisibility with
 *   one answers InvalidParameterValue "…Message does not exist or is not
 *   available for visibility timeout change."
 * - MaximumMessageSize defaults to 262144 and may be set up to 1048576 (AWS's
 *   2025 ceiling; UNCERTAIN whether AWS's default moved with it).
 * - SenderId is the account id for the administrator, the principal id for a
 *   role session, and a stable AIDA… id per service principal (S3, SNS…).
 * - Error messages whose exact AWS wording is undocumented (message attribute
 *   name rules, batch id rules, tag limits) are close paraphrases
 *   (UNCERTAIN); the codes are AWS's in both protocols.
 * - Queue URLs are built on the cloud's endpoint; an incoming QueueUrl is
 *   accepted with any host, and the queue lives in the signing region.
 *
 * **Client quirks**
 * - SDK v3 verifies MD5OfMessageBody (send) and MD5OfBody (receive) and
 *   throws on a mismatch; it reads error codes through `x-amzn-query-error`
 *   (e.g. `e.name` "QueueDoesNotExist", `e.Code`
 *   "AWS.SimpleQueueService.NonExistentQueue"). botocore (the CLI) does the
 *   same and reports the query code.
 * - The AWS CLI v1 here (botocore 1.43) speaks the JSON protocol too, not
 *   awsQuery; awsQuery is covered by form-encoded requests in the tests.
 * - SDK v3 sends a QueueUrl-based request to the QueueUrl's own origin when
 *   it differs from the client's endpoint (useQueueUrlAsEndpoint), so queue
 *   URLs are built on the cloud's endpoint; pass `useQueueUrlAsEndpoint:
 *   false` to use URLs with another host (sqs.us-east-1.amazonaws.com…).
 * - SDK v3 inside a Lambda function sends X-Amzn-Trace-Id; a SendMessage
 *   whose trace header carries loop-detection lineage keeps it as the
 *   AWSTraceHeader system attribute, which event source mappings pass on.
 */
import type { GatewayRequest, ServiceFactory } from "../../core/service.js";
import type { SqsInternalApi } from "../../core/internal-apis.js";
import { jsonProtocol, type JsonHandler } from "../../protocols/json.js";
import { queryProtocol, type QueryHandler } from "../../protocols/query.js";
import { QueueEngine } from "./queue-engine.js";
import type { SqsService } from "./service-context.js";
import { queueHandlers } from "./queue-handlers.js";
import { sendHandlers } from "./send.js";
import { receiveHandlers } from "./receive.js";
import { permissionHandlers } from "./permissions.js";
import { MoveTasks, moveTaskHandlers } from "./move-tasks.js";
import { jsonOutputToQuery, NO_RESULT, queryInputToJson } from "./query-wire.js";
import { sqsDestinationAdapter, sqsInternalApi } from "./integrations.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

/**
 * Query clients post to the queue URL itself (`POST /000000000000/name` with
 * `Action=SendMessage`) and leave QueueUrl out of the form: take it from the path.
 */
function withQueueUrlFromPath(req: GatewayRequest, endpoint: string): GatewayRequest {
  if (!/^\/\d{12}\/[^/]+\/?$/.test(req.rawPath)) return req;
  const form = req.method === "GET" ? req.query : new URLSearchParams(req.body.toString("utf8"));
  if (form.has("QueueUrl")) return req;
  form.set("QueueUrl", endpoint + req.rawPath);
  return req.method === "GET" ? { ...req, query: form } : { ...req, body: Buffer.from(form.toString()) };
}

const createSqs: ServiceFactory = (cloud) => {
  const svc: SqsService = { cloud, engine: new QueueEngine(cloud) };
  const moveTasks = new MoveTasks(svc);
  const operations: Record<string, JsonHandler> = {
    ...queueHandlers(svc),
    ...sendHandlers(svc),
    ...receiveHandlers(svc),
    ...permissionHandlers(svc),
    ...moveTaskHandlers(moveTasks),
  };

  const queryOperations: Record<string, QueryHandler> = {};
  for (const [action, handler] of Object.entries(operations)) {
    queryOperations[action] = async (ctx, input) => jsonOutputToQuery(action, (await handler(ctx, queryInputToJson(action, input))) as Record<string, unknown>);
  }

  const handleJson = jsonProtocol({ service: "sqs", version: "1.0", errorNamespace: "com.amazonaws.sqs", queryCompatible: true, operations });
  const handleQuery = queryProtocol({
    service: "sqs",
    xmlns: "http://queue.amazonaws.com/doc/2012-11-05/",
    operations: queryOperations,
    noResult: NO_RESULT,
  });

  cloud.destinations.register(sqsDestinationAdapter(svc));
  cloud.provide<SqsInternalApi>("sqs", sqsInternalApi(svc));
  cloud.provide<TaggedResourcesApi>("tags:sqs", {
    taggedResources: (account, region) => taggedIn(svc.engine.queues.values(), account, region, "sqs:queue"),
  });

  return {
    name: "sqs",
    signingNames: ["sqs"],
    targetPrefixes: ["AmazonSQS"],
    queryVersions: ["2012-11-05"],
    // One endpoint, two protocols: X-Amz-Target means awsJson, a form body means awsQuery.
    handle: (req, ctx) => (req.headers["x-amz-target"] ? handleJson(req, ctx) : handleQuery(withQueueUrlFromPath(req, ctx.endpoint), ctx)),
    reset: () => (moveTasks.reset(), svc.engine.reset()),
    close: () => (moveTasks.close(), svc.engine.close()),
  };
};
export default createSqs;
