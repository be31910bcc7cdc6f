/**
 * The request-to-action map (src/cloud/policy/actions/): for operations of
 * every service, the IAM action, the resource ARN(s) and the condition keys
 * it supplies, from the input the protocol layer hands to authorize().
 */
import { describe, expect, it } from "vitest";
import { actionsFor, parseCopySource, functionArn, queueArnFromUrl } from "../../src/cloud/policy/actions/index.js";

const where = { region: "us-east-1", account: "000000000000" };
const map = (service: string, operation: string, input: Record<string, unknown> = {}) => actionsFor({ service, operation, input }, where);
const pairs = (service: string, operation: string, input: Record<string, unknown> = {}) => map(service, operation, input).checks.map((c) => `${c.action} ${c.resource}`);

describe("S3", () => {
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ["GetObject", { Bucket: "b", Key: "a/k.jpg" }, ["s3:GetObject arn:aws:s3:::b/a/k.jpg"]],
    ["HeadObject", { Bucket: "b", Key: "k" }, ["s3:GetObject arn:aws:s3:::b/k"]],
    ["GetObject", { Bucket: "b", Key: "k", VersionId: "v1" }, ["s3:GetObjectVersion arn:aws:s3:::b/k"]],
    ["PutObject", { Bucket: "b", Key: "out/x" }, ["s3:PutObject arn:aws:s3:::b/out/x"]],
    ["ListObjectsV2", { Bucket: "b" }, ["s3:ListBucket arn:aws:s3:::b"]],
    ["ListObjects", { Bucket: "b" }, ["s3:ListBucket arn:aws:s3:::b"]],
    ["HeadBucket", { Bucket: "b" }, ["s3:ListBucket arn:aws:s3:::b"]],
    ["ListBuckets", {}, ["s3:ListAllMyBuckets *"]],
    ["PutObjectTagging", { Bucket: "b", Key: "k" }, ["s3:PutObjectTagging arn:aws:s3:::b/k"]],
    // The operations of issue 12 (Service Authorization Reference names).
    ["PutObjectAcl", { Bucket: "b", Key: "k" }, ["s3:PutObjectAcl arn:aws:s3:::b/k"]],
    ["GetObjectAcl", { Bucket: "b", Key: "k", VersionId: "v" }, ["s3:GetObjectVersionAcl arn:aws:s3:::b/k"]],
    ["RestoreObject", { Bucket: "b", Key: "k" }, ["s3:RestoreObject arn:aws:s3:::b/k"]],
    ["PutBucketLifecycleConfiguration", { Bucket: "b" }, ["s3:PutLifecycleConfiguration arn:aws:s3:::b"]],
    ["GetBucketLifecycleConfiguration", { Bucket: "b" }, ["s3:GetLifecycleConfiguration arn:aws:s3:::b"]],
    ["DeleteBucketLifecycle", { Bucket: "b" }, ["s3:PutLifecycleConfiguration arn:aws:s3:::b"]],
    ["PutBucketOwnershipControls", { Bucket: "b" }, ["s3:PutBucketOwnershipControls arn:aws:s3:::b"]],
    ["DeleteBucketOwnershipControls", { Bucket: "b" }, ["s3:PutBucketOwnershipControls arn:aws:s3:::b"]],
    ["GetPublicAccessBlock", { Bucket: "b" }, ["s3:GetBucketPublicAccessBlock arn:aws:s3:::b"]],
    ["DeletePublicAccessBlock", { Bucket: "b" }, ["s3:PutBucketPublicAccessBlock arn:aws:s3:::b"]],
    ["DeleteObject", { Bucket: "b", Key: "k", VersionId: "v" }, ["s3:DeleteObjectVersion arn:aws:s3:::b/k"]],
    ["DeleteObjects", { Bucket: "b", Delete: { Objects: [{ Key: "x" }, { Key: "y/z" }] } }, ["s3:DeleteObject arn:aws:s3:::b/x", "s3:DeleteObject arn:aws:s3:::b/y/z"]],
    ["DeleteObjects", { Bucket: "b" }, ["s3:DeleteObject arn:aws:s3:::b/*"]],
    ["CopyObject", { Bucket: "dst", Key: "t", CopySource: "src/a%20b.jpg" }, ["s3:GetObject arn:aws:s3:::src/a b.jpg", "s3:PutObject arn:aws:s3:::dst/t"]],
    ["UploadPartCopy", { Bucket: "dst", Key: "t", CopySource: "/src/k?versionId=v9" }, ["s3:GetObjectVersion arn:aws:s3:::src/k", "s3:PutObject arn:aws:s3:::dst/t"]],
    ["CreateMultipartUpload", { Bucket: "b", Key: "k" }, ["s3:PutObject arn:aws:s3:::b/k"]],
    ["UploadPart", { Bucket: "b", Key: "k" }, ["s3:PutObject arn:aws:s3:::b/k"]],
    ["CompleteMultipartUpload", { Bucket: "b", Key: "k" }, ["s3:PutObject arn:aws:s3:::b/k"]],
    ["AbortMultipartUpload", { Bucket: "b", Key: "k" }, ["s3:AbortMultipartUpload arn:aws:s3:::b/k"]],
    ["ListParts", { Bucket: "b", Key: "k" }, ["s3:ListMultipartUploadParts arn:aws:s3:::b/k"]],
    ["PutBucketNotificationConfiguration", { Bucket: "b" }, ["s3:PutBucketNotification arn:aws:s3:::b"]],
    ["GetBucketNotificationConfiguration", { Bucket: "b" }, ["s3:GetBucketNotification arn:aws:s3:::b"]],
    ["PutBucketPolicy", { Bucket: "b" }, ["s3:PutBucketPolicy arn:aws:s3:::b"]],
    ["CreateBucket", { Bucket: "b" }, ["s3:CreateBucket arn:aws:s3:::b"]],
    ["DeleteBucketCors", { Bucket: "b" }, ["s3:PutBucketCORS arn:aws:s3:::b"]],
  ];
  it.each(cases)("%s %j", (operation, input, expected) => {
    expect(pairs("s3", operation, input)).toEqual(expected);
  });

  it("ListObjectsV2 supplies s3:prefix, s3:delimiter and s3:max-keys when sent", () => {
    const [check] = map("s3", "ListObjectsV2", { Bucket: "b", Prefix: "uploads/", Delimiter: "/", MaxKeys: 10 }).checks;
    expect(check!.context).toEqual({ "s3:prefix": "uploads/", "s3:delimiter": "/", "s3:max-keys": "10" });
  });

  it("parses copy sources", () => {
    expect(parseCopySource("/b/k%2Fx?versionId=3")).toEqual({ bucket: "b", key: "k/x", versionId: "3" });
    expect(parseCopySource("nokey")).toBeUndefined();
  });
});

