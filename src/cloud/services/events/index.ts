/**
 * EventBridge (awsJson 1.1, `X-Amz-Target: AWSEvents.<Op>`): the default bus
 * of every account and region plus custom buses, rules with event patterns
 * (every operator of aws-behavior.md §4, through the one matcher in
 * core/event-pattern.ts that TestEventPattern also uses), targets (Lambda,
 * SQS, SNS, other buses, Step Functions state machines through their RoleArn)
 * with Input / InputPath / InputTransformer, RetryPolicy and DeadLetterConfig,
 * PutEvents, rate() schedules, archives and replays (aws-behavior.md §13),
 * and the "events" destination adapter through which S3
 * (`<EventBridgeConfiguration/>`) and Lambda async destinations put events on
 * a bus.
 *
 * Files: buses.ts, rules.ts, targets.ts, put-events.ts (PutEvents,
 * TestEventPattern), router.ts (matching, delivery, retries, DLQ),
 * role-targets.ts (targets reached through RoleArn), input-transform.ts,
 * archives.ts, replays.ts, schedules.ts, state.ts, errors.ts.
 *
 * **Gaps** (not implemented)
 * - cron() schedules are validated and stored but never fire (rate() ones do).
 * - API destinations and connections, partner event sources, global
 *   endpoints, PutPermission/RemovePermission (bus policies), pipes, the
 *   schema registry; archives' KmsKeyIdentifier is ignored.
 * - Targets other than Lambda, SQS, SNS, event buses and Step Functions
 *   (Kinesis, ECS…) are refused per target in PutTargets' FailedEntries.
 * - Target parameters such as SqsParameters (FIFO MessageGroupId) and
 *   HttpParameters are stored and listed but not applied; RoleArn is checked
 *   only for Step Functions targets (the only role-based target here).
 * - JSONPath in InputPath/InputPathsMap: the dotted / `[n]` / `['name']` subset.
 * - The InvocationsSentToDLQ / FailedInvocations metrics are not published.
 *
 * **By design**
 * - Retry back-off (1 s doubling to 5 min with jitter; AWS documents only
 *   "exponential back-off with jitter") and MaximumEventAgeInSeconds follow the
 *   cloud's time scale. Missing targets (NO_RESOURCE) and forbidden ones
 *   (NO_PERMISSIONS) skip retries and go straight to the DLQ, as on AWS.
 * - Archiving is immediate and replays run as fast as targets take the events,
 *   in event-time order (archives.ts, replays.ts say more).
 * - PutRule accepts an empty ScheduleExpression, as AWS does, and stores no
 *   schedule ("" alone, with no EventPattern, is the "must be specified" error; UNCERTAIN).
 * - Hostile patterns (issue 11, core/event-pattern.ts): wildcards match in linear time;
 *   AWS's "Rule is too complex" (event-ruler's limit of 10 active wildcard states,
 *   approximated on the pattern's automaton) and a 100-level nesting cap are
 *   InvalidEventPatternException; EventPattern past the API model's 4096 characters is a
 *   ValidationException, past the default 2048-character quota an
 *   InvalidEventPatternException (the code AWS uses for the quota case is not documented).
 *   A Detail nested past 1000 levels is MalformedDetail. Bodies are type-checked against
 *   the SDK's model (SerializationException).
 * - Targets need resource policies for events.amazonaws.com (Lambda function
 *   policy, SQS queue policy, SNS topic policy) with aws:SourceArn = the rule,
 *   as on AWS; without one the delivery fails and the trace says why.
 * - A rule that matches nothing is visible: the trace records "matched no
 *   enabled rule" for every event put on a bus.
 * - A message delivered to a bus through the adapter whose body is already an
 *   EventBridge event (S3's) is put as is; any other JSON body (a Lambda
 *   destination record) is wrapped the way Lambda does for EventBridge
 *   destinations: source "lambda", detail-type "Lambda Function Invocation
 *   Result - Success|Failure", detail = the record.
 *
 * **Client quirks**
 * - SDK v3 sends PutEvents `Time` as epoch seconds (a JSON number); the CLI
 *   sends ISO strings. Both are accepted.
 */
