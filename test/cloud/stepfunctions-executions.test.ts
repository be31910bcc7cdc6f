// Step Functions executions through the real SDK v3 client and the AWS CLI:
// Lambda tasks (plain function ARNs and arn:aws:states:::lambda:invoke) run in
// the local Lambda service; Choice, Retry with a flaky task and Catch on a
// permanent failure (and on Parallel and Map); GetExecutionHistory in AWS's event types; a role that
// may not invoke the function; EventBridge → Step Functions; and executions
// and their history surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsCliAsync, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { createMachineRole, finished } from "../helpers/sfn.js";

const ACCOUNT = "000000000000";
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/** Classifies by extension; "flaky" keys fail twice per key, "bad" keys always fail. */
const WORKER = `const seen = new Map();
export const handler = async (event) => {
  const key = event.key ?? "";
  if (key.startsWith("slow")) await new Promise((r) => setTimeout(r, 1300));
  if (key.startsWith("bad")) { const e = new Error("cannot process " + key); e.name = "PermanentError"; throw e; }
  if (key.startsWith("flaky")) {
    const n = (seen.get(key) ?? 0) + 1; seen.set(key, n);
    if (n <= 2) { const e = new Error("try again (" + n + ")"); e.name = "TransientError"; throw e; }
  }
  return { key, kind: key.endsWith(".png") ? "image" : "other", size: event.size ?? 0 };
};`;

const DEFINITION = {
  Comment: "classify, then branch on the kind",
  StartAt: "Classify",
  States: {
    Classify: {
      Type: "Task",
      Resource: fnArn("sfn-worker"),
      Retry: [{ ErrorEquals: ["TransientError"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Failed" }],
      Next: "IsImage",
    },
    IsImage: { Type: "Choice", Choices: [{ Variable: "$.kind", StringEquals: "image", Next: "Resize" }], Default: "Done" },
    Resize: {
      Type: "Task",
      Resource: "arn:aws:states:::lambda:invoke",
      Parameters: { FunctionName: "sfn-worker", "Payload.$": "$" },
      OutputPath: "$.Payload",
      Next: "Pause",
    },
    Pause: { Type: "Wait", Seconds: 6, Next: "Done" }, // 0.1 s at the default time scale
    Done: { Type: "Succeed" },
    Failed: { Type: "Fail", Error: "ProcessingFailed", Cause: "the worker gave up" },
  },
};

let cloud: TestCloud;
let iam: IAMClient;
let sfn: SFNClient;
let machineArn: string;
let roleArn: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  sfn = new SFNClient(cloud.clientConfig);
  iam = new IAMClient(cloud.clientConfig);
  const lambda = new LambdaClient(cloud.clientConfig);
  await createExecutionRole(iam);
  await createFunction(lambda, "sfn-worker", WORKER);
  roleArn = await createMachineRole(iam, "sfn-role", [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fnArn("sfn-worker") }]);
  const out = await sfn.send(new CreateStateMachineCommand({ name: "classify", definition: JSON.stringify(DEFINITION), roleArn }));
  machineArn = out.stateMachineArn!;
});
afterAll(async () => {
  await cloud?.close();
});

async function run(input: unknown, name?: string) {
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: JSON.stringify(input), name }));
  const described = await finished(sfn, executionArn!);
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  return { executionArn: executionArn!, described, events: events! };
}

const types = (events: HistoryEvent[]) => events.map((e) => e.type);

