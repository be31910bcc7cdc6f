/**
 * SQS → Lambda event source mappings (issue "Local cloud, part 3", item 5):
 * the Create/Get/List/Update/DeleteEventSourceMapping REST routes, mounted by
 * the Lambda service (../index.ts), and one
 * poller per Enabled mapping that reads the queue through SQS's internal API
 * and invokes the function synchronously through Lambda's, with the record
 * shape of aws-behavior.md §5.
 *
 * Files: state.ts (records, wire shape), validation.ts, errors.ts,
 * role-check.ts, routes.ts, mappings.ts (state machine, pollers' lifecycle),
 * poller.ts (receive → filter → invoke → delete), records.ts (event records,
 * batchItemFailures rules).
 *
 * **Gaps** (not implemented)
 * - Event sources other than standard SQS queues (Kinesis, DynamoDB
 *   streams, Kafka, MQ, DocumentDB; FIFO queues are not in SQS here):
 *   refused with InvalidParameterValueException.
 * - The execution role is checked once, at Create (and Update with a new
 *   function): sqs:ReceiveMessage, sqs:DeleteMessage and
 *   sqs:GetQueueAttributes on the queue, only when IAM is enforced (the
 *   default) — as the function-log permission is. Polling does not
 *   re-evaluate the role, so a permission removed later is not noticed.
 *   Both this and the visibility-timeout check need
 *   `LambdaInternalApi.functionSettings`; without it they are skipped and
 *   logged once.
 * - Scaling: a mapping runs up to ScalingConfig.MaximumConcurrency
 *   invocations at once (2–1000), without it five (AWS starts with five
 *   concurrent batches and scales towards the function's concurrency; the
 *   local Lambda pool holds ten environments). One poller gathers the
 *   batches; it receives only while a slot is free. The 6 MB payload limit
 *   per batch is not enforced.
 * - Tags on mappings, MetricsConfig, ProvisionedPollerConfig, KMSKeyArn for
 *   filter criteria, on-failure destinations (SQS mappings have none on AWS).
 * - LastProcessingResult wording is close to AWS's (UNCERTAIN).
 *
 * **By design**
 * - State changes (Creating, Enabling, Disabling, Updating, Deleting) last
 *   AWS's couple of seconds × the cloud's time scale (at least 20 ms).
 * - Mappings survive a restart; ones caught mid-transition settle at once
 *   and Enabled ones resume polling.
 * - A failed batch is left for the queue's visibility timeout (as on AWS), and
 *   the poller backs off 100 ms doubling to 2 s between failed batches.
 * - Deleting a function leaves its mappings (as AWS does); they idle with
 *   "PROBLEM: Function not found." until a function of that name exists.
 * - A batch Lambda refuses as a recursive loop (RecursiveInvocationException,
 *   lineage from the messages' AWSTraceHeader) is treated like a failed batch:
 *   it returns after the visibility timeout and the queue's redrive policy
 *   ends it in the DLQ (UNCERTAIN how AWS disposes of it without a DLQ).
 * - Update while a transition is in progress answers ResourceInUseException
 *   (AWS wording UNCERTAIN).
 *
 * **Client quirks**
 * - SDK v3 sends CreateEventSourceMapping to `/2015-03-31/event-source-mappings/`
 *   with a trailing slash; ListEventSourceMappings likewise, with
 *   EventSourceArn/FunctionName/Marker/MaxItems in the query string.
 * - LastModified is epoch seconds with a fraction; the SDK turns it into a Date.
 */
import type { Cloud } from "../../../core/cloud.js";
import type { RestRoute } from "../../../protocols/rest-json.js";
import { MappingsController } from "./mappings.js";
import { mappingRoutes } from "./routes.js";

export function createEventSourceMappings(cloud: Cloud): {
  routes: RestRoute[];
  onFunctionDeleted(functionArn: string): void;
  /** The mapping's function (unqualified ARN), for IAM's lambda:FunctionArn. */
  functionOf(account: string, region: string, uuid: string): string | undefined;
  reset(): void;
  close(): Promise<void>;
} {
  const controller = new MappingsController(cloud);
  return {
    routes: mappingRoutes(controller),
    onFunctionDeleted: (arn) => controller.onFunctionDeleted(arn),
    functionOf: (account, region, uuid) => {
      const record = controller.mappings.get(uuid);
      return record && record.account === account && record.region === region ? record.functionArn : undefined;
    },
    reset: () => controller.reset(),
    close: () => controller.close(),
  };
}
