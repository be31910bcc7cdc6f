// The Resource Groups Tagging API through @aws-sdk/client-resource-groups-tagging-api
// and the AWS CLI: tagged resources of S3, SQS, SNS, Lambda, DynamoDB, Logs,
// CloudWatch, Step Functions, EventBridge and Secrets Manager found by tag key,
// key and values, resource type and ARN; untagged
// ones, IAM roles and other regions' resources left out; paging one resource at
// a time; GetTagKeys/GetTagValues; AWS's InvalidParameterException; tag:* actions
// under IAM enforcement.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GetResourcesCommand,
  GetTagKeysCommand,
  GetTagValuesCommand,
  ResourceGroupsTaggingAPIClient,
  paginateGetResources,
  type GetResourcesCommandInput,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { CreateBucketCommand, PutBucketTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SNSClient, UntagResourceCommand } from "@aws-sdk/client-sns";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { CreateTableCommand, DynamoDBClient, ListTagsOfResourceCommand } from "@aws-sdk/client-dynamodb";
import { CloudWatchLogsClient, CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { awsCliAsync, errorOf, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { signedFetch } from "../helpers/signed-fetch.js";
import { createMachineRole } from "../helpers/sfn.js";
import { CreateStateMachineCommand, SFNClient } from "@aws-sdk/client-sfn";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EventBridgeClient, PutRuleCommand } from "@aws-sdk/client-eventbridge";

const ACCT = "000000000000";
const A = {
  bucket: "arn:aws:s3:::tag-photos",
  queue: `arn:aws:sqs:us-east-1:${ACCT}:tag-queue`,
  topic: `arn:aws:sns:us-east-1:${ACCT}:tag-topic`,
  fn: `arn:aws:lambda:us-east-1:${ACCT}:function:tag-fn`,
  table: `arn:aws:dynamodb:us-east-1:${ACCT}:table/tag-table`,
  group: `arn:aws:logs:us-east-1:${ACCT}:log-group:/tag/app`,
  alarm: `arn:aws:cloudwatch:us-east-1:${ACCT}:alarm:tag-alarm`,
  dropped: `arn:aws:sns:us-east-1:${ACCT}:tag-dropped`,
  machine: `arn:aws:states:us-east-1:${ACCT}:stateMachine:tag-flow`,
  rule: `arn:aws:events:us-east-1:${ACCT}:rule/tag-rule`,
  secret: "", // AWS's random suffix: set when created
};

let cloud: TestCloud;
let tagging: ResourceGroupsTaggingAPIClient;
const made: Array<{ destroy(): void }> = [];
const client = <C extends { destroy(): void }>(Client: new (c: TestCloud["clientConfig"]) => C, region = "us-east-1") => {
  const c = new Client({ ...cloud.clientConfig, region });
  made.push(c);
  return c;
};
afterAll(async () => {
  made.forEach((c) => c.destroy());
  tagging?.destroy();
  await cloud?.close();
});

beforeAll(async () => {
  cloud = await startTestCloud();
  tagging = new ResourceGroupsTaggingAPIClient(cloud.clientConfig);
  const s3 = client(S3Client);
  const sqs = client(SQSClient);
  const sns = client(SNSClient);
  const iam = client(IAMClient);
  await s3.send(new CreateBucketCommand({ Bucket: "tag-photos" }));
  await s3.send(new PutBucketTaggingCommand({ Bucket: "tag-photos", Tagging: { TagSet: [{ Key: "team", Value: "a" }, { Key: "stage", Value: "dev" }] } }));
  await s3.send(new CreateBucketCommand({ Bucket: "tag-untagged" }));
  await sqs.send(new CreateQueueCommand({ QueueName: "tag-queue", tags: { team: "b" } }));
  await sqs.send(new CreateQueueCommand({ QueueName: "plain-queue" }));
  await sns.send(new CreateTopicCommand({ Name: "tag-topic", Tags: [{ Key: "team", Value: "a" }, { Key: "stage", Value: "prod" }] }));
  // Tagged, then every tag removed.
  await sns.send(new CreateTopicCommand({ Name: "tag-dropped", Tags: [{ Key: "team", Value: "a" }] }));
  await sns.send(new UntagResourceCommand({ ResourceArn: A.dropped, TagKeys: ["team"] }));
  await createExecutionRole(iam);
  await createFunction(client(LambdaClient), "tag-fn", "export const handler = async () => 1;", { Tags: { team: "b", stage: "dev" } });
  await client(DynamoDBClient).send(new CreateTableCommand({ TableName: "tag-table", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], Tags: [{ Key: "team", Value: "c" }] }));
  await client(CloudWatchLogsClient).send(new CreateLogGroupCommand({ logGroupName: "/tag/app", tags: { team: "c" } }));
  await client(CloudWatchClient).send(new PutMetricAlarmCommand({ AlarmName: "tag-alarm", MetricName: "Errors", Namespace: "AWS/Lambda", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", Tags: [{ Key: "team", Value: "a" }] }));
  const machineRole = await createMachineRole(iam, "tag-flow-role", []);
  await client(SFNClient).send(new CreateStateMachineCommand({ name: "tag-flow", roleArn: machineRole, definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Pass", End: true } } }), tags: [{ key: "kind", value: "flow" }] }));
  await client(EventBridgeClient).send(new PutRuleCommand({ Name: "tag-rule", EventPattern: JSON.stringify({ source: ["app"] }), Tags: [{ Key: "kind", Value: "rule" }] }));
  A.secret = (await client(SecretsManagerClient).send(new CreateSecretCommand({ Name: "tag/secret", SecretString: "s", Tags: [{ Key: "kind", Value: "secret" }] }))).ARN!;
  // IAM is not covered by GetResources, tagged or not.
  await iam.send(new CreateRoleCommand({ RoleName: "tag-role", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "sts:AssumeRole" }] }), Tags: [{ Key: "team", Value: "a" }, { Key: "iam-only", Value: "x" }] }));
  // Another region's resources.
  await client(S3Client, "eu-west-1").send(new CreateBucketCommand({ Bucket: "tag-eu-bucket", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
  await client(S3Client, "eu-west-1").send(new PutBucketTaggingCommand({ Bucket: "tag-eu-bucket", Tagging: { TagSet: [{ Key: "team", Value: "a" }] } }));
  await client(SQSClient, "eu-west-1").send(new CreateQueueCommand({ QueueName: "tag-eu-queue", tags: { team: "a" } }));
});

const arns = async (input: GetResourcesCommandInput, c = tagging) => ((await c.send(new GetResourcesCommand(input))).ResourceTagMappingList ?? []).map((m) => m.ResourceARN!).sort();
const sorted = (...list: string[]) => [...list].sort();

describe("GetResources", () => {
  it("finds every tagged resource with the key, whatever its value, and nothing untagged, of IAM or of another region", async () => {
    expect(await arns({ TagFilters: [{ Key: "team" }] })).toEqual(sorted(A.bucket, A.queue, A.topic, A.fn, A.table, A.group, A.alarm));
    expect(await arns({ TagFilters: [{ Key: "iam-only" }] })).toEqual([]);
  });

  it("ORs the values of one filter and ANDs the filters", async () => {
    expect(await arns({ TagFilters: [{ Key: "team", Values: ["a"] }] })).toEqual(sorted(A.bucket, A.topic, A.alarm));
    expect(await arns({ TagFilters: [{ Key: "team", Values: ["b", "c"] }] })).toEqual(sorted(A.queue, A.fn, A.table, A.group));
    expect(await arns({ TagFilters: [{ Key: "team", Values: ["a", "b"] }, { Key: "stage", Values: ["dev"] }] })).toEqual(sorted(A.bucket, A.fn));
    expect(await arns({ TagFilters: [{ Key: "team", Values: ["a"] }, { Key: "stage" }] })).toEqual(sorted(A.bucket, A.topic));
    expect(await arns({ TagFilters: [{ Key: "team", Values: ["nobody"] }] })).toEqual([]);
  });

  it("sees a DynamoDB table's CreateTable Tags (dynalite alone drops them)", async () => {
    expect((await client(DynamoDBClient).send(new ListTagsOfResourceCommand({ ResourceArn: A.table }))).Tags).toEqual([{ Key: "team", Value: "c" }]);
  });

  it("answers each resource with all its tags as {Key, Value}", async () => {
    const out = await tagging.send(new GetResourcesCommand({ ResourceARNList: [A.fn] }));
    expect(out.ResourceTagMappingList).toEqual([{ ResourceARN: A.fn, Tags: expect.arrayContaining([{ Key: "team", Value: "b" }, { Key: "stage", Value: "dev" }]) }]);
    expect(out.ResourceTagMappingList![0]!.Tags).toHaveLength(2);
  });

  it("filters by service or service:type", async () => {
    expect(await arns({ ResourceTypeFilters: ["s3"] })).toEqual([A.bucket]);
    expect(await arns({ ResourceTypeFilters: ["lambda:function", "dynamodb:table"] })).toEqual(sorted(A.fn, A.table));
    expect(await arns({ ResourceTypeFilters: ["sqs"], TagFilters: [{ Key: "team" }] })).toEqual([A.queue]);
    expect(await arns({ ResourceTypeFilters: ["cloudwatch:alarm", "logs:log-group", "sns:topic"] })).toEqual(sorted(A.alarm, A.group, A.topic));
    expect(await arns({ ResourceTypeFilters: ["lambda:layer", "ec2"] })).toEqual([]);
    expect(await arns({ ResourceTypeFilters: ["states:stateMachine", "events", "secretsmanager:secret"] })).toEqual(sorted(A.machine, A.rule, A.secret));
    expect(await arns({ TagFilters: [{ Key: "kind" }] })).toEqual(sorted(A.machine, A.rule, A.secret));
  });

  it("leaves out a resource whose tags were all removed", async () => {
    expect(await arns({ TagFilters: [{ Key: "team" }] })).not.toContain(A.dropped);
    expect(await arns({ ResourceTypeFilters: ["sns"] })).toEqual([A.topic]);
  });

  it("answers a ResourceARNList with the tagged resources it names, ignoring the rest", async () => {
    expect(await arns({ ResourceARNList: [A.queue, A.alarm, `arn:aws:sqs:us-east-1:${ACCT}:plain-queue`, `arn:aws:sqs:us-east-1:${ACCT}:no-such-queue`] })).toEqual(sorted(A.queue, A.alarm));
  });

  it("lists only the caller's region: eu-west-1 sees its own bucket and queue", async () => {
    const eu = client(ResourceGroupsTaggingAPIClient, "eu-west-1");
    try {
      expect(await arns({ TagFilters: [{ Key: "team" }] }, eu)).toEqual(sorted("arn:aws:s3:::tag-eu-bucket", `arn:aws:sqs:eu-west-1:${ACCT}:tag-eu-queue`));
    } finally {
    }
  });

  it("pages one resource at a time through every result exactly once; the last token is empty", async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateGetResources({ client: tagging, pageSize: 1 }, { TagFilters: [{ Key: "team" }] })) {
      pages++;
      expect(page.ResourceTagMappingList!.length).toBeLessThanOrEqual(1);
      seen.push(...page.ResourceTagMappingList!.map((m) => m.ResourceARN!));
    }
    expect(seen.sort()).toEqual(sorted(A.bucket, A.queue, A.topic, A.fn, A.table, A.group, A.alarm));
    expect(pages).toBeGreaterThanOrEqual(7);
    const last = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: "team" }], ResourcesPerPage: 100 }));
    expect(last.PaginationToken).toBe("");
  });

  it("refuses bad and conflicting parameters with InvalidParameterException", async () => {
    const cases: GetResourcesCommandInput[] = [
      { ResourcesPerPage: 0 },
      { ResourcesPerPage: 101 },
      { TagsPerPage: 50 },
      { TagFilters: [{ Key: "team" }], ResourceARNList: [A.queue] },
      { ResourceTypeFilters: ["s3"], ResourceARNList: [A.bucket] },
      { ResourceARNList: [A.queue], ResourcesPerPage: 5 },
      { ResourceARNList: ["not-an-arn"] },
      { TagFilters: [{ Key: "" }] },
      { TagFilters: [{ Key: "team", Values: Array.from({ length: 21 }, (_, i) => `v${i}`) }] },
      { ResourceTypeFilters: ["Not A Type"] },
      { PaginationToken: "garbage" },
      { ExcludeCompliantResources: true },
    ];
    for (const input of cases) {
      const err = await errorOf(tagging.send(new GetResourcesCommand(input)));
      expect(err.name, JSON.stringify(input)).toBe("InvalidParameterException");
      expect(err.$metadata.httpStatusCode).toBe(400);
    }
  });
});