describe("Lambda tasks, Choice, Retry and Catch", () => {
  it("runs an image through both tasks and the time-scaled Wait, with AWS's history", async () => {
    const { described, events } = await run({ key: "cat.png", size: 5 }, "cat");
    expect(described).toMatchObject({ status: "SUCCEEDED", name: "cat", stateMachineArn: machineArn });
    expect(JSON.parse(described.output!)).toEqual({ key: "cat.png", kind: "image", size: 5 });
    expect(types(events)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
      "ChoiceStateEntered", "ChoiceStateExited",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
      "WaitStateEntered", "WaitStateExited",
      "SucceedStateEntered", "SucceedStateExited",
      "ExecutionSucceeded",
    ]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => i));
    expect(events[0]!.executionStartedEventDetails).toMatchObject({ input: JSON.stringify({ key: "cat.png", size: 5 }), roleArn });
    expect(events[2]!.lambdaFunctionScheduledEventDetails).toMatchObject({ resource: fnArn("sfn-worker") });
    const scheduled = events.find((e) => e.type === "TaskScheduled")!.taskScheduledEventDetails!;
    expect(scheduled).toMatchObject({ resourceType: "lambda", resource: "invoke", region: "us-east-1" });
    expect(JSON.parse(scheduled.parameters!)).toEqual({ FunctionName: "sfn-worker", Payload: { key: "cat.png", kind: "image", size: 5 } });
    // lambda:invoke wraps the response; OutputPath $.Payload unwraps it.
    const succeeded = JSON.parse(events.find((e) => e.type === "TaskSucceeded")!.taskSucceededEventDetails!.output!);
    expect(succeeded).toMatchObject({ ExecutedVersion: "$LATEST", StatusCode: 200, Payload: { kind: "image" }, SdkHttpMetadata: { HttpStatusCode: 200 } });
    expect(events[5]!.stateExitedEventDetails).toMatchObject({ name: "Classify" });
  });

  it("retries a flaky task (TaskFailed in the history) and catches a permanent failure", async () => {
    const flaky = await run({ key: "flaky.csv" });
    expect(flaky.described.status).toBe("SUCCEEDED");
    const failed = flaky.events.filter((e) => e.type === "LambdaFunctionFailed");
    expect(failed).toHaveLength(2);
    expect(failed[0]!.lambdaFunctionFailedEventDetails).toMatchObject({ error: "TransientError" });
    expect(JSON.parse(failed[0]!.lambdaFunctionFailedEventDetails!.cause!)).toMatchObject({ errorType: "TransientError", errorMessage: "try again (1)" });
    expect(types(flaky.events).filter((t) => t === "LambdaFunctionScheduled")).toHaveLength(3);

    const bad = await run({ key: "bad.csv" });
    expect(bad.described).toMatchObject({ status: "FAILED", error: "ProcessingFailed", cause: "the worker gave up" });
    expect(types(bad.events).slice(-5)).toEqual(["LambdaFunctionStarted", "LambdaFunctionFailed", "TaskStateExited", "FailStateEntered", "ExecutionFailed"]);
    const caught = JSON.parse(bad.events.find((e) => e.type === "FailStateEntered")!.stateEnteredEventDetails!.input!);
    expect(caught.error).toMatchObject({ Error: "PermanentError" });
    expect(bad.events.at(-1)!.executionFailedEventDetails).toEqual({ error: "ProcessingFailed", cause: "the worker gave up" });
  });

  it("times a task out after its TimeoutSeconds (Catch on States.Timeout); the late result is not history", async () => {
    const definition = {
      StartAt: "Slow",
      States: {
        Slow: { Type: "Task", Resource: fnArn("sfn-worker"), TimeoutSeconds: 1, Catch: [{ ErrorEquals: ["States.Timeout"], Next: "After" }], End: true },
        After: { Type: "Wait", Seconds: 90, End: true }, // 1.5 s: the function answers meanwhile
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "timeouts", definition: JSON.stringify(definition), roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ key: "slow.txt" }) }));
    expect((await finished(sfn, executionArn!)).status).toBe("SUCCEEDED");
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(types(events!)).toEqual(["ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionTimedOut", "TaskStateExited", "WaitStateEntered", "WaitStateExited", "ExecutionSucceeded"]);
    expect(events!.find((e) => e.type === "LambdaFunctionTimedOut")!.lambdaFunctionTimedOutEventDetails).toMatchObject({ error: "States.Timeout" });
  });

  it("a Parallel or Map failure taken by its Catch exits as …StateFailed → …StateExited, no …Succeeded", async () => {
    // The order AWS records (LocalStack's AWS-recorded test_parallel_state_catch / test_map_state_catch snapshots).
    const catcher = { ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "Caught" };
    const definition = {
      StartAt: "Fan",
      States: {
        Fan: { Type: "Parallel", Branches: [{ StartAt: "Broken", States: { Broken: { Type: "Fail", Error: "BranchError", Cause: "branch broke" } } }], Catch: [catcher], Next: "Each" },
        Each: { Type: "Map", ItemsPath: "$.items", Iterator: { StartAt: "BadItem", States: { BadItem: { Type: "Fail", Error: "ItemError" } } }, ResultPath: "$.mapped", Catch: [catcher], Next: "Caught" },
        Caught: { Type: "Pass", End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "caught-nested", definition: JSON.stringify(definition), roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ items: [1] }) }));
    expect((await finished(sfn, executionArn!)).status).toBe("SUCCEEDED");
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(types(events!)).toEqual([
      "ExecutionStarted",
      "ParallelStateEntered", "ParallelStateStarted", "FailStateEntered", "ParallelStateFailed", "ParallelStateExited",
      "PassStateEntered", "PassStateExited",
      "ExecutionSucceeded",
    ]);
    const exited = events!.find((e) => e.type === "ParallelStateExited")!.stateExitedEventDetails!;
    expect(exited.name).toBe("Fan");
    expect(JSON.parse(exited.output!).error).toEqual({ Error: "BranchError", Cause: "branch broke" });

    // The Map on its own: the Parallel's Catch above skips it.
    const direct = { StartAt: "Each", States: { Each: definition.States.Each, Caught: definition.States.Caught } };
    const map = await sfn.send(new CreateStateMachineCommand({ name: "caught-map", definition: JSON.stringify(direct), roleArn }));
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn: map.stateMachineArn, input: JSON.stringify({ items: [1] }) }));
    expect((await finished(sfn, second.executionArn!)).status).toBe("SUCCEEDED");
    const mapHistory = await sfn.send(new GetExecutionHistoryCommand({ executionArn: second.executionArn }));
    expect(types(mapHistory.events!)).toEqual([
      "ExecutionStarted",
      "MapStateEntered", "MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed", "MapStateFailed", "MapStateExited",
      "PassStateEntered", "PassStateExited",
      "ExecutionSucceeded",
    ]);
  });

  it("a retried Parallel or Map starts again on each attempt and fails once, when the retries are spent", async () => {
    // The order AWS records (LocalStack's AWS-recorded test_parallel_state_retry / test_map_state_retry snapshots).
    const retrier = { ErrorEquals: ["BranchError"], MaxAttempts: 2, IntervalSeconds: 1, BackoffRate: 1 };
    const parallel = {
      StartAt: "Fan",
      States: { Fan: { Type: "Parallel", Branches: [{ StartAt: "Broken", States: { Broken: { Type: "Fail", Error: "BranchError", Cause: "branch broke" } } }], Retry: [retrier], End: true } },
    };
    const map = {
      StartAt: "Each",
      States: { Each: { Type: "Map", ItemsPath: "$.items", MaxConcurrency: 1, Iterator: { StartAt: "BadItem", States: { BadItem: { Type: "Fail", Error: "BranchError" } } }, Retry: [retrier], End: true } },
    };
    const run = async (name: string, definition: unknown) => {
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn }));
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ items: [1] }) }));
      const done = await finished(sfn, executionArn!);
      expect(done).toMatchObject({ status: "FAILED", error: "BranchError" });
      return (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    };
    const attempt = ["ParallelStateStarted", "FailStateEntered"];
    expect(types(await run("retried-parallel", parallel))).toEqual(["ExecutionStarted", "ParallelStateEntered", ...attempt, ...attempt, ...attempt, "ParallelStateFailed", "ExecutionFailed"]);
    const iteration = ["MapStateStarted", "MapIterationStarted", "FailStateEntered", "MapIterationFailed"];
    const mapEvents = await run("retried-map", map);
    expect(types(mapEvents)).toEqual(["ExecutionStarted", "MapStateEntered", ...iteration, ...iteration, ...iteration, "MapStateFailed", "ExecutionFailed"]);
    expect(mapEvents.filter((e) => e.type === "MapStateStarted").map((e) => e.mapStateStartedEventDetails?.length)).toEqual([1, 1, 1]);
  });

  it("lists executions newest first and refuses a second execution of the same name", async () => {
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(executions!.length).toBeGreaterThanOrEqual(3);
    expect(executions!.every((e) => e.stateMachineArn === machineArn)).toBe(true);
    expect(executions!.at(-1)!.name).toBe("cat");
    const { executions: failed } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: "FAILED" }));
    expect(failed!.every((e) => e.status === "FAILED")).toBe(true);
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, name: "cat", input: "{}" })).catch((e) => e);
    expect(again.name).toBe("ExecutionAlreadyExists");
    expect(again.message).toBe(`Execution Already Exists: 'arn:aws:states:us-east-1:${ACCOUNT}:execution:classify:cat'`);
    const bad = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn, input: "{not json" })).catch((e) => e);
    expect(bad.name).toBe("InvalidExecutionInput");
  });
});

