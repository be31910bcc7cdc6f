// Bounded fuzz, awsJson services (issue 11): SQS (json 1.0), EventBridge and
// CloudWatch Logs (json 1.1), DynamoDB (json 1.0, dynalite behind it) — valid
// requests per operation, mutated under fixed seeds (test/helpers/fuzz.ts).
// Asserts no 5xx, no hang, health after each batch, no guard escapes.
import { beforeAll, expect, it } from "vitest";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { DynamoDBClient, CreateTableCommand } from "@aws-sdk/client-dynamodb";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand } from "@aws-sdk/client-cloudwatch-logs";
import { cloudForFile, type TestCloud } from "../helpers/cloud.js";
import { fuzz, json, type Seed } from "../helpers/fuzz.js";

let cloud: TestCloud;
let queueUrl = "";
const queueArn = "arn:aws:sqs:us-east-1:000000000000:fuzz-q";

cloudForFile(SQSClient, async (c, sqs) => {
  cloud = c;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "fuzz-q" }))).QueueUrl!;
  const ddb = new DynamoDBClient(c.clientConfig);
  await ddb.send(new CreateTableCommand({ TableName: "fuzz-table", KeySchema: [{ AttributeName: "k", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
  ddb.destroy();
  const logs = new CloudWatchLogsClient(c.clientConfig);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/fuzz" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/fuzz", logStreamName: "s" }));
  logs.destroy();
});

const sqs = (op: string, body: Record<string, unknown>) => json("sqs", `AmazonSQS.${op}`, "1.0", body);
const events = (op: string, body: Record<string, unknown>) => json("events", `AWSEvents.${op}`, "1.1", body);
const logs = (op: string, body: Record<string, unknown>) => json("logs", `Logs_20140328.${op}`, "1.1", body);
const ddb = (op: string, body: Record<string, unknown>) => json("dynamodb", `DynamoDB_20120810.${op}`, "1.0", body);
const pattern = JSON.stringify({ source: ["app"], detail: { n: [{ numeric: [">", 1] }], f: [{ wildcard: "img/*.png" }], s: [{ prefix: { "equals-ignore-case": "A" } }], x: [{ "anything-but": { wildcard: "*tmp*" } }] } });

function sqsSeeds(): Seed[] {
  return [
    sqs("CreateQueue", { QueueName: "fuzz-made", Attributes: { VisibilityTimeout: "30", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn, maxReceiveCount: "3" }) }, tags: { a: "b" } }),
    sqs("SendMessage", { QueueUrl: queueUrl, MessageBody: "hi", DelaySeconds: 0, MessageAttributes: { a: { DataType: "String", StringValue: "v" }, b: { DataType: "Binary", BinaryValue: "AAE=" } } }),
    sqs("SendMessageBatch", { QueueUrl: queueUrl, Entries: [{ Id: "1", MessageBody: "x" }, { Id: "2", MessageBody: "y", DelaySeconds: 0 }] }),
    sqs("ReceiveMessage", { QueueUrl: queueUrl, MaxNumberOfMessages: 2, WaitTimeSeconds: 0, AttributeNames: ["All"], MessageAttributeNames: ["All"] }),
    sqs("DeleteMessage", { QueueUrl: queueUrl, ReceiptHandle: "AQEBxyz" }),
    sqs("ChangeMessageVisibility", { QueueUrl: queueUrl, ReceiptHandle: "AQEBxyz", VisibilityTimeout: 5 }),
    sqs("GetQueueAttributes", { QueueUrl: queueUrl, AttributeNames: ["All"] }),
    sqs("SetQueueAttributes", { QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: queueArn }] }), MessageRetentionPeriod: "600" } }),
    sqs("ListQueues", { QueueNamePrefix: "fuzz", MaxResults: 10 }),
    sqs("TagQueue", { QueueUrl: queueUrl, Tags: { k: "v" } }),
    sqs("GetQueueUrl", { QueueName: "fuzz-q" }),
  ];
}

function eventsSeeds(): Seed[] {
  return [
    events("PutRule", { Name: "fuzz-rule", EventPattern: pattern, State: "ENABLED" }),
    events("PutRule", { Name: "fuzz-sched", ScheduleExpression: "rate(5 minutes)" }),
    events("PutTargets", { Rule: "fuzz-rule", Targets: [{ Id: "t1", Arn: queueArn, InputTransformer: { InputPathsMap: { n: "$.detail.n", s: "$.detail.s" }, InputTemplate: '{"n": <n>, "s": "<s>"}' } }, { Id: "t2", Arn: queueArn, InputPath: "$.detail" }] }),
    events("PutEvents", { Entries: [{ Source: "app", DetailType: "t", Detail: JSON.stringify({ n: 5, f: "img/a.png", s: "abc", x: "keep" }), Resources: ["arn:aws:s3:::b"] }] }),
    events("TestEventPattern", { EventPattern: pattern, Event: JSON.stringify({ id: "1", account: "000000000000", source: "app", "detail-type": "t", time: "2024-01-01T00:00:00Z", region: "us-east-1", resources: [], detail: { n: 3 } }) }),
    events("DescribeRule", { Name: "fuzz-rule" }),
    events("ListRules", { NamePrefix: "fuzz", Limit: 5 }),
    events("ListTargetsByRule", { Rule: "fuzz-rule" }),
    events("CreateEventBus", { Name: "fuzz-bus", Tags: [{ Key: "a", Value: "b" }] }),
    events("RemoveTargets", { Rule: "fuzz-rule", Ids: ["nope"] }),
    events("TagResource", { ResourceARN: "arn:aws:events:us-east-1:000000000000:rule/fuzz-rule", Tags: [{ Key: "k", Value: "v" }] }),
  ];
}