describe("malformed bodies", () => {
  it("get a 400, never a 5xx", async () => {
    const bodies: Array<[string, unknown]> = [
      ["GetResources", { TagFilters: "team" }],
      ["GetResources", { TagFilters: [null] }],
      ["GetResources", { TagFilters: [{ Key: 7 }] }],
      ["GetResources", { TagFilters: [{ Key: "team", Values: [null] }] }],
      ["GetResources", { ResourcesPerPage: "many" }],
      ["GetResources", { ResourceARNList: [] }],
      ["GetResources", { ResourceTypeFilters: [["s3"]] }],
      ["GetResources", { PaginationToken: 12 }],
      ["GetTagValues", { Key: { nested: true } }],
      ["TagResources", { ResourceARNList: [A.queue], Tags: { a: "b" } }],
    ];
    for (const [operation, body] of bodies) {
      const res = await signedFetch(cloud.endpoint, {
        method: "POST",
        headers: {
          "x-amz-target": `ResourceGroupsTaggingAPI_20170126.${operation}`,
          "content-type": "application/x-amz-json-1.1",
          authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/tagging/aws4_request, SignedHeaders=host, Signature=abc",
        },
        body: JSON.stringify(body),
      });
      expect(res.status, `${operation} ${JSON.stringify(body)}: ${await res.text()}`).toBe(400);
    }
  });
});

