/**
 * The ledger and cleanup, on a local cloud through the SDK: everything the
 * kit's resource helpers create is recorded (before the create call), cleanup
 * deletes it in dependency order and leaves nothing in the cloud, a second
 * cleanup is harmless, resources the kit did not create are never touched,
 * and the grader's harness always cleans up — even when a check throws.
 */
import * as fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ListTopicsCommand, ListSubscriptionsCommand, CreateTopicCommand } from "@aws-sdk/client-sns";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListBucketsCommand, PutBucketVersioningCommand, PutObjectCommand, CreateBucketCommand } from "@aws-sdk/client-s3";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { eventually, startTestCloud } from "../helpers/cloud.js";
import { cleanupEntries } from "../../src/kit/cleanup.js";
import type { KitContext } from "../../src/kit/context.js";
import { namespaceFor } from "../../src/kit/names.js";
import { createTopic, subscribe } from "../../src/kit/resources/sns.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { createQueue } from "../../src/kit/resources/sqs.js";
import { deleteAlarm, describeAlarm, putMetricAlarm } from "../../src/kit/resources/cloudwatch.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { CheckFailed, defineGrader } from "../../src/kit/grader/types.js";
import { toJUnit } from "../../src/kit/grader/reporters.js";
import { RESOURCE_TYPES } from "../../src/kit/ledger.js";
import { explainSkip, kitSession, probeFeatures } from "./helpers.js";

const cloud = await startTestCloud({ iam: "off" });
const session = kitSession(cloud.endpoint);
const features = await probeFeatures(session.clients);
afterAll(async () => {
  session.close();
  await cloud.close();
});

function context(lab = "99"): KitContext {
  return { target: session.target, clients: session.clients, ledger: session.ledger, lab, names: namespaceFor(lab, "tester"), by: "test", status: () => {}, log: () => {} };
}