describe("SQS, SNS", () => {
  const q = "arn:aws:sqs:us-east-1:000000000000:jobs";
  it.each([
    ["SendMessage", { QueueUrl: "http://127.0.0.1:4566/000000000000/jobs" }, [`sqs:SendMessage ${q}`]],
    ["SendMessageBatch", { QueueUrl: "http://localhost:4566/000000000000/jobs" }, [`sqs:SendMessage ${q}`]],
    ["DeleteMessageBatch", { QueueUrl: "http://localhost:4566/000000000000/jobs" }, [`sqs:DeleteMessage ${q}`]],
    ["ChangeMessageVisibilityBatch", { QueueUrl: "http://localhost:4566/000000000000/jobs" }, [`sqs:ChangeMessageVisibility ${q}`]],
    ["ReceiveMessage", { QueueUrl: "https://sqs.eu-west-1.amazonaws.com/000000000000/jobs" }, ["sqs:ReceiveMessage arn:aws:sqs:eu-west-1:000000000000:jobs"]],
    ["CreateQueue", { QueueName: "jobs" }, [`sqs:CreateQueue ${q}`]],
    ["GetQueueUrl", { QueueName: "jobs" }, [`sqs:GetQueueUrl ${q}`]],
  ] as Array<[string, Record<string, unknown>, string[]]>)("sqs %s", (operation, input, expected) => {
    expect(pairs("sqs", operation, input)).toEqual(expected);
  });

  const t = "arn:aws:sns:us-east-1:000000000000:done";
  it.each([
    ["Publish", { TopicArn: t }, [`sns:Publish ${t}`]],
    ["PublishBatch", { TopicArn: t }, [`sns:Publish ${t}`]],
    ["Subscribe", { TopicArn: t, Protocol: "sqs" }, [`sns:Subscribe ${t}`]],
    ["Unsubscribe", { SubscriptionArn: `${t}:0b6c4c5e-1234` }, [`sns:Unsubscribe ${t}`]],
    ["CreateTopic", { Name: "done" }, [`sns:CreateTopic ${t}`]],
    ["ListTopics", {}, ["sns:ListTopics *"]],
  ] as Array<[string, Record<string, unknown>, string[]]>)("sns %s", (operation, input, expected) => {
    expect(pairs("sns", operation, input)).toEqual(expected);
  });

  it("reads queue URLs", () => {
    expect(queueArnFromUrl("http://h:1/123456789012/q?x=1", where)).toBe("arn:aws:sqs:us-east-1:123456789012:q");
    expect(queueArnFromUrl("not a url", where)).toBeUndefined();
  });
});

