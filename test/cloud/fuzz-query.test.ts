// Bounded fuzz, awsQuery services (issue 11): SQS's query protocol, SNS, IAM
// and STS — form-encoded valid requests per operation, mutated under fixed
// seeds (test/helpers/fuzz.ts). Asserts no 5xx, no hang, health after each
// batch, no guard escapes.
import { expect, it } from "vitest";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { cloudForFile, type TestCloud } from "../helpers/cloud.js";
import { form, fuzz, type Seed } from "../helpers/fuzz.js";
import { signedRequest } from "../helpers/signed-request.js";

let cloud: TestCloud;
let queueUrl = "";
let topicArn = "";
const queueArn = "arn:aws:sqs:us-east-1:000000000000:fuzz-q";
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*", "sqs:*"], Resource: ["arn:aws:s3:::b/*", "*"], Condition: { StringLike: { "s3:prefix": ["home/${aws:username}/*"] } } }] });

cloudForFile(SQSClient, async (c, sqs) => {
  cloud = c;
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "fuzz-q" }))).QueueUrl!;
  const topic = await signedRequest(c.endpoint, form("sns", { Action: "CreateTopic", Name: "fuzz-topic", Version: "2010-03-31" }).request);
  topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(topic.body)![1]!;
  await signedRequest(c.endpoint, form("iam", { Action: "CreateRole", RoleName: "fuzz-role", AssumeRolePolicyDocument: trust, Version: "2010-05-08" }).request);
});

const sqs = (params: Record<string, string>) => form("sqs", { Version: "2012-11-05", ...params });
const sns = (params: Record<string, string>) => form("sns", { Version: "2010-03-31", ...params });
const iam = (params: Record<string, string>) => form("iam", { Version: "2010-05-08", ...params });
const sts = (params: Record<string, string>) => form("sts", { Version: "2011-06-15", ...params });

function sqsSeeds(): Seed[] {
  return [
    sqs({ Action: "SendMessage", QueueUrl: queueUrl, MessageBody: "hello", "MessageAttribute.1.Name": "a", "MessageAttribute.1.Value.DataType": "Number", "MessageAttribute.1.Value.StringValue": "12" }),
    sqs({ Action: "ReceiveMessage", QueueUrl: queueUrl, MaxNumberOfMessages: "2", WaitTimeSeconds: "0", "AttributeName.1": "All" }),
    sqs({ Action: "CreateQueue", QueueName: "fuzz-made", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "10", "Tag.1.Key": "a", "Tag.1.Value": "b" }),
    sqs({ Action: "SetQueueAttributes", QueueUrl: queueUrl, "Attribute.1.Name": "RedrivePolicy", "Attribute.1.Value": JSON.stringify({ deadLetterTargetArn: queueArn, maxReceiveCount: 2 }) }),
    sqs({ Action: "GetQueueAttributes", QueueUrl: queueUrl, "AttributeName.1": "All" }),
    sqs({ Action: "SendMessageBatch", QueueUrl: queueUrl, "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "x" }),
    sqs({ Action: "DeleteMessageBatch", QueueUrl: queueUrl, "DeleteMessageBatchRequestEntry.1.Id": "a", "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "zzz" }),
    sqs({ Action: "ListQueues", QueueNamePrefix: "fuzz" }),
    sqs({ Action: "AddPermission", QueueUrl: queueUrl, Label: "l", "AWSAccountId.1": "111122223333", "ActionName.1": "SendMessage" }),
  ];
}

function snsSeeds(): Seed[] {
  return [
    sns({ Action: "Publish", TopicArn: topicArn, Message: "hi", Subject: "s", "MessageAttributes.entry.1.Name": "k", "MessageAttributes.entry.1.Value.DataType": "String.Array", "MessageAttributes.entry.1.Value.StringValue": '["a","b"]' }),
    sns({ Action: "Publish", TopicArn: topicArn, MessageStructure: "json", Message: JSON.stringify({ default: "d", sqs: "q" }) }),
    sns({ Action: "Subscribe", TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn, "Attributes.entry.1.key": "FilterPolicy", "Attributes.entry.1.value": JSON.stringify({ k: [{ prefix: "a" }, { numeric: [">", 1] }], $or: [{ a: ["x"] }, { b: [{ exists: true }] }] }), "Attributes.entry.2.key": "RawMessageDelivery", "Attributes.entry.2.value": "true" }),
    sns({ Action: "SetTopicAttributes", TopicArn: topicArn, AttributeName: "Policy", AttributeValue: policy }),
    sns({ Action: "GetTopicAttributes", TopicArn: topicArn }),
    sns({ Action: "CreateTopic", Name: "made", "Attributes.entry.1.key": "FifoTopic", "Attributes.entry.1.value": "false", "Tags.member.1.Key": "a", "Tags.member.1.Value": "b" }),
    sns({ Action: "ListSubscriptionsByTopic", TopicArn: topicArn, NextToken: "abc" }),
    sns({ Action: "PublishBatch", TopicArn: topicArn, "PublishBatchRequestEntries.member.1.Id": "1", "PublishBatchRequestEntries.member.1.Message": "m" }),
    sns({ Action: "ListTopics" }),
  ];
}

function iamSeeds(): Seed[] {
  return [
    iam({ Action: "CreateRole", RoleName: "made-role", AssumeRolePolicyDocument: trust, MaxSessionDuration: "3600", Path: "/x/" }),
    iam({ Action: "PutRolePolicy", RoleName: "fuzz-role", PolicyName: "p", PolicyDocument: policy }),
    iam({ Action: "CreatePolicy", PolicyName: "made-policy", PolicyDocument: policy }),
    iam({ Action: "AttachRolePolicy", RoleName: "fuzz-role", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }),
    iam({ Action: "GetRole", RoleName: "fuzz-role" }),
    iam({ Action: "ListRoles", PathPrefix: "/", MaxItems: "5" }),
    iam({ Action: "GetRolePolicy", RoleName: "fuzz-role", PolicyName: "p" }),
    iam({ Action: "ListAttachedRolePolicies", RoleName: "fuzz-role" }),
    iam({ Action: "UpdateAssumeRolePolicy", RoleName: "fuzz-role", PolicyDocument: trust }),
    iam({ Action: "TagRole", RoleName: "fuzz-role", "Tags.member.1.Key": "k", "Tags.member.1.Value": "v" }),
  ];
}

function stsSeeds(): Seed[] {
  return [
    sts({ Action: "AssumeRole", RoleArn: "arn:aws:iam::000000000000:role/fuzz-role", RoleSessionName: "s", DurationSeconds: "900", Policy: policy, "Tags.member.1.Key": "k", "Tags.member.1.Value": "v" }),
    sts({ Action: "GetCallerIdentity" }),
    sts({ Action: "GetSessionToken", DurationSeconds: "900" }),
  ];
}

it("SQS (awsQuery): 250 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: sqsSeeds(), seed: 21, count: 250 });
});

it("SNS (awsQuery): 250 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: snsSeeds(), seed: 22, count: 250 });
});

it("IAM (awsQuery): 250 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: iamSeeds(), seed: 23, count: 250 });
});

it("STS (awsQuery): 150 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: stsSeeds(), seed: 24, count: 150 });
});

it("the unmutated seeds mostly succeed, so the fuzz reaches the operations", async () => {
  const all = [...sqsSeeds(), ...snsSeeds(), ...iamSeeds(), ...stsSeeds()];
  const statuses: number[] = [];
  for (const s of all) statuses.push((await signedRequest(cloud.endpoint, s.request)).status);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(all.length * 0.6);
});
