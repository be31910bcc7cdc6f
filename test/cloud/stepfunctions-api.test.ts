// The Step Functions API through the real SDK v3 client and the AWS CLI:
// state machines (create, describe, list, update, delete, tags), the
// validation errors in AWS's words (InvalidDefinition, InvalidName, InvalidArn,
// the role Step Functions must be able to assume), EXPRESS machines with
// StartSyncExecution, and the SNS / SQS / DynamoDB optimized integrations
// run as the state machine's role.
import { beforeAll, describe, expect, it } from "vitest";
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  ListTagsForResourceCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
} from "@aws-sdk/client-sfn";
import { IAMClient } from "@aws-sdk/client-iam";
import { CreateQueueCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { awsCliAsync, cloudForFile, errorOf, hasAwsCli, type TestCloud } from "../helpers/cloud.js";
import { createMachineRole, finished } from "../helpers/sfn.js";

const ACCOUNT = "000000000000";
const PASS = JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: { ok: true }, End: true } } });

let cloud: TestCloud;
let sfn: SFNClient;
let iam: IAMClient;
let roleArn: string;

cloudForFile(SFNClient, async (c, client) => {
  cloud = c;
  sfn = client;
  iam = new IAMClient(c.clientConfig);
  roleArn = await createMachineRole(iam, "sfn-api-role", [
    { Effect: "Allow", Action: ["sns:Publish", "sqs:SendMessage", "dynamodb:PutItem", "dynamodb:GetItem"], Resource: "*" },
  ]);
});

const invalid = async (definition: string) => {
  const err = await errorOf(sfn.send(new CreateStateMachineCommand({ name: "bad", definition, roleArn })));
  expect(err.name).toBe("InvalidDefinition");
  return err.message as string;
};