describe("Lambda", () => {
  const f = "arn:aws:lambda:us-east-1:000000000000:function:thumb";
  it.each([
    ["Invoke", { FunctionName: "thumb" }, [`lambda:InvokeFunction ${f}`]],
    ["Invoke", { FunctionName: f }, [`lambda:InvokeFunction ${f}`]],
    ["Invoke", { FunctionName: "000000000000:function:thumb" }, [`lambda:InvokeFunction ${f}`]],
    ["Invoke", { FunctionName: "thumb", Qualifier: "prod" }, [`lambda:InvokeFunction ${f}:prod`]],
    ["Invoke", { FunctionName: "thumb:$LATEST" }, [`lambda:InvokeFunction ${f}`]],
    ["GetFunction", { FunctionName: "thumb" }, [`lambda:GetFunction ${f}`]],
    ["AddPermission", { FunctionName: "thumb" }, [`lambda:AddPermission ${f}`]],
    ["ListFunctions", {}, ["lambda:ListFunctions *"]],
    [
      "CreateFunction",
      { FunctionName: "thumb", Role: "arn:aws:iam::000000000000:role/r" },
      [`lambda:CreateFunction ${f}`, "iam:PassRole arn:aws:iam::000000000000:role/r"],
    ],
  ] as Array<[string, Record<string, unknown>, string[]]>)("%s %j", (operation, input, expected) => {
    expect(pairs("lambda", operation, input)).toEqual(expected);
  });

  it("CreateFunction's iam:PassRole carries iam:PassedToService", () => {
    const checks = map("lambda", "CreateFunction", { FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r" }).checks;
    expect(checks[1]!.context).toEqual({ "iam:PassedToService": "lambda.amazonaws.com" });
  });

  it("CreateEventSourceMapping is on \"*\" with the function in lambda:FunctionArn, as AWS authorizes it", () => {
    const checks = map("lambda", "CreateEventSourceMapping", { FunctionName: "thumb", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:q" }).checks;
    expect(checks).toEqual([{ action: "lambda:CreateEventSourceMapping", resource: "*", context: { "lambda:FunctionArn": f } }]);
  });

  it("Update/DeleteEventSourceMapping carry the mapping's function in lambda:FunctionArn (and a moved-to one is checked too); Get carries none", () => {
    const uuid = "5e3518fd-d44e-4418-a05c-b1fbd6ae293e";
    const esm = `arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${uuid}`;
    const other = "arn:aws:lambda:us-east-1:000000000000:function:other";
    const at = { ...where, mappingFunction: (id: string) => (id === uuid ? f : undefined) };
    const checks = (operation: string, input: Record<string, unknown>) => actionsFor({ service: "lambda", operation, input }, at).checks;
    expect(checks("DeleteEventSourceMapping", { UUID: uuid })).toEqual([{ action: "lambda:DeleteEventSourceMapping", resource: esm, context: { "lambda:FunctionArn": f } }]);
    expect(checks("UpdateEventSourceMapping", { UUID: uuid, BatchSize: 5 })).toEqual([{ action: "lambda:UpdateEventSourceMapping", resource: esm, context: { "lambda:FunctionArn": f } }]);
    expect(checks("UpdateEventSourceMapping", { UUID: uuid, FunctionName: "other" })).toEqual([
      { action: "lambda:UpdateEventSourceMapping", resource: esm, context: { "lambda:FunctionArn": f } },
      { action: "lambda:UpdateEventSourceMapping", resource: esm, context: { "lambda:FunctionArn": other } },
    ]);
    expect(checks("GetEventSourceMapping", { UUID: uuid })).toEqual([{ action: "lambda:GetEventSourceMapping", resource: esm }]);
  });

  it("names function ARNs", () => {
    expect(functionArn("arn:aws:lambda:eu-west-1:111111111111:function:x:3", where)).toBe("arn:aws:lambda:eu-west-1:111111111111:function:x:3");
  });
});

describe("DynamoDB, Logs, EventBridge, IAM, STS", () => {
  const table = (n: string) => `arn:aws:dynamodb:us-east-1:000000000000:table/${n}`;
  it.each([
    ["dynamodb", "PutItem", { TableName: "ImageMetadata" }, [`dynamodb:PutItem ${table("ImageMetadata")}`]],
    ["dynamodb", "Query", { TableName: "T", IndexName: "byDate" }, [`dynamodb:Query ${table("T")}/index/byDate`]],
    ["dynamodb", "BatchWriteItem", { RequestItems: { A: [], B: [] } }, [`dynamodb:BatchWriteItem ${table("A")}`, `dynamodb:BatchWriteItem ${table("B")}`]],
    ["dynamodb", "TransactWriteItems", { TransactItems: [{ Put: { TableName: "A" } }, { Delete: { TableName: "B" } }] }, [`dynamodb:PutItem ${table("A")}`, `dynamodb:DeleteItem ${table("B")}`]],
    ["dynamodb", "ListTables", {}, ["dynamodb:ListTables *"]],
    ["logs", "PutLogEvents", { logGroupName: "/aws/lambda/f", logStreamName: "s" }, ["logs:PutLogEvents arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:s"]],
    ["logs", "CreateLogGroup", { logGroupName: "/aws/lambda/f" }, ["logs:CreateLogGroup arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f"]],
    ["events", "PutEvents", { Entries: [{ Source: "app", DetailType: "x" }, { Source: "app", EventBusName: "orders" }] }, ["events:PutEvents arn:aws:events:us-east-1:000000000000:event-bus/default", "events:PutEvents arn:aws:events:us-east-1:000000000000:event-bus/orders"]],
    ["events", "PutRule", { Name: "r" }, ["events:PutRule arn:aws:events:us-east-1:000000000000:rule/r"]],
    ["events", "PutTargets", { Rule: "r", EventBusName: "orders" }, ["events:PutTargets arn:aws:events:us-east-1:000000000000:rule/orders/r"]],
    ["iam", "PutRolePolicy", { RoleName: "r" }, ["iam:PutRolePolicy arn:aws:iam::000000000000:role/r"]],
    ["iam", "CreatePolicy", { PolicyName: "p" }, ["iam:CreatePolicy arn:aws:iam::000000000000:policy/p"]],
    ["sts", "AssumeRole", { RoleArn: "arn:aws:iam::000000000000:role/r" }, ["sts:AssumeRole arn:aws:iam::000000000000:role/r"]],
  ] as Array<[string, string, Record<string, unknown>, string[]]>)("%s %s", (service, operation, input, expected) => {
    expect(pairs(service, operation, input)).toEqual(expected);
  });

  it("PutEvents supplies events:source and events:detail-type", () => {
    const [check] = map("events", "PutEvents", { Entries: [{ Source: "app.orders", DetailType: "Order Placed" }] }).checks;
    expect(check!.context).toEqual({ "events:source": "app.orders", "events:detail-type": "Order Placed" });
  });

  it("iam:PermissionsBoundary is the boundary CreateRole/PutRolePermissionsBoundary set, or the role's own for the role-policy actions", () => {
    const b = "arn:aws:iam::000000000000:policy/b";
    expect(map("iam", "CreateRole", { RoleName: "r", PermissionsBoundary: b }).checks[0]!.context).toEqual({ "iam:PermissionsBoundary": b });
    expect(map("iam", "CreateRole", { RoleName: "r" }).checks[0]!.context).toBeUndefined();
    expect(map("iam", "PutRolePermissionsBoundary", { RoleName: "r", PermissionsBoundary: b }).guessed).toBe(false);
    const withRole = (operation: string, input: Record<string, unknown>) =>
      actionsFor({ service: "iam", operation, input }, { ...where, roleBoundary: (name) => (name === "r" ? b : undefined) }).checks[0]!.context;
    for (const op of ["DeleteRolePermissionsBoundary", "PutRolePolicy", "DeleteRolePolicy"]) expect(withRole(op, { RoleName: "r" })).toEqual({ "iam:PermissionsBoundary": b });
    expect(withRole("AttachRolePolicy", { RoleName: "r", PolicyArn: "arn:aws:iam::aws:policy/X" })).toEqual({ "iam:PermissionsBoundary": b, "iam:PolicyARN": "arn:aws:iam::aws:policy/X" });
    expect(withRole("PutRolePolicy", { RoleName: "other" })).toBeUndefined();
  });

  it("sts:GetCallerIdentity is always allowed", () => {
    expect(map("sts", "GetCallerIdentity")).toEqual({ checks: [], alwaysAllowed: true });
  });

  it("an operation missing from the table is mapped to prefix:Operation and flagged", () => {
    expect(map("dynamodb", "DescribeContributorInsights", { TableName: "T" })).toEqual({
      checks: [{ action: "dynamodb:DescribeContributorInsights", resource: table("T") }],
      guessed: true,
    });
    expect(map("sqs", "FutureOperation", {}).guessed).toBe(true);
    expect(map("sqs", "SendMessage", {}).guessed).toBe(false);
  });
});

describe("Step Functions and EventBridge archives/replays", () => {
  const sm = "arn:aws:states:us-east-1:000000000000:stateMachine:flow";
  it.each([
    ["states", "CreateStateMachine", { name: "flow", roleArn: "arn:aws:iam::000000000000:role/r" }, [`states:CreateStateMachine ${sm}`, "iam:PassRole arn:aws:iam::000000000000:role/r"]],
    ["states", "StartExecution", { stateMachineArn: sm }, [`states:StartExecution ${sm}`]],
    ["states", "GetExecutionHistory", { executionArn: `${sm.replace("stateMachine", "execution")}:e1` }, ["states:GetExecutionHistory arn:aws:states:us-east-1:000000000000:execution:flow:e1"]],
    ["states", "ListStateMachines", {}, ["states:ListStateMachines *"]],
    ["events", "CreateArchive", { ArchiveName: "a" }, ["events:CreateArchive arn:aws:events:us-east-1:000000000000:archive/a"]],
    ["events", "StartReplay", { ReplayName: "r" }, ["events:StartReplay arn:aws:events:us-east-1:000000000000:replay/r"]],
  ] as Array<[string, string, Record<string, unknown>, string[]]>)("%s %s", (service, operation, input, expected) => {
    expect(pairs(service, operation, input)).toEqual(expected);
    expect(map(service, operation, input).guessed).toBeFalsy();
  });

  it("passes the role to states.amazonaws.com", () => {
    const [, pass] = map("states", "CreateStateMachine", { name: "flow", roleArn: "arn:aws:iam::000000000000:role/r" }).checks;
    expect(pass!.context).toEqual({ "iam:PassedToService": "states.amazonaws.com" });
  });
});