describe("GetTagKeys and GetTagValues", () => {
  it("list the keys in use, and a key's values, sorted", async () => {
    const keys = (await tagging.send(new GetTagKeysCommand({}))).TagKeys;
    expect(keys).toEqual(["kind", "stage", "team"]); // not the IAM role's "iam-only"
    expect((await tagging.send(new GetTagValuesCommand({ Key: "team" }))).TagValues).toEqual(["a", "b", "c"]);
    expect((await tagging.send(new GetTagValuesCommand({ Key: "stage" }))).TagValues).toEqual(["dev", "prod"]);
    expect((await tagging.send(new GetTagValuesCommand({ Key: "unused" }))).TagValues).toEqual([]);
  });

  it("GetTagValues without a Key is an InvalidParameterException", async () => {
    expect((await errorOf(tagging.send(new GetTagValuesCommand({} as { Key: string })))).name).toBe("InvalidParameterException");
  });
});

describe("IAM", () => {
  it("checks tag:GetResources and tag:GetTagKeys on * for a role session", async () => {
    const iam = client(IAMClient);
    const sts = client(STSClient);
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "sts:AssumeRole" }] });
    await iam.send(new CreateRoleCommand({ RoleName: "tag-reader", AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "tag-reader", PolicyName: "read", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "tag:GetResources", Resource: "*" }] }) }));
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/tag-reader`, RoleSessionName: "reader" }))).Credentials!;
    const asRole = new ResourceGroupsTaggingAPIClient({ ...cloud.clientConfig, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    try {
      expect(await arns({ TagFilters: [{ Key: "team", Values: ["b"] }] }, asRole)).toEqual(sorted(A.queue, A.fn));
      const denied = await errorOf(asRole.send(new GetTagKeysCommand({})));
      expect(denied.name).toBe("AccessDeniedException");
      expect(denied.message).toMatch(/not authorized to perform: tag:GetTagKeys on resource: \*/);
    } finally {
      asRole.destroy();
    }
  });
});

describe.skipIf(!hasAwsCli)("AWS CLI", () => {
  it("aws resourcegroupstaggingapi get-resources --tag-filters", async () => {
    const r = await awsCliAsync(cloud, ["resourcegroupstaggingapi", "get-resources", "--tag-filters", "Key=team,Values=c", "--output", "json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ResourceTagMappingList: Array<{ ResourceARN: string; Tags: Array<{ Key: string; Value: string }> }> };
    expect(out.ResourceTagMappingList.map((m) => m.ResourceARN).sort()).toEqual(sorted(A.table, A.group));
    expect(out.ResourceTagMappingList[0]!.Tags).toEqual([{ Key: "team", Value: "c" }]);
    const keys = await awsCliAsync(cloud, ["resourcegroupstaggingapi", "get-tag-keys", "--output", "json"]);
    expect(JSON.parse(keys.stdout)).toMatchObject({ TagKeys: ["kind", "stage", "team"] });
  });
});

describe("after a restart", () => {
  it("finds the same tagged resources (DynamoDB's read from its data directory without a request first)", async () => {
    const before = await arns({ TagFilters: [{ Key: "team" }] });
    tagging.destroy();
    cloud = await cloud.restart();
    tagging = new ResourceGroupsTaggingAPIClient(cloud.clientConfig);
    expect(await arns({ TagFilters: [{ Key: "team" }] })).toEqual(before);
    expect(before).toContain(A.table);
  });
});