describe("state machines", () => {
  it("creates, describes, lists, updates, tags and deletes", async () => {
    const { stateMachineArn, creationDate } = await sfn.send(new CreateStateMachineCommand({ name: "crud", definition: PASS, roleArn, tags: [{ key: "lab", value: "06" }] }));
    expect(stateMachineArn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:crud`);
    expect(creationDate).toBeInstanceOf(Date);
    // An identical request answers the same machine; a different one is StateMachineAlreadyExists.
    expect((await sfn.send(new CreateStateMachineCommand({ name: "crud", definition: PASS, roleArn }))).stateMachineArn).toBe(stateMachineArn);
    const dup = await errorOf(sfn.send(new CreateStateMachineCommand({ name: "crud", definition: PASS, roleArn, type: "EXPRESS" })));
    expect(dup.name).toBe("StateMachineAlreadyExists");
    expect(dup.message).toBe(`State Machine Already Exists: '${stateMachineArn}'`);
    expect(await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).toMatchObject({ name: "crud", status: "ACTIVE", type: "STANDARD", definition: PASS, roleArn });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines!.map((m) => m.name)).toContain("crud");
    const updated = JSON.stringify({ StartAt: "Q", States: { Q: { Type: "Succeed" } } });
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: updated }));
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).definition).toBe(updated);
    await sfn.send(new TagResourceCommand({ resourceArn: stateMachineArn, tags: [{ key: "owner", value: "me" }] }));
    await sfn.send(new UntagResourceCommand({ resourceArn: stateMachineArn, tagKeys: ["lab"] }));
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: stateMachineArn }))).tags).toEqual([{ key: "owner", value: "me" }]);
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn }));
    const gone = await errorOf(sfn.send(new DescribeStateMachineCommand({ stateMachineArn })));
    expect(gone.name).toBe("StateMachineDoesNotExist");
    expect(gone.message).toBe(`State Machine Does Not Exist: '${stateMachineArn}'`);
    expect((await errorOf(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: "nope" })))).name).toBe("InvalidArn");
  });

  it("refuses invalid definitions with AWS's codes and a pointer to the problem", async () => {
    expect(await invalid("{not json")).toMatch(/^Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: /);
    expect(await invalid(JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" } } }))).toBe("Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: B at /States/A/Next'");
    expect(await invalid(JSON.stringify({ StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Retry: [{ IntervalSeconds: 1 }], End: true } } }))).toBe(
      "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [ErrorEquals] at /States/A/Retry[0]'",
    );
    const two = await invalid(JSON.stringify({ StartAt: "A", States: { A: { Type: "Pasz", End: true }, B: { Type: "Succeed" } } }));
    expect(two).toMatch(/^Invalid State Machine Definition: ''SCHEMA_VALIDATION_FAILED: .* at \/States\/A\/Type', 'UNREACHABLE_STATE: .* at \/States\/B''$/);
    expect(await invalid(JSON.stringify({ StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:states:::glue:startJobRun.sync", End: true } } }))).toMatch(/not supported/);
    expect(await invalid(`{"StartAt":"A","States":{"A":{"Type":"Pass","Result":${"[".repeat(5000)}${"]".repeat(5000)},"End":true}}}`)).toMatch(/nests deeper than 200 levels/);
    expect(await invalid(JSON.stringify({ QueryLanguage: "JSONata", StartAt: "A", States: { A: { Type: "Succeed" } } }))).toMatch(/JSONata/);
    expect(await invalid(JSON.stringify({ StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f", Catch: [{ ErrorEquals: ["States.ALL", "X"], Next: "A" }], End: true } } }))).toMatch(/States.ALL must appear alone/);
  });

  it("reports the same problems through ValidateStateMachineDefinition", async () => {
    const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: PASS }));
    expect(ok).toMatchObject({ result: "OK", diagnostics: [] });
    const bad = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" } } }) }));
    expect(bad.result).toBe("FAIL");
    expect(bad.diagnostics).toEqual([{ severity: "ERROR", code: "MISSING_TRANSITION_TARGET", message: "Missing 'Next' target: B", location: "/States/A/Next" }]);
  });

  it("checks the name and the role as AWS does", async () => {
    const name = await errorOf(sfn.send(new CreateStateMachineCommand({ name: "has space", definition: PASS, roleArn })));
    expect(name.name).toBe("InvalidName");
    expect(name.message).toBe("Invalid Name: 'has space'");
    const arn = await errorOf(sfn.send(new CreateStateMachineCommand({ name: "x", definition: PASS, roleArn: "not-an-arn" })));
    expect(arn.name).toBe("InvalidArn");
    const lambdaRole = await createMachineRole(iam, "not-for-states", [], "lambda.amazonaws.com");
    const trust = await errorOf(sfn.send(new CreateStateMachineCommand({ name: "x", definition: PASS, roleArn: lambdaRole })));
    expect(trust.name).toBe("AccessDeniedException");
    expect(trust.message).toBe("Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.");
  });
});

describe("EXPRESS and service integrations", () => {
  it("runs an EXPRESS machine with StartSyncExecution; STANDARD machines refuse it", async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "quick", definition: PASS, roleArn, type: "EXPRESS" }));
    const sync = new SFNClient({ ...cloud.clientConfig, disableHostPrefix: true });
    const out = await sync.send(new StartSyncExecutionCommand({ stateMachineArn, input: "{}" }));
    expect(out).toMatchObject({ status: "SUCCEEDED", output: JSON.stringify({ ok: true }), stateMachineArn });
    expect(out.executionArn).toMatch(new RegExp(`^arn:aws:states:us-east-1:${ACCOUNT}:express:quick:[0-9a-f-]{36}:[0-9a-f-]{36}$`));
    const std = await sfn.send(new CreateStateMachineCommand({ name: "std", definition: PASS, roleArn }));
    const refused = await errorOf(sync.send(new StartSyncExecutionCommand({ stateMachineArn: std.stateMachineArn })));
    expect(refused.name).toBe("StateMachineTypeNotSupported");
    sync.destroy();
  });

  it.skipIf(!hasAwsCli)("aws stepfunctions start-sync-execution works with host prefix injection off (as npm run env sets it)", async () => {
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "quick-cli", definition: PASS, roleArn, type: "EXPRESS" }));
    const out = await awsCliAsync(cloud, ["stepfunctions", "start-sync-execution", "--state-machine-arn", stateMachineArn!, "--input", "{}"], undefined, { AWS_DISABLE_HOST_PREFIX_INJECTION: "true" });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: "SUCCEEDED", output: JSON.stringify({ ok: true }) });
  });

  it("publishes to SNS, sends to SQS and writes and reads DynamoDB as the role", async () => {
    const sqs = new SQSClient(cloud.clientConfig);
    const sns = new SNSClient(cloud.clientConfig);
    const ddb = new DynamoDBClient(cloud.clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sfn-out" }));
    const queueArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:sfn-out`;
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "sfn-topic" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }));
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl,
        Attributes: { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn }] }) },
      }),
    );
    await ddb.send(new CreateTableCommand({ TableName: "sfn-items", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 0.05 } as never, { TableName: "sfn-items" });
    const definition = {
      StartAt: "Put",
      States: {
        Put: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem", Parameters: { TableName: "sfn-items", Item: { pk: { "S.$": "$.key" } } }, ResultPath: null, Next: "Get" },
        Get: { Type: "Task", Resource: "arn:aws:states:::dynamodb:getItem", Parameters: { TableName: "sfn-items", Key: { pk: { "S.$": "$.key" } } }, ResultSelector: { "pk.$": "$.Item.pk.S" }, ResultPath: "$.read", Next: "Send" },
        Send: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl, "MessageBody.$": "$" }, ResultPath: "$.sent", Next: "Publish" },
        Publish: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn, "Message.$": "States.Format('done {}', $.key)" }, End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "integrations", definition: JSON.stringify(definition), roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ key: "k1" }) }));
    const out = await finished(sfn, executionArn!);
    expect(out.status, out.cause).toBe("SUCCEEDED");
    expect(JSON.parse(out.output!)).toMatchObject({ MessageId: expect.any(String), SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: expect.any(String) } });
    const bodies: string[] = [];
    for (let i = 0; i < 5 && bodies.length < 2; i++) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
      bodies.push(...(Messages ?? []).map((m) => m.Body!));
    }
    expect(bodies).toContain("done k1");
    expect(bodies.map((b) => (b.startsWith("{") ? JSON.parse(b) : b))).toContainEqual({ key: "k1", read: { pk: "k1" } });
    const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events!.filter((e) => e.type === "TaskScheduled").map((e) => `${e.taskScheduledEventDetails!.resourceType}:${e.taskScheduledEventDetails!.resource}`)).toEqual([
      "dynamodb:putItem", "dynamodb:getItem", "sqs:sendMessage", "sns:publish",
    ]);
    for (const c of [sqs, sns, ddb]) c.destroy();
  });

  it("fails a service task the role may not call with the service's error", async () => {
    const weak = await createMachineRole(iam, "sfn-no-sns", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }]);
    const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:sfn-topic`;
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "no-sns", definition: JSON.stringify({ StartAt: "P", States: { P: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: topic, Message: "hi" }, End: true } } }), roleArn: weak }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    const out = await finished(sfn, executionArn!);
    expect(out.status).toBe("FAILED");
    expect(out.error).toBe("SNS.AuthorizationErrorException");
    expect(out.cause).toMatch(/not authorized to perform: SNS:Publish .*\(Service: AmazonSNS; Status Code: 403; Error Code: AuthorizationError; Request ID: .*; Proxy: null\)$/);
  });
});

describe("Parallel and Map", () => {
  it("runs branches and iterations with their history events", async () => {
    const definition = {
      StartAt: "Both",
      States: {
        Both: {
          Type: "Parallel",
          Branches: [
            { StartAt: "Left", States: { Left: { Type: "Pass", Result: "L", End: true } } },
            { StartAt: "Right", States: { Right: { Type: "Pass", Parameters: { "n.$": "States.ArrayLength($.items)" }, End: true } } },
          ],
          ResultPath: "$.both",
          Next: "Each",
        },
        Each: { Type: "Map", ItemsPath: "$.items", ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "Double", States: { Double: { Type: "Pass", Parameters: { "v.$": "$" }, End: true } } }, ResultPath: "$.each", End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "fan", definition: JSON.stringify(definition), roleArn }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ items: [1, 2, 3] }) }));
    const out = await finished(sfn, executionArn!);
    expect(out.status, out.cause).toBe("SUCCEEDED");
    expect(JSON.parse(out.output!)).toEqual({ items: [1, 2, 3], both: ["L", { n: 3 }], each: [{ v: 1 }, { v: 2 }, { v: 3 }] });
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(["ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted"]);
    expect(types.filter((t) => t === "MapIterationSucceeded")).toHaveLength(3);
    expect(types.slice(-3)).toEqual(["MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]);
    expect(types).toContain("ParallelStateSucceeded");
  });
});

describe.skipIf(!hasAwsCli)("the AWS CLI", () => {
  it("shows InvalidDefinition in AWS's words", async () => {
    const bad = await awsCliAsync(cloud, ["stepfunctions", "create-state-machine", "--name", "cli-bad", "--definition", '{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}', "--role-arn", roleArn]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("An error occurred (InvalidDefinition) when calling the CreateStateMachine operation: Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next'");
  });
});
