// EventBridge archives and replays, target dead-letter queues and retry
// policies, and input transformers, through the real SDK v3 client and the
// AWS CLI: what is archived (pattern, never replayed events), replays marked
// with replay-name going only to the rules FilterArns names, their states,
// the validation errors, DLQ messages with AWS's attributes for a missing
// target and for a Step Functions target whose role may not start it, and
// everything surviving a restart.
import { describe, expect, it } from "vitest";
import {
  CancelReplayCommand,
  CreateArchiveCommand,
  DeleteArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListReplaysCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { IAMClient } from "@aws-sdk/client-iam";
import { CreateStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { awsCliAsync, cloudForFile, errorOf, eventually, hasAwsCli, type TestCloud } from "../helpers/cloud.js";
import { createMachineRole } from "../helpers/sfn.js";

const ACCOUNT = "000000000000";
const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
const ruleArn = (name: string) => `arn:aws:events:us-east-1:${ACCOUNT}:rule/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

let cloud: TestCloud;
let eb: EventBridgeClient;
let sqs: SQSClient;
const urls: Record<string, string> = {};

/** A queue EventBridge may send to from any rule of this account. */
async function queue(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn(name), Condition: { ArnLike: { "aws:SourceArn": ruleArn("*") } } }] };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  return (urls[name] = QueueUrl!);
}

/** Receive until `count` messages arrived (or fail), then make sure no more are coming. */
async function receive(name: string, count: number): Promise<Message[]> {
  const got: Message[] = [];
  await eventually(async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls[name], MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ["All"] }));
    got.push(...(Messages ?? []));
    return got.length >= count ? true : undefined;
  }, 10_000, 20);
  return got;
}

async function empty(name: string): Promise<boolean> {
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urls[name], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return !Messages?.length;
}

const put = (detailType: string, detail: object) => eb.send(new PutEventsCommand({ Entries: [{ Source: "lab.archive", DetailType: detailType, Detail: JSON.stringify(detail) }] }));

async function replayDone(name: string) {
  return eventually(async () => {
    const r = await eb.send(new DescribeReplayCommand({ ReplayName: name }));
    return r.State === "COMPLETED" || r.State === "FAILED" || r.State === "CANCELLED" ? r : undefined;
  });
}

cloudForFile(EventBridgeClient, async (c, client) => {
  cloud = c;
  eb = client;
  sqs = new SQSClient(c.clientConfig);
  for (const name of ["to-a", "to-b", "no-replays", "dlq", "text"]) await queue(name);
  const pattern = JSON.stringify({ source: ["lab.archive"] });
  await eb.send(new PutRuleCommand({ Name: "rule-a", EventPattern: pattern }));
  await eb.send(new PutTargetsCommand({ Rule: "rule-a", Targets: [{ Id: "q", Arn: queueArn("to-a") }] }));
  await eb.send(new PutRuleCommand({ Name: "rule-b", EventPattern: pattern }));
  await eb.send(new PutTargetsCommand({ Rule: "rule-b", Targets: [{ Id: "q", Arn: queueArn("to-b") }] }));
  await eb.send(new PutRuleCommand({ Name: "rule-live", EventPattern: JSON.stringify({ source: ["lab.archive"], "replay-name": [{ exists: false }] }) }));
  await eb.send(new PutTargetsCommand({ Rule: "rule-live", Targets: [{ Id: "q", Arn: queueArn("no-replays") }] }));
});

let startedAt: Date;

describe("archives", () => {
  it("archives the bus's matching events, never replayed ones, and validates as AWS does", async () => {
    const { ArchiveArn, State } = await eb.send(new CreateArchiveCommand({ ArchiveName: "uploads", EventSourceArn: BUS, EventPattern: JSON.stringify({ "detail-type": ["keep"] }), RetentionDays: 1 }));
    expect(ArchiveArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`);
    expect(State).toBe("ENABLED");
    expect((await errorOf(eb.send(new CreateArchiveCommand({ ArchiveName: "uploads", EventSourceArn: BUS })))).message).toBe("Archive uploads already exists.");
    expect((await errorOf(eb.send(new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/nope` })))).message).toBe("Event bus nope does not exist.");
    expect((await errorOf(eb.send(new CreateArchiveCommand({ ArchiveName: "bad name", EventSourceArn: BUS })))).name).toBe("ValidationException");
    expect((await errorOf(eb.send(new CreateArchiveCommand({ ArchiveName: "x", EventSourceArn: BUS, EventPattern: '{"source":"x"}' })))).name).toBe("InvalidEventPatternException");

    startedAt = new Date(Date.now() - 2000);
    await put("keep", { n: 1 });
    await put("skip", { n: 2 });
    await put("keep", { n: 3 });
    expect(await receive("to-a", 3)).toHaveLength(3);
    expect(await receive("to-b", 3)).toHaveLength(3);
    expect(await receive("no-replays", 3)).toHaveLength(3);
    const described = await eb.send(new DescribeArchiveCommand({ ArchiveName: "uploads" }));
    expect(described).toMatchObject({ ArchiveName: "uploads", EventSourceArn: BUS, EventCount: 2, RetentionDays: 1, State: "ENABLED" });
    expect(described.SizeBytes).toBeGreaterThan(100);
    await eb.send(new UpdateArchiveCommand({ ArchiveName: "uploads", Description: "lab 06" }));
    const { Archives } = await eb.send(new ListArchivesCommand({ NamePrefix: "up" }));
    expect(Archives!.map((a) => [a.ArchiveName, a.EventCount])).toEqual([["uploads", 2]]);
  });
});

describe("replays", () => {
  it("replays the archived events, marked with replay-name, only to the rules FilterArns names", async () => {
    const end = new Date(Date.now() + 1000);
    const { ReplayArn, State } = await eb.send(
      new StartReplayCommand({ ReplayName: "again", EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`, EventStartTime: startedAt, EventEndTime: end, Destination: { Arn: BUS, FilterArns: [ruleArn("rule-a")] } }),
    );
    expect(ReplayArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:replay/again`);
    expect(State).toBe("STARTING");
    const done = await replayDone("again");
    expect(done).toMatchObject({ State: "COMPLETED", EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`, Destination: { Arn: BUS, FilterArns: [ruleArn("rule-a")] } });
    expect(done.EventLastReplayedTime).toBeInstanceOf(Date);
    const replayed = (await receive("to-a", 2)).map((m) => JSON.parse(m.Body!));
    expect(replayed.map((e) => [e["replay-name"], e["detail-type"], e.detail.n]).sort()).toEqual([["again", "keep", 1], ["again", "keep", 3]]);
    expect(await empty("to-b")).toBe(true);
    // Replayed events are not archived again.
    expect((await eb.send(new DescribeArchiveCommand({ ArchiveName: "uploads" }))).EventCount).toBe(2);
    const cancel = await errorOf(eb.send(new CancelReplayCommand({ ReplayName: "again" })));
    expect(cancel.name).toBe("IllegalStatusException");
    expect((await eb.send(new ListReplaysCommand({}))).Replays!.map((r) => [r.ReplayName, r.State])).toEqual([["again", "COMPLETED"]]);
  });

  it("goes to every rule without FilterArns; a pattern can keep replays out", async () => {
    await eb.send(new StartReplayCommand({ ReplayName: "all-rules", EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`, EventStartTime: startedAt, EventEndTime: new Date(), Destination: { Arn: BUS } }));
    expect((await replayDone("all-rules")).State).toBe("COMPLETED");
    expect(await receive("to-a", 2)).toHaveLength(2);
    expect(await receive("to-b", 2)).toHaveLength(2);
    expect(await empty("no-replays")).toBe(true);
  });

  it("refuses what AWS refuses", async () => {
    const archive = `arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`;
    const base = { EventSourceArn: archive, EventStartTime: startedAt, EventEndTime: new Date(), Destination: { Arn: BUS } };
    expect((await errorOf(eb.send(new StartReplayCommand({ ...base, ReplayName: "again" })))).message).toBe("Replay again already exists.");
    expect((await errorOf(eb.send(new StartReplayCommand({ ...base, ReplayName: "r1", EventStartTime: new Date(), EventEndTime: startedAt })))).message).toBe(
      "Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    );
    expect((await errorOf(eb.send(new StartReplayCommand({ ...base, ReplayName: "r2", Destination: { Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/other` } })))).message).toBe(
      "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    );
    expect((await errorOf(eb.send(new StartReplayCommand({ ...base, ReplayName: "r3", EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/none` })))).message).toBe("Archive none does not exist.");
    expect((await errorOf(eb.send(new DescribeReplayCommand({ ReplayName: "none" })))).name).toBe("ResourceNotFoundException");
  });

  it.skipIf(!hasAwsCli)("works from the AWS CLI (start-replay)", async () => {
    const started = await awsCliAsync(cloud, [
      "events", "start-replay", "--replay-name", "from-cli", "--event-source-arn", `arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`,
      "--event-start-time", startedAt.toISOString(), "--event-end-time", new Date().toISOString(), "--destination", JSON.stringify({ Arn: BUS, FilterArns: [ruleArn("rule-b")] }),
    ]);
    expect(started.status, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toMatchObject({ ReplayArn: `arn:aws:events:us-east-1:${ACCOUNT}:replay/from-cli`, State: "STARTING" });
    expect(await replayDone("from-cli")).toMatchObject({ ReplayName: "from-cli", State: "COMPLETED" });
    expect((await receive("to-b", 2)).map((m) => JSON.parse(m.Body!)["replay-name"])).toEqual(["from-cli", "from-cli"]);
  });
});

describe("dead-letter queues, retry policies, input transformers", () => {
  it("sends an event whose target is missing to the DLQ at once, with AWS's attributes", async () => {
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:does-not-exist`;
    await eb.send(new PutRuleCommand({ Name: "to-missing", EventPattern: JSON.stringify({ source: ["lab.dlq"] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "to-missing", Targets: [{ Id: "fn", Arn: fn, DeadLetterConfig: { Arn: queueArn("dlq") }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 } }] }));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "lab.dlq", DetailType: "x", Detail: JSON.stringify({ n: 1 }) }] }));
    const [message] = await receive("dlq", 1);
    expect(JSON.parse(message!.Body!)).toMatchObject({ source: "lab.dlq", detail: { n: 1 } });
    const attrs = Object.fromEntries(Object.entries(message!.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({ RULE_ARN: ruleArn("to-missing"), TARGET_ARN: fn, ERROR_CODE: "NO_RESOURCE", RETRY_ATTEMPTS: "0" });
    expect(attrs.ERROR_MESSAGE).toContain(fn);
  });

  it("sends a Step Functions event whose role may not start the execution to the DLQ as NO_PERMISSIONS", async () => {
    const iam = new IAMClient(cloud.clientConfig);
    const sfn = new SFNClient(cloud.clientConfig);
    const machineRole = await createMachineRole(iam, "dlq-machine-role", []);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "dlq-machine", roleArn: machineRole, definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }) }));
    const weakRole = await createMachineRole(iam, "eb-cannot-start", [{ Effect: "Allow", Action: "states:DescribeExecution", Resource: "*" }], "events.amazonaws.com");
    await eb.send(new PutRuleCommand({ Name: "to-sfn-denied", EventPattern: JSON.stringify({ source: ["lab.denied"] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "to-sfn-denied", Targets: [{ Id: "sfn", Arn: stateMachineArn, RoleArn: weakRole, DeadLetterConfig: { Arn: queueArn("dlq") } }] }));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "lab.denied", DetailType: "x", Detail: "{}" }] }));
    const [message] = await receive("dlq", 1);
    const attrs = Object.fromEntries(Object.entries(message!.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({ RULE_ARN: ruleArn("to-sfn-denied"), TARGET_ARN: stateMachineArn, ERROR_CODE: "NO_PERMISSIONS" });
    expect(attrs.ERROR_MESSAGE).toContain("states:StartExecution");
    sfn.destroy();
    iam.destroy();
  });

  it("retries a failing delivery per its RetryPolicy, then dead-letters it with EXHAUSTED_RETRY_CONDITION", async () => {
    // The transformer doubles the event's 150 KB detail, past StartExecution's 256 KiB input limit: every attempt fails.
    const iam = new IAMClient(cloud.clientConfig);
    const sfn = new SFNClient(cloud.clientConfig);
    const machineRole = await createMachineRole(iam, "retry-machine-role", []);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "retry-machine", roleArn: machineRole, definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", End: true } } }) }));
    const role = await createMachineRole(iam, "eb-can-start", [{ Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn }], "events.amazonaws.com");
    await eb.send(new PutRuleCommand({ Name: "to-sfn-big", EventPattern: JSON.stringify({ source: ["lab.retry"] }) }));
    await eb.send(
      new PutTargetsCommand({
        Rule: "to-sfn-big",
        Targets: [{ Id: "sfn", Arn: stateMachineArn, RoleArn: role, DeadLetterConfig: { Arn: queueArn("dlq") }, RetryPolicy: { MaximumRetryAttempts: 2 }, InputTransformer: { InputPathsMap: { d: "$.detail" }, InputTemplate: '{"a": <d>, "b": <d>}' } }],
      }),
    );
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "lab.retry", DetailType: "x", Detail: JSON.stringify({ blob: "x".repeat(150_000) }) }] }));
    const [message] = await receive("dlq", 1);
    const attrs = Object.fromEntries(Object.entries(message!.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({ RULE_ARN: ruleArn("to-sfn-big"), TARGET_ARN: stateMachineArn, ERROR_CODE: "SDK_CLIENT_ERROR", EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts", RETRY_ATTEMPTS: "2" });
    sfn.destroy();
    iam.destroy();
  });

  it("validates RetryPolicy and DeadLetterConfig", async () => {
    const target = { Id: "q", Arn: queueArn("text") };
    const age = await errorOf(eb.send(new PutTargetsCommand({ Rule: "rule-a", Targets: [{ ...target, RetryPolicy: { MaximumEventAgeInSeconds: 30 } }] })));
    expect(age.message).toMatch(/maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60/);
    const tries = await errorOf(eb.send(new PutTargetsCommand({ Rule: "rule-a", Targets: [{ ...target, RetryPolicy: { MaximumRetryAttempts: 200 } }] })));
    expect(tries.message).toMatch(/less than or equal to 185/);
    const dlq = await errorOf(eb.send(new PutTargetsCommand({ Rule: "rule-a", Targets: [{ ...target, DeadLetterConfig: { Arn: `arn:aws:sns:us-east-1:${ACCOUNT}:t` } }] })));
    expect(dlq.name).toBe("ValidationException");
  });

  it("renders plain-text and JSON input templates as AWS does", async () => {
    await eb.send(new PutRuleCommand({ Name: "to-text", EventPattern: JSON.stringify({ source: ["lab.text"] }) }));
    const paths = { key: "$.detail.key", size: "$.detail.size" };
    await eb.send(
      new PutTargetsCommand({
        Rule: "to-text",
        Targets: [
          { Id: "plain", Arn: queueArn("text"), InputTransformer: { InputPathsMap: paths, InputTemplate: 'Object <key> (<size> bytes) was deleted, "<key>"' } },
          { Id: "json", Arn: queueArn("text"), InputTransformer: { InputPathsMap: paths, InputTemplate: '{"file": <key>, "text": "<key> is <size> bytes", "size": <size>}' } },
          { Id: "string", Arn: queueArn("text"), InputTransformer: { InputPathsMap: paths, InputTemplate: '"<key> deleted"' } },
        ],
      }),
    );
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "lab.text", DetailType: "x", Detail: JSON.stringify({ key: "photo.png", size: 42 }) }] }));
    const bodies = (await receive("text", 3)).map((m) => m.Body!).sort();
    expect(bodies).toEqual(['"photo.png deleted"', 'Object photo.png (42 bytes) was deleted, "photo.png"', JSON.stringify({ file: "photo.png", text: "photo.png is 42 bytes", size: 42 }).replace(/,/g, ", ").replace(/":/g, '": ')].sort());
  });
});

describe("restart", () => {
  it("keeps archives, their events and replays", async () => {
    cloud = await cloud.restart();
    eb = new EventBridgeClient(cloud.clientConfig);
    sqs = new SQSClient(cloud.clientConfig);
    expect(await eb.send(new DescribeArchiveCommand({ ArchiveName: "uploads" }))).toMatchObject({ EventCount: 2, Description: "lab 06" });
    expect((await eb.send(new DescribeReplayCommand({ ReplayName: "again" }))).State).toBe("COMPLETED");
    await eb.send(new StartReplayCommand({ ReplayName: "after-restart", EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/uploads`, EventStartTime: startedAt, EventEndTime: new Date(), Destination: { Arn: BUS, FilterArns: [ruleArn("rule-a")] } }));
    expect((await replayDone("after-restart")).State).toBe("COMPLETED");
    expect((await receive("to-a", 2)).map((m) => JSON.parse(m.Body!)["replay-name"])).toEqual(["after-restart", "after-restart"]);
    await eb.send(new DeleteArchiveCommand({ ArchiveName: "uploads" }));
    expect((await errorOf(eb.send(new DescribeArchiveCommand({ ArchiveName: "uploads" })))).message).toBe("Archive uploads does not exist.");
  });
});