function logsSeeds(): Seed[] {
  return [
    logs("CreateLogGroup", { logGroupName: "/fuzz/made", tags: { a: "b" } }),
    logs("PutLogEvents", { logGroupName: "/fuzz", logStreamName: "s", logEvents: [{ timestamp: 1_700_000_000_000, message: "ERROR something 42" }] }),
    logs("FilterLogEvents", { logGroupName: "/fuzz", filterPattern: '?ERROR ?WARN "quoted text"', limit: 10 }),
    logs("FilterLogEvents", { logGroupName: "/fuzz", filterPattern: "{ $.level = \"error\" && $.n > 3 }", startTime: 0 }),
    logs("FilterLogEvents", { logGroupName: "/fuzz", filterPattern: "[ip, user, ts, req = *GET*, status = 5*, bytes]", nextToken: "abc" }),
    logs("GetLogEvents", { logGroupName: "/fuzz", logStreamName: "s", startFromHead: true, limit: 5 }),
    logs("DescribeLogStreams", { logGroupName: "/fuzz", orderBy: "LastEventTime", descending: true }),
    logs("DescribeLogGroups", { logGroupNamePrefix: "/f" }),
    logs("PutRetentionPolicy", { logGroupName: "/fuzz", retentionInDays: 7 }),
    logs("CreateLogStream", { logGroupName: "/fuzz", logStreamName: "made" }),
  ];
}

function ddbSeeds(): Seed[] {
  return [
    ddb("PutItem", { TableName: "fuzz-table", Item: { k: { S: "a" }, n: { N: "1.5" }, l: { L: [{ S: "x" }, { M: { m: { BOOL: true } } }] }, ss: { SS: ["a", "b"] }, b: { B: "AAE=" } }, ConditionExpression: "attribute_not_exists(k)" }),
    ddb("GetItem", { TableName: "fuzz-table", Key: { k: { S: "a" } }, ProjectionExpression: "k, #n", ExpressionAttributeNames: { "#n": "n" } }),
    ddb("UpdateItem", { TableName: "fuzz-table", Key: { k: { S: "a" } }, UpdateExpression: "SET #n = :v ADD c :one", ExpressionAttributeNames: { "#n": "n" }, ExpressionAttributeValues: { ":v": { N: "2" }, ":one": { N: "1" } }, ReturnValues: "ALL_NEW" }),
    ddb("Query", { TableName: "fuzz-table", KeyConditionExpression: "k = :k", ExpressionAttributeValues: { ":k": { S: "a" } }, Limit: 5 }),
    ddb("Scan", { TableName: "fuzz-table", FilterExpression: "begins_with(k, :p) AND size(l) > :z", ExpressionAttributeValues: { ":p": { S: "a" }, ":z": { N: "0" } } }),
    ddb("BatchWriteItem", { RequestItems: { "fuzz-table": [{ PutRequest: { Item: { k: { S: "b" } } } }, { DeleteRequest: { Key: { k: { S: "c" } } } }] } }),
    ddb("BatchGetItem", { RequestItems: { "fuzz-table": { Keys: [{ k: { S: "a" } }, { k: { S: "b" } }] } } }),
    ddb("DeleteItem", { TableName: "fuzz-table", Key: { k: { S: "zz" } } }),
    ddb("DescribeTable", { TableName: "fuzz-table" }),
    ddb("CreateTable", { TableName: "fuzz-made", KeySchema: [{ AttributeName: "k", KeyType: "HASH" }, { AttributeName: "r", KeyType: "RANGE" }], AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }, { AttributeName: "r", AttributeType: "N" }], BillingMode: "PAY_PER_REQUEST" }),
    ddb("UpdateTimeToLive", { TableName: "fuzz-table", TimeToLiveSpecification: { Enabled: true, AttributeName: "ttl" } }),
    ddb("DescribeTimeToLive", { TableName: "fuzz-table" }),
    ddb("ListTables", { Limit: 5 }),
  ];
}

it("SQS (awsJson 1.0): 300 mutated requests, no 5xx", async () => {
  const { sent } = await fuzz(cloud.endpoint, { seeds: sqsSeeds(), seed: 11, count: 300 });
  expect(sent).toBe(300);
});

it("EventBridge (awsJson 1.1): 300 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: eventsSeeds(), seed: 12, count: 300 });
});

it("CloudWatch Logs (awsJson 1.1): 250 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: logsSeeds(), seed: 13, count: 250 });
});

it("DynamoDB (awsJson 1.0, dynalite): 300 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: ddbSeeds(), seed: 14, count: 300 });
});

it("the unmutated seeds mostly succeed, so the fuzz reaches the operations (and signatures are accepted)", async () => {
  const { signedRequest } = await import("../helpers/signed-request.js");
  const all = [...sqsSeeds(), ...eventsSeeds(), ...logsSeeds(), ...ddbSeeds()];
  const statuses = await Promise.all(all.map((s) => signedRequest(cloud.endpoint, s.request).then((r) => r.status)));
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(all.length * 0.6);
});