import type { ServiceFactory } from "../../core/service.js";
import { AwsError } from "../../core/aws-error.js";
import { uuid } from "../../core/ids.js";
import type { DeliveryMessage } from "../../core/destinations.js";
import { jsonProtocol } from "../../protocols/json.js";
import { openState } from "./state.js";
import { busExists, busHandlers, resolveBus } from "./buses.js";
import { ruleHandlers } from "./rules.js";
import { targetHandlers } from "./targets.js";
import { eventTime, putEventsHandlers } from "./put-events.js";
import { EventRouter } from "./router.js";
import { Scheduler } from "./schedules.js";
import { archiveHandlers } from "./archives.js";
import { Replayer } from "./replays.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

/** The event a delivered message becomes (see By design). */
function eventFromMessage(message: DeliveryMessage, bus: { account: string; region: string }): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.body);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && "detail-type" in parsed && "source" in parsed && "detail" in parsed) {
    const event = parsed as Record<string, unknown>;
    return {
      version: event.version ?? "0",
      id: event.id ?? uuid(),
      "detail-type": event["detail-type"],
      source: event.source,
      account: event.account ?? bus.account,
      time: event.time ?? eventTime(new Date()),
      region: event.region ?? bus.region,
      resources: event.resources ?? [],
      detail: event.detail,
    };
  }
  const record = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, any>) : { message: message.body };
  const isLambdaRecord = record.requestContext && "responseContext" in record;
  const success = record.requestContext?.condition === "Success";
  return {
    version: "0",
    id: uuid(),
    "detail-type": (message.extra?.detailType as string | undefined) ?? (isLambdaRecord ? `Lambda Function Invocation Result - ${success ? "Success" : "Failure"}` : "Local Cloud Delivery"),
    source: (message.extra?.source as string | undefined) ?? (isLambdaRecord ? "lambda" : message.source.principal.replace(/\.amazonaws\.com$/, "")),
    account: bus.account,
    time: eventTime(new Date()),
    region: bus.region,
    resources: message.source.arn ? [message.source.arn] : [],
    detail: record,
  };
}

const createEvents: ServiceFactory = (cloud) => {
  const state = openState(cloud);
  const router = new EventRouter(cloud, state);
  const scheduler = new Scheduler(cloud, state, router);
  const replayer = new Replayer(cloud, state, router);
  const onRulesChanged = () => scheduler.sync();
  scheduler.sync();
  cloud.provide<TaggedResourcesApi>("tags:events", {
    taggedResources: (account, region) => [
      ...taggedIn(state.rules.values(), account, region, "events:rule"),
      ...taggedIn(state.buses.values(), account, region, "events:event-bus"),
    ],
  });

  cloud.destinations.register({
    kind: "events",
    exists: (arn) => busExists(state, arn),
    resourcePolicy: (arn) => state.buses.get(arn)?.policy,
    async deliver(arn, message) {
      if (!busExists(state, arn)) throw new AwsError("ResourceNotFoundException", `Event bus ${arn} does not exist.`);
      const m = /^arn:aws:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(arn)!;
      const bus = resolveBus(state, m[2]!, m[1]!, m[3]!);
      router.route(bus, eventFromMessage(message, bus), { correlationId: message.correlationId, lineage: message.lineage });
    },
  });

  return {
    name: "events",
    signingNames: ["events"],
    targetPrefixes: ["AWSEvents"],
    handle: jsonProtocol({
      service: "events",
      version: "1.1",
      errorNamespace: "com.amazonaws.events",
      operations: {
        ...busHandlers(state),
        ...ruleHandlers(state, onRulesChanged),
        ...targetHandlers(state),
        ...putEventsHandlers(cloud, state, router),
        ...archiveHandlers(state),
        ...replayer.handlers(),
      },
    }),
    reset: async () => {
      scheduler.stop();
      await replayer.stop();
      replayer.restart();
    },
    close: async () => {
      scheduler.stop();
      router.stop();
      await replayer.stop();
      await Promise.race([router.drain(), new Promise((r) => setTimeout(r, 2000))]);
    },
  };
};
export default createEvents;