describe("ledger + cleanup", () => {
  it("orders deletions dependents first", () => {
    const i = (t: (typeof RESOURCE_TYPES)[number]) => RESOURCE_TYPES.indexOf(t);
    expect(i("s3-notification")).toBeLessThan(i("s3-bucket"));
    expect(i("lambda-permission")).toBeLessThan(i("lambda-function"));
    expect(i("sns-subscription")).toBeLessThan(i("sns-topic"));
    expect(i("iam-role-policy")).toBeLessThan(i("iam-role"));
    expect(i("iam-attached-policy")).toBeLessThan(i("iam-role"));
    expect(i("lambda-function")).toBeLessThan(i("iam-role"));
  });

  it.skipIf(explainSkip("SNS/DynamoDB ledger cleanup", features, ["sns", "dynamodb", "sqs"]))("records topics, subscriptions and tables, deletes them all, and is safe twice", async () => {
    const ctx = context();
    const foreign = await session.clients.sns.send(new CreateTopicCommand({ Name: "not-made-by-the-kit" }));
    const topic = await createTopic(ctx, ctx.names.resource("news"));
    const queue = await createQueue(ctx, ctx.names.resource("inbox"));
    await subscribe(ctx, topic.arn, "sqs", queue.arn);
    await createTable(ctx, ctx.names.resource("items"), { partition: { AttributeName: "id", AttributeType: "S" } });
    const entries = session.ledger.list({ namespace: ctx.names.namespace });
    expect(entries.map((e) => e.type).sort()).toEqual(["dynamodb-table", "sns-subscription", "sns-topic", "sqs-queue"]);
    expect(entries.every((e) => e.target === session.target.id && e.lab === "99")).toBe(true);
    expect(entries.find((e) => e.type === "sns-topic")?.arn).toBe(topic.arn);

    const first = await cleanupEntries(session.clients, session.ledger, entries);
    expect(first.failed).toEqual([]);
    expect(first.deleted).toHaveLength(4);
    expect(session.ledger.list({ namespace: ctx.names.namespace })).toEqual([]);
    const topics = (await session.clients.sns.send(new ListTopicsCommand({}))).Topics ?? [];
    expect(topics.map((t) => t.TopicArn)).toEqual([foreign.TopicArn]); // only what the kit made is gone
    expect((await session.clients.sns.send(new ListSubscriptionsCommand({}))).Subscriptions ?? []).toEqual([]);
    // DeleteTable is asynchronous (DELETING, then gone), on AWS as in dynalite.
    await eventually(async () => (((await session.clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []).some((n) => n.startsWith(ctx.names.namespace)) ? undefined : true));
    expect((await session.clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: ctx.names.namespace }))).QueueUrls ?? []).toEqual([]);

    // Twice: the same (stale) entries again — everything is "already gone", nothing fails.
    const second = await cleanupEntries(session.clients, session.ledger, entries);
    expect(second.failed).toEqual([]);
    expect({ deleted: second.deleted, alreadyGone: second.alreadyGone.length }).toEqual({ deleted: [], alreadyGone: 4 });
  });

  it.skipIf(explainSkip("S3 bucket cleanup", features, ["s3"]))("empties versioned buckets (versions and delete markers) before deleting them, and leaves other buckets alone", async () => {
    const ctx = context();
    await session.clients.s3.send(new CreateBucketCommand({ Bucket: "someone-elses-bucket" }));
    const bucket = await createBucket(ctx, ctx.names.resource("versioned"));
    await session.clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, VersioningConfiguration: { Status: "Enabled" } }));
    for (let i = 0; i < 3; i++) await session.clients.s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: "same/key.txt", Body: `v${i}` }));
    await session.clients.s3.send(new (await import("@aws-sdk/client-s3")).DeleteObjectCommand({ Bucket: bucket.name, Key: "same/key.txt" }));
    const r = await cleanupEntries(session.clients, session.ledger, session.ledger.list({ namespace: ctx.names.namespace }));
    expect(r.failed).toEqual([]);
    const names = ((await session.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    expect(names).toContain("someone-elses-bucket");
    expect(names).not.toContain(bucket.name);
  });

  it("records state machines, rules, archives and replays, and cleans them up (twice harmlessly)", async () => {
    const ctx = context("97");
    const { createRole } = await import("../../src/kit/resources/iam.js");
    const { createStateMachine, startExecution, waitForExecution, executionHistory } = await import("../../src/kit/resources/stepfunctions.js");
    const { putRule, putTargets, createArchive, startReplay, waitForReplay } = await import("../../src/kit/resources/events.js");
    const role = await createRole(ctx, ctx.names.resource("flow-role"), { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: ["states.amazonaws.com", "events.amazonaws.com"] }, Action: "sts:AssumeRole" }] }, "test");
    const machine = await createStateMachine(ctx, { name: ctx.names.resource("flow"), roleArn: role.arn, definition: { StartAt: "P", States: { P: { Type: "Pass", End: true } } } });
    const execution = await startExecution(ctx, machine.arn, { a: 1 });
    expect((await waitForExecution(ctx, execution)).status).toBe("SUCCEEDED");
    expect((await executionHistory(ctx, execution)).map((e) => e.type)).toEqual(["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    const bus = "arn:aws:events:us-east-1:000000000000:event-bus/default";
    const rule = await putRule(ctx, { name: ctx.names.resource("to-flow"), eventPattern: { source: ["kit.test"] } });
    await putTargets(ctx, ctx.names.resource("to-flow"), [{ Id: "flow", Arn: machine.arn, RoleArn: role.arn }]);
    const archive = await createArchive(ctx, { name: ctx.names.resource("arch"), busArn: bus });
    await startReplay(ctx, { name: ctx.names.resource("again"), archiveArn: archive, busArn: bus, from: new Date(Date.now() - 60_000), to: new Date(), ruleArns: [rule] });
    expect((await waitForReplay(ctx, ctx.names.resource("again"))).State).toBe("COMPLETED");
    const entries = session.ledger.list({ namespace: ctx.names.namespace });
    expect(entries.map((e) => e.type).sort()).toEqual(["eventbridge-archive", "eventbridge-replay", "eventbridge-rule", "iam-role", "sfn-state-machine"]);
    const first = await cleanupEntries(session.clients, session.ledger, entries);
    expect(first.failed).toEqual([]);
    expect((await session.clients.sfn.send(new (await import("@aws-sdk/client-sfn")).ListStateMachinesCommand({}))).stateMachines!.map((m) => m.name)).not.toContain(machine.name);
    const second = await cleanupEntries(session.clients, session.ledger, entries);
    expect(second.failed).toEqual([]);
    expect(second.deleted.map((e) => e.type)).toEqual(["eventbridge-replay"]); // a finished replay has nothing to cancel either time
  });

  it("an entry recorded before a create that never happened (Ctrl-C) cleans up as already gone", async () => {
    const ctx = context();
    session.ledger.record({ target: session.target.id, region: "us-east-1", lab: "99", namespace: ctx.names.namespace, type: "dynamodb-table", name: `${ctx.names.namespace}-never-created`, by: "test" });
    const r = await cleanupEntries(session.clients, session.ledger, session.ledger.list({ namespace: ctx.names.namespace }));
    expect(r.failed).toEqual([]);
    expect(r.alreadyGone).toHaveLength(1);
    expect(session.ledger.list({ namespace: ctx.names.namespace })).toEqual([]);
  });

  it("records CloudWatch alarms and deletes them before the topics they notify, safely twice", async () => {
    const ctx = context("97");
    const i = (t: (typeof RESOURCE_TYPES)[number]) => RESOURCE_TYPES.indexOf(t);
    expect(i("cloudwatch-alarm")).toBeLessThan(i("sns-topic"));
    const topic = await createTopic(ctx, ctx.names.resource("alerts"));
    const alarm = { Namespace: "AWS/Lambda", MetricName: "Errors", Statistic: "Sum" as const, Period: 60, EvaluationPeriods: 1, Threshold: 0, ComparisonOperator: "GreaterThanThreshold" as const, AlarmActions: [topic.arn] };
    const arn = await putMetricAlarm(ctx, { ...alarm, AlarmName: ctx.names.resource("errors") });
    expect(arn).toMatch(/^arn:aws:cloudwatch:us-east-1:\d{12}:alarm:/);
    await putMetricAlarm(ctx, { ...alarm, AlarmName: ctx.names.resource("gone") });
    await deleteAlarm(ctx, ctx.names.resource("gone"));
    const entries = session.ledger.list({ namespace: ctx.names.namespace });
    expect(entries.map((e) => e.type).sort()).toEqual(["cloudwatch-alarm", "sns-topic"]);
    const first = await cleanupEntries(session.clients, session.ledger, entries);
    expect(first.failed).toEqual([]);
    expect(first.deleted).toHaveLength(2);
    expect(await describeAlarm(ctx, ctx.names.resource("errors"))).toBeUndefined();
    const second = await cleanupEntries(session.clients, session.ledger, entries);
    expect({ failed: second.failed, gone: second.alreadyGone.length }).toEqual({ failed: [], gone: 2 });
  });

  it("the ledger file survives a reload and stays valid JSON", () => {
    const ctx = context("98");
    const e = session.ledger.record({ target: session.target.id, region: "us-east-1", lab: "98", namespace: ctx.names.namespace, type: "sqs-queue", name: "q", by: "test" });
    const again = session.ledger.record({ target: session.target.id, region: "us-east-1", lab: "98", namespace: ctx.names.namespace, type: "sqs-queue", name: "q", by: "test" });
    expect(again.id).toBe(e.id); // idempotent
    const onDisk = JSON.parse(fs.readFileSync(session.ledgerFile, "utf8"));
    expect(onDisk.entries.some((x: { id: string }) => x.id === e.id)).toBe(true);
    session.ledger.remove(e.id);
    expect(session.ledger.list({ lab: "98" })).toEqual([]);
  });
});

