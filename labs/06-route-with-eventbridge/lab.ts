/**
 * Lab 06 — route with EventBridge. The guided steps build: the bucket with
 * EventBridge turned on, an archive of its events, the three rules (each
 * pattern tried on sample events with TestEventPattern first), the topics and
 * functions, the two roles and the state machine, the permissions and the
 * targets; then send an image through the workflow (its path read from the
 * execution's history), a CSV to the import function, a deletion to the topic
 * (the transformed sentence as the queue received it), a busy and a broken
 * image, and finally a replay that shows why consumers must be idempotent.
 * The learner writes patterns.ts, targets.ts, workflow.ts, permissions.ts,
 * replay.ts and consumer.ts; grade.ts checks them.
 */
import { GetPolicyCommand, type AddPermissionCommandInput } from "@aws-sdk/client-lambda";
import type { Target } from "@aws-sdk/client-eventbridge";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import { createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { putTargets } from "../../src/kit/resources/events.js";
import { createStateMachine } from "../../src/kit/resources/stepfunctions.js";
import { setTopicPolicy } from "../../src/kit/resources/sns.js";
import { packageHandler } from "../../src/kit/packaging.js";
import { pollUntil } from "../../src/kit/wait.js";
import { functionActivity } from "../../src/kit/grader/evidence.js";
import grader from "./grade.js";
import { imagePatternCases, patternProblems } from "./grade-patterns.js";
import { archive as makeArchive, defaultBusArn, deployImporter, provision, QueueReader, readTotals, replayAndWait, rule, type Pipeline } from "./support.js";
import { RunBook, type Run } from "./workflow-runs.js";
import { BROKEN, BROKEN_BYTES, CSVS, FLAKY, imageBytes, MIN_IMAGE_BYTES } from "./test-data.js";
import type * as PatternsModule from "./patterns.js";
import type * as TargetsModule from "./targets.js";
import type * as WorkflowModule from "./workflow.js";
import type * as PermissionsModule from "./permissions.js";
import type * as ReplayModule from "./replay.js";
import { copy, put, remove } from "./grade-state.js";

interface RunState extends Pipeline {
  importer: { name: string; arn: string };
  archive: { name: string; arn: string };
  rules: { images: { name: string; arn: string }; csv: { name: string; arn: string }; deletions: { name: string; arn: string } };
  eventsRoleArn: string;
  stateMachine: { name: string; arn: string };
  runs: RunBook;
  csvStarted: number;
}
const st = (ctx: GuidedContext) => ctx.state as unknown as RunState;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");
const path = (r: Run) => `${r.entered.join(" → ")}  ${r.status === "SUCCEEDED" ? pc.green(r.status) : pc.red(r.status)}${r.failures.length ? pc.dim(`  (task failures: ${r.failures.map((f) => f.error).join(", ")})`) : ""}`;

async function runFor(ctx: GuidedContext, key: string): Promise<Run> {
  return pollUntil(async () => (await st(ctx).runs.about(key)).find((r) => r.status !== "RUNNING"), { timeoutMs: ctx.target.kind === "aws" ? 120_000 : 20_000, intervalMs: 100, maxIntervalMs: 500, what: `the execution for ${key}`, onWait: () => ctx.status(`waiting for the execution for ${key}…`) });
}

export default defineLab({
  id: "06",
  slug: "route-with-eventbridge",
  title: "Route with EventBridge: content-based rules, a Step Functions workflow, archive and replay",
  summary: "Every event of a bucket goes to EventBridge; rules send big images to a Step Functions workflow, CSVs to a Lambda function and deletions to SNS as a readable sentence — and a replay shows why consumers must be idempotent.",
  learnerFiles: ["patterns.ts", "targets.ts", "workflow.ts", "permissions.ts", "replay.ts", "consumer.ts"],
  creates: [
    "1 S3 bucket sending its events to the default EventBridge bus",
    "3 EventBridge rules with targets, 1 archive (1 day retention) and replays",
    "1 Step Functions state machine (STANDARD) and its executions",
    "2 Lambda functions (Node.js 20) and their log groups, 3 IAM roles with inline policies",
    "1 DynamoDB table (on-demand), 2 SNS topics, each with an SQS queue subscribed",
  ],
  grader,
  steps: [
    {
      title: "The bucket, its topics, functions and table",
      explain: "The kit creates what you do not write: the bucket, a table for the import totals, a deletions topic and a failures topic (each with a queue subscribed, so you can read the messages), the thumbnail function the workflow calls, and your import function (consumer.ts).",
      cli: ["aws s3api create-bucket --bucket <namespace>-inbox", "aws dynamodb create-table --table-name <namespace>-state …", "aws sns create-topic --name <namespace>-deletions", "aws lambda create-function --function-name <namespace>-importer …"],
      async run(ctx) {
        const pipeline = await provision(ctx);
        const importer = await deployImporter(ctx, pipeline, await packageHandler({ entry: ctx.pieceSource("consumer.ts") }));
        Object.assign(ctx.state, pipeline, { importer, deletionsInbox: new QueueReader(ctx, pipeline.deletions.queue), failuresInbox: new QueueReader(ctx, pipeline.failures.queue) });
        return { created: [["bucket", pipeline.bucket.name], ["table", pipeline.table.name], ["topics", `${pipeline.deletions.topic.name}, ${pipeline.failures.topic.name}`], ["functions", `${pipeline.thumbnail.name}, ${importer.name}`]] };
      },
    },
    {
      title: "Send every event to EventBridge, and archive them",
      explain: "EventBridgeConfiguration takes no filter: S3 sends every event of the bucket to the default bus, and rules decide. An archive on the bus keeps the events its pattern matches, for replays later.",
      cli: ["aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration '{\"EventBridgeConfiguration\":{}}'", "aws events create-archive --archive-name <namespace>-archive --event-source-arn <default-bus-arn> --event-pattern file://archive-pattern.json --retention-days 1"],
      async run(ctx) {
        const patterns = await ctx.importPiece<typeof PatternsModule>("patterns.ts");
        const replay = await ctx.importPiece<typeof ReplayModule>("replay.ts");
        await putNotifications(ctx, st(ctx).bucket.name, patterns.notificationConfiguration());
        const pattern = replay.archivePattern({ bucketName: st(ctx).bucket.name });
        const archive = await makeArchive(ctx, pattern, "S3 Event Labs lab 06 (guided)");
        Object.assign(ctx.state, { archive });
        return { created: [["archive", archive.arn]], notes: [json(pattern)] };
      },
    },
    {
      title: "Three rules, each pattern tried first",
      explain: `TestEventPattern answers "would this pattern match this event?" without sending anything — the quickest way to get a pattern right. The image pattern must take PNG/JPEG of at least ${MIN_IMAGE_BYTES} bytes under uploads/, and not the workflow's own outputs under processed/.`,
      cli: ["aws events test-event-pattern --event-pattern file://images.json --event file://sample-event.json", "aws events put-rule --name <namespace>-images --event-pattern file://images.json"],
      async run(ctx) {
        const p = await ctx.importPiece<typeof PatternsModule>("patterns.ts");
        const input = { bucketName: st(ctx).bucket.name, minImageBytes: MIN_IMAGE_BYTES };
        const problems = await patternProblems(ctx, "imagePattern()", p.imagePattern(input), imagePatternCases(input.bucketName), 6);
        const rules = {
          images: await rule(ctx, "images", p.imagePattern(input), "lab 06: images → workflow"),
          csv: await rule(ctx, "csv", p.csvPattern(input), "lab 06: CSVs → import function"),
          deletions: await rule(ctx, "deletions", p.deletionPattern(input), "lab 06: deletions → topic"),
        };
        Object.assign(ctx.state, { rules });
        return { created: Object.entries(rules).map(([k, r]) => [`rule (${k})`, r.arn] as [string, string]), notes: [json(p.imagePattern(input)), problems.length ? pc.yellow(problems.join("\n")) : pc.green(`imagePattern() decides all ${imagePatternCases(input.bucketName).length} sample events right`)] };
      },
    },
    {
      title: "Two roles and the state machine",
      explain: "EventBridge starts an execution as a role (trust: events.amazonaws.com; states:StartExecution on this state machine). The workflow runs its tasks as another (trust: states.amazonaws.com; invoke the thumbnail function, publish failures). Step Functions validates the definition when you create it.",
      cli: ["aws iam create-role --role-name <namespace>-events-role …", "aws iam create-role --role-name <namespace>-workflow-role …", "aws stepfunctions create-state-machine --name <namespace>-thumbnails --definition file://workflow.json --role-arn <workflow-role-arn>"],
      async run(ctx) {
        const perms = await ctx.importPiece<typeof PermissionsModule>("permissions.ts");
        const workflow = await ctx.importPiece<typeof WorkflowModule>("workflow.ts");
        const s = st(ctx);
        const smArn = `arn:aws:states:${ctx.target.region}:${ctx.target.account}:stateMachine:${ctx.names.resource("thumbnails")}`;
        const events = await createRole(ctx, ctx.names.resource("events-role"), perms.eventsTrustPolicy(), "lab 06: EventBridge starts the workflow");
        await putRolePolicy(ctx, events.name, "lab06", perms.eventsRolePolicy({ stateMachineArn: smArn }));
        const wf = await createRole(ctx, ctx.names.resource("workflow-role"), perms.workflowTrustPolicy(), "lab 06: the workflow's tasks");
        await putRolePolicy(ctx, wf.name, "lab06", perms.workflowRolePolicy({ thumbnailFunctionArn: s.thumbnail.arn, failureTopicArn: s.failures.topic.arn }));
        const definition = workflow.workflowDefinition({ thumbnailFunctionArn: s.thumbnail.arn, failureTopicArn: s.failures.topic.arn });
        const stateMachine = await createStateMachine(ctx, { name: ctx.names.resource("thumbnails"), definition, roleArn: wf.arn });
        Object.assign(ctx.state, { eventsRoleArn: events.arn, stateMachine, runs: new RunBook(ctx, stateMachine.arn) });
        return { created: [["roles", `${events.name}, ${wf.name}`], ["state machine", stateMachine.arn]], notes: [json(definition)] };
      },
    },
    {
      title: "Permissions and targets",
      explain: "The import function and the deletions topic let EventBridge in by resource policy, for their rule only (aws:SourceArn). The workflow target carries the role instead. The deletion target's input transformer turns the event into one sentence.",
      cli: ["aws lambda add-permission --function-name <importer> --statement-id allow-csv-rule --action lambda:InvokeFunction --principal events.amazonaws.com --source-arn <csv-rule-arn>", "aws sns set-topic-attributes --topic-arn <deletions> --attribute-name Policy --attribute-value file://topic-policy.json", "aws events put-targets --rule <namespace>-images --targets file://image-targets.json"],
      async run(ctx) {
        const perms = await ctx.importPiece<typeof PermissionsModule>("permissions.ts");
        const targets = await ctx.importPiece<typeof TargetsModule>("targets.ts");
        const s = st(ctx);
        await addPermission(ctx, { ...(perms.csvInvokePermission({ functionName: s.importer.name, ruleArn: s.rules.csv.arn }) as AddPermissionCommandInput), FunctionName: s.importer.name });
        await setTopicPolicy(ctx, s.deletions.topic.arn, perms.deletionTopicPolicy({ topicArn: s.deletions.topic.arn, ruleArn: s.rules.deletions.arn }));
        const sets: Array<[string, Target[]]> = [
          [s.rules.images.name, targets.imageTargets({ stateMachineArn: s.stateMachine.arn, roleArn: s.eventsRoleArn })],
          [s.rules.csv.name, targets.csvTargets({ functionArn: s.importer.arn })],
          [s.rules.deletions.name, targets.deletionTargets({ topicArn: s.deletions.topic.arn })],
        ];
        const failed: string[] = [];
        for (const [name, t] of sets) await putTargets(ctx, name, t).catch((err: Error) => failed.push(err.message));
        const policy = (await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: s.importer.name }))).Policy!;
        return { notes: [pc.bold("the import function's resource policy:"), json(JSON.parse(policy)), pc.bold("the deletion target's transformer:"), json(targets.deletionMessage()), ...failed.map((f) => pc.red(f))] };
      },
    },
    {
      title: "An image, a CSV, a deletion",
      explain: "One upload of each kind, and where it went: the image's execution (its path through the states, from GetExecutionHistory), the import totals, and the deletion's sentence as the queue behind the topic received it.",
      cli: ["aws s3 cp beach.png s3://<bucket>/uploads/photos/beach.png", "aws stepfunctions get-execution-history --execution-arn <arn>", "aws sqs receive-message --queue-url <deletions-inbox>"],
      async run(ctx) {
        const s = st(ctx);
        s.csvStarted = Date.now();
        await put(ctx, st(ctx), "uploads/photos/beach.png", imageBytes("png", 4096));
        await put(ctx, st(ctx), CSVS.positives[0]!.key, CSVS.positives[0]!.body);
        const run = await runFor(ctx, "uploads/photos/beach.png");
        const totals = await pollUntil(async () => readTotals(ctx, s.table.name), { timeoutMs: 20_000, intervalMs: 100, maxIntervalMs: 500, what: "the import totals" });
        await remove(ctx, st(ctx), "uploads/photos/beach.png");
        const inbox = (ctx.state as { deletionsInbox: QueueReader }).deletionsInbox;
        await inbox.until(() => inbox.seen.length > 0, 20_000);
        return { notes: [`uploads/photos/beach.png: ${path(run)}`, `import totals: ${JSON.stringify(totals)}`, `deletion message: ${inbox.seen[0]?.text ?? pc.red("(none yet)")}`] };
      },
    },
    {
      title: "A busy task and a broken image",
      explain: "The thumbnail service answers ThumbnailServiceBusy twice for uploads/flaky/…: a Retry with backoff gets through. A broken file fails with UnsupportedImage: retrying cannot help, so it goes straight to the Catch, which notifies and fails the execution.",
      async run(ctx) {
        await put(ctx, st(ctx), FLAKY.key, imageBytes("png", FLAKY.size));
        await put(ctx, st(ctx), BROKEN.key, BROKEN_BYTES(BROKEN.size));
        const flaky = await runFor(ctx, FLAKY.key);
        const broken = await runFor(ctx, BROKEN.key);
        const inbox = (ctx.state as { failuresInbox: QueueReader }).failuresInbox;
        await inbox.until(() => inbox.seen.length > 0, 20_000);
        return { notes: [`${FLAKY.key}: ${path(flaky)}`, `${BROKEN.key}: ${path(broken)}`, `failure notification: ${inbox.seen[0]?.text ?? pc.red("(none)")}`] };
      },
    },
    {
      title: "Replay the last minutes into the CSV rule",
      explain: 'A replay puts archived events back on the bus, each marked "replay-name", here only into the CSV rule (FilterArns). To the import function they are duplicates: the totals must not change. (On AWS events reach an archive minutes late; the replay replays what is archived.)',
      cli: ["aws events start-replay --replay-name <namespace>-replay --event-source-arn <archive-arn> --event-start-time <t0> --event-end-time <now> --destination Arn=<bus-arn>,FilterArns=<csv-rule-arn>", "aws events describe-replay --replay-name <namespace>-replay"],
      async run(ctx) {
        const replay = await ctx.importPiece<typeof ReplayModule>("replay.ts");
        const s = st(ctx);
        const before = await readTotals(ctx, s.table.name);
        await copy(ctx, st(ctx), CSVS.positives[0]!.key, "imports/copies/guided-copy.csv");
        await pollUntil(async () => ((await readTotals(ctx, s.table.name))?.files ?? 0) > (before?.files ?? 0) || undefined, { timeoutMs: 20_000, intervalMs: 100, maxIntervalMs: 500, what: "the copy's import" });
        const counted = await readTotals(ctx, s.table.name);
        const request = replay.replayRequest({ replayName: `${ctx.names.namespace}-replay`, archiveArn: s.archive.arn, busArn: defaultBusArn(ctx), ruleArn: s.rules.csv.arn, from: new Date(Math.floor(s.csvStarted / 1000) * 1000 - 1000), to: new Date() });
        const since = Date.now();
        const done = await replayAndWait(ctx, request);
        // The replayed events (the two CSV uploads since this lab's first CSV) invoke the function again: wait for those invocations.
        await pollUntil(async () => ((await functionActivity(ctx, s.importer.name, since)).completed >= (counted?.files ?? 0) ? true : undefined), { timeoutMs: ctx.target.kind === "aws" ? 120_000 : 20_000, intervalMs: 200, maxIntervalMs: 1000, what: "the replayed invocations" }).catch(() => undefined);
        const after = await readTotals(ctx, s.table.name);
        const same = JSON.stringify(after) === JSON.stringify(counted);
        return { created: [["replay", done.arn]], notes: [`totals before the replay: ${JSON.stringify(counted)}`, `totals after:  ${JSON.stringify(after)}  ${same ? pc.green("unchanged: the consumer is idempotent") : pc.red("changed: the replay was counted again (consumer.ts)")}`] };
      },
    },
  ],
});
