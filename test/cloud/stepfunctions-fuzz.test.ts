// Bounded fuzz (issue 11's harness, test/helpers/fuzz.ts) of the operations
// issue 17 added: Step Functions (awsJson 1.0) and EventBridge archives,
// replays and target retry/DLQ settings (awsJson 1.1) — valid requests,
// mutated under fixed seeds. No 5xx, no hang, health after each batch, no
// guard escapes, and the executions the fuzz started all end.
import { expect, it } from "vitest";
import { IAMClient } from "@aws-sdk/client-iam";
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { CreateArchiveCommand, EventBridgeClient, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { cloudForFile, eventually, type TestCloud } from "../helpers/cloud.js";
import { fuzz, json, type Seed } from "../helpers/fuzz.js";
import { createMachineRole } from "../helpers/sfn.js";

const ACCOUNT = "000000000000";
const SM = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:fuzz-sm`;
const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
const ARCHIVE = `arn:aws:events:us-east-1:${ACCOUNT}:archive/fuzz-archive`;
const DEFINITION = JSON.stringify({
  StartAt: "W",
  States: {
    W: { Type: "Wait", SecondsPath: "$.wait", Next: "C" },
    C: { Type: "Choice", Choices: [{ Variable: "$.n", NumericGreaterThan: 1, Next: "M" }], Default: "P" },
    M: { Type: "Map", ItemsPath: "$.items", ItemProcessor: { StartAt: "I", States: { I: { Type: "Pass", End: true } } }, Next: "P" },
    P: { Type: "Pass", Parameters: { "x.$": "States.Format('{}', $.n)" }, End: true },
  },
});

let cloud: TestCloud;
let roleArn = "";

cloudForFile(IAMClient, async (c, iam) => {
  cloud = c;
  roleArn = await createMachineRole(iam, "fuzz-role", []);
  const sfn = new SFNClient(c.clientConfig);
  await sfn.send(new CreateStateMachineCommand({ name: "fuzz-sm", definition: DEFINITION, roleArn }));
  sfn.destroy();
  const eb = new EventBridgeClient(c.clientConfig);
  await eb.send(new CreateArchiveCommand({ ArchiveName: "fuzz-archive", EventSourceArn: BUS }));
  await eb.send(new PutRuleCommand({ Name: "fuzz-rule", EventPattern: JSON.stringify({ source: ["fuzz"] }) }));
  eb.destroy();
});

const sfnOp = (op: string, body: Record<string, unknown>) => json("states", `AWSStepFunctions.${op}`, "1.0", body);
const events = (op: string, body: Record<string, unknown>) => json("events", `AWSEvents.${op}`, "1.1", body);

function seeds(): Seed[] {
  const input = JSON.stringify({ wait: 0, n: 2, items: [1, 2] });
  return [
    sfnOp("CreateStateMachine", { name: "fuzz-made", definition: DEFINITION, roleArn, type: "STANDARD", tags: [{ key: "k", value: "v" }] }),
    sfnOp("UpdateStateMachine", { stateMachineArn: SM, definition: DEFINITION }),
    sfnOp("DescribeStateMachine", { stateMachineArn: SM }),
    sfnOp("ValidateStateMachineDefinition", { definition: DEFINITION, type: "STANDARD", maxResults: 5 }),
    sfnOp("StartExecution", { stateMachineArn: SM, input, name: "e1" }),
    sfnOp("StartSyncExecution", { stateMachineArn: SM, input }),
    sfnOp("ListExecutions", { stateMachineArn: SM, statusFilter: "SUCCEEDED", maxResults: 5 }),
    sfnOp("DescribeExecution", { executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:fuzz-sm:e1` }),
    sfnOp("GetExecutionHistory", { executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:fuzz-sm:e1`, maxResults: 3, reverseOrder: true }),
    sfnOp("StopExecution", { executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:fuzz-sm:e1`, error: "E", cause: "c" }),
    sfnOp("TagResource", { resourceArn: SM, tags: [{ key: "a", value: "b" }] }),
    events("CreateArchive", { ArchiveName: "fuzz-made", EventSourceArn: BUS, EventPattern: JSON.stringify({ source: ["x"] }), RetentionDays: 1 }),
    events("UpdateArchive", { ArchiveName: "fuzz-archive", RetentionDays: 2, Description: "d" }),
    events("StartReplay", { ReplayName: "fuzz-replay", EventSourceArn: ARCHIVE, EventStartTime: 1, EventEndTime: Date.now() / 1000, Destination: { Arn: BUS, FilterArns: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/fuzz-rule`] } }),
    events("DescribeReplay", { ReplayName: "fuzz-replay" }),
    events("CancelReplay", { ReplayName: "fuzz-replay" }),
    events("PutTargets", { Rule: "fuzz-rule", Targets: [{ Id: "sfn", Arn: SM, RoleArn: roleArn, RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` }, InputTransformer: { InputPathsMap: { d: "$.detail" }, InputTemplate: "text <d>" } }] }),
    events("PutEvents", { Entries: [{ Source: "fuzz", DetailType: "x", Detail: JSON.stringify({ n: 1 }) }] }),
  ];
}

it("Step Functions and EventBridge archives/replays: 250 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: seeds(), seed: 17, count: 250 });
  // Everything the fuzz started ends (no execution stuck RUNNING).
  const sfn = new SFNClient(cloud.clientConfig);
  await eventually(async () => {
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: SM, statusFilter: "RUNNING" }));
    return executions!.length === 0 ? true : undefined;
  }, 15_000);
  expect(cloud.cloud.escapedErrors).toBe(0);
  sfn.destroy();
});