describe("IAM", () => {
  it("fails a task the role may not call, as AWS does", async () => {
    const weak = await createMachineRole(iam, "sfn-weak", [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fnArn("other") }]);
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "weak", definition: JSON.stringify({ StartAt: "Call", States: { Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: fnArn("sfn-worker") }, End: true } } }), roleArn: weak }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    const out = await finished(sfn, executionArn!);
    expect(out.status).toBe("FAILED");
    expect(out.error).toBe("Lambda.AWSLambdaException");
    expect(out.cause).toMatch(new RegExp(`^User: arn:aws:sts::${ACCOUNT}:assumed-role/sfn-weak/[A-Za-z]{32} is not authorized to perform: lambda:InvokeFunction on resource: ${fnArn("sfn-worker")} because no identity-based policy allows the lambda:InvokeFunction action \\(Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException;`));
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.find((e) => e.type === "TaskFailed")!.taskFailedEventDetails).toMatchObject({ resourceType: "lambda", resource: "invoke", error: "Lambda.AWSLambdaException" });
  });
});

describe("EventBridge → Step Functions", () => {
  it("starts an execution with the event as input when the target's role allows states:StartExecution", async () => {
    const eb = new EventBridgeClient(cloud.clientConfig);
    const ebRole = await createMachineRole(iam, "eb-to-sfn", [{ Effect: "Allow", Action: "states:StartExecution", Resource: machineArn }], "events.amazonaws.com");
    await eb.send(new PutRuleCommand({ Name: "to-sfn", EventPattern: JSON.stringify({ source: ["lab.test"] }) }));
    const refused = await eb.send(new PutTargetsCommand({ Rule: "to-sfn", Targets: [{ Id: "sfn", Arn: machineArn }] })).catch((e) => e);
    expect(refused.name).toBe("ValidationException");
    expect(refused.message).toBe(`RoleArn is required for target ${machineArn}.`);
    await eb.send(new PutTargetsCommand({ Rule: "to-sfn", Targets: [{ Id: "sfn", Arn: machineArn, RoleArn: ebRole, InputPath: "$.detail" }] }));
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "lab.test", DetailType: "upload", Detail: JSON.stringify({ key: "from-eb.png", size: 9 }) }] }));
    const execution = await eventually(async () => {
      const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter: "SUCCEEDED" }));
      for (const e of executions ?? []) {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        if (d.input?.includes("from-eb.png")) return d;
      }
      return undefined;
    });
    expect(JSON.parse(execution.input!)).toEqual({ key: "from-eb.png", size: 9 });
    expect(execution.name).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends Step Functions Execution Status Change events to the default bus", async () => {
    const eb = new EventBridgeClient(cloud.clientConfig);
    const sqs = new SQSClient(cloud.clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sfn-status" }));
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:sfn-status`;
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn }] };
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
    await eb.send(new PutRuleCommand({ Name: "sfn-status", EventPattern: JSON.stringify({ source: ["aws.states"], "detail-type": ["Step Functions Execution Status Change"], detail: { stateMachineArn: [machineArn], status: ["SUCCEEDED"] } }) }));
    await eb.send(new PutTargetsCommand({ Rule: "sfn-status", Targets: [{ Id: "q", Arn: queueArn }] }));
    const { executionArn } = await run({ key: "status.txt" });
    const event = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      return Messages?.map((m) => JSON.parse(m.Body!)).find((e) => e.detail.executionArn === executionArn);
    });
    expect(event).toMatchObject({ source: "aws.states", resources: [executionArn], detail: { status: "SUCCEEDED", name: executionArn.split(":").pop(), stateMachineArn: machineArn, startDate: expect.any(Number), stopDate: expect.any(Number) } });
    expect(JSON.parse(event.detail.output)).toMatchObject({ key: "status.txt", kind: "other" });
  });
});

describe.skipIf(!hasAwsCli)("the AWS CLI", () => {
  it("starts an execution and reads its history", async () => {
    const start = await awsCliAsync(cloud, ["stepfunctions", "start-execution", "--state-machine-arn", machineArn, "--name", "from-cli", "--input", JSON.stringify({ key: "cli.txt" })]);
    expect(start.status, start.stderr).toBe(0);
    const { executionArn } = JSON.parse(start.stdout);
    await finished(sfn, executionArn);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: "SUCCEEDED", name: "from-cli" });
    const history = await awsCliAsync(cloud, ["stepfunctions", "get-execution-history", "--execution-arn", executionArn, "--reverse-order", "--max-results", "2"]);
    const page = JSON.parse(history.stdout);
    expect(page.events.map((e: HistoryEvent) => e.type)).toEqual(["ExecutionSucceeded", "SucceedStateExited"]);
    expect(page.nextToken).toBeTruthy();
  });
});

describe("restart", () => {
  it("keeps state machines, finished executions and their history; a running one ends FAILED", async () => {
    const slow = await sfn.send(new CreateStateMachineCommand({ name: "slow", definition: JSON.stringify({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 3600, End: true } } }), roleArn }));
    const running = await sfn.send(new StartExecutionCommand({ stateMachineArn: slow.stateMachineArn, name: "long" }));
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    const before = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executions![0]!.executionArn }));
    cloud = await cloud.restart();
    sfn = new SFNClient(cloud.clientConfig);
    const after = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executions![0]!.executionArn }));
    expect(after.events).toEqual(before.events);
    const again = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn }));
    expect(again.executions!.map((e) => e.executionArn)).toEqual(executions!.map((e) => e.executionArn));
    const interrupted = await sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
    expect(interrupted.status).toMatch(/^(FAILED|ABORTED)$/);
  });

  it("stops a running execution with StopExecution", async () => {
    const slow = "arn:aws:states:us-east-1:000000000000:stateMachine:slow";
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: slow }));
    await sfn.send(new StopExecutionCommand({ executionArn, error: "Manual", cause: "no need" }));
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(out).toMatchObject({ status: "ABORTED", error: "Manual", cause: "no need" });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.map((e) => e.type)).toEqual(["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]);
    expect(events!.at(-1)!.executionAbortedEventDetails).toEqual({ error: "Manual", cause: "no need" });
  });
});