describe("grader harness", () => {
  it.skipIf(explainSkip("the harness cleanup test", features, ["dynamodb"]))("always cleans up, reports pass/fail/error/blocked per check, and writes JUnit", async () => {
    const grader = defineGrader<{ table: string }>({
      async setup(ctx) {
        const t = await createTable(ctx, ctx.names.resource("t"), { partition: { AttributeName: "id", AttributeType: "S" } });
        return { table: t.name };
      },
      checks: [
        { name: "passes", hint: "never shown because it passes", run: async (_ctx, st) => `table ${st.table}` },
        { name: "fails", hint: "the generic hint for this check", run: async () => { throw new CheckFailed("wrong answer", "the precise hint"); } },
        { name: "learner code throws", hint: "the hint for a throwing learner function", run: async (ctx) => { await ctx.callLearner("myFunction", () => { throw new TypeError("x is undefined"); }); } },
        { name: "blocked", hint: "needs the failing check", needs: ["fails"], run: async () => "never runs" },
        { name: "errors", hint: "kit trouble", run: async () => { throw new Error("the cloud went away"); } },
      ],
    });
    const lab = { id: "97", slug: "harness", title: "Harness", summary: "", learnerFiles: [], creates: [], steps: [], grader };
    const report = await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: process.cwd(), source: "learner", participant: "tester" });
    expect(report.schema).toBe("s3-event-labs/grade-result@1");
    expect(report.checks.map((c) => [c.name, c.status])).toEqual([["passes", "pass"], ["fails", "fail"], ["learner code throws", "fail"], ["blocked", "fail"], ["errors", "error"]]);
    expect(report.checks[1]!.hint).toBe("the precise hint");
    expect(report.checks[2]!.message).toBe("myFunction threw TypeError: x is undefined");
    expect(report.checks[2]!.hint).toBe("the hint for a throwing learner function");
    expect(report.checks[3]!.blockedBy).toBe("fails");
    expect(report.passed).toBe(false);
    expect(report.summary).toEqual({ total: 5, passed: 1, failed: 3, errored: 1, skipped: 0 });
    expect(report.cleanup).toMatchObject({ status: "pass", kept: false, deleted: 1 });
    expect(session.ledger.list({ namespace: report.namespace })).toEqual([]);
    await eventually(async () => (((await session.clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []).some((n) => n.startsWith(report.namespace)) ? undefined : true));
    const junit = toJUnit(report);
    expect(junit).toContain('<testsuite name="lab-97-harness" tests="5" failures="3" errors="1"');
    expect(junit).toContain("<failure message=\"wrong answer\" type=\"fail\">wrong answer\nhint: the precise hint</failure>");
    expect(junit).toContain('<error message="Error: the cloud went away"');

    // --keep leaves the resources and says how to remove them.
    const kept = await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: process.cwd(), source: "learner", keep: true, participant: "tester" });
    expect(kept.cleanup.kept).toBe(true);
    expect(kept.cleanup.message).toContain("npm run cleanup -- 97");
    expect(session.ledger.list({ namespace: kept.namespace })).toHaveLength(1);
    await cleanupEntries(session.clients, session.ledger, session.ledger.list({ namespace: kept.namespace }));
  });

  it("a setup that fails blocks every check and still reports", async () => {
    const grader = defineGrader<void>({
      async setup() { throw new CheckFailed("your file does not load"); },
      checks: [{ name: "a", hint: "h", run: async () => "x" }],
    });
    const lab = { id: "96", slug: "broken", title: "Broken", summary: "", learnerFiles: [], creates: [], steps: [], grader };
    const report = await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: process.cwd(), source: "learner" });
    expect(report.setup).toMatchObject({ status: "fail", message: "your file does not load" });
    expect(report.checks[0]).toMatchObject({ status: "fail", blockedBy: "setup" });
    expect(report.passed).toBe(false);
  });
});
