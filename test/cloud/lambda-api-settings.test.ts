// The Lambda API's per-function settings through the real SDK: the resource
// policy (AddPermission / GetPolicy / RemovePermission in AWS's exact shape
// and errors), async invoke configuration, reserved concurrency (0 throttles),
// recursion config and tags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddPermissionCommand,
  DeleteFunctionConcurrencyCommand,
  DeleteFunctionEventInvokeConfigCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionEventInvokeConfigCommand,
  GetFunctionRecursionConfigCommand,
  GetPolicyCommand,
  InvokeCommand,
  LambdaClient,
  ListTagsCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
  PutFunctionRecursionConfigCommand,
  RemovePermissionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import type { LambdaInternalApi } from "../../src/cloud/core/internal-apis.js";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";

let cloud: TestCloud;
let lambda: LambdaClient;
const ARN = "arn:aws:lambda:us-east-1:000000000000:function:settings";

beforeAll(async () => {
  cloud = await startTestCloud();
  lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
  await createExecutionRole(new IAMClient(cloud.clientConfig));
  await createFunction(lambda, "settings", "export const handler = async (e) => ({ ok: true, e });");
});
afterAll(async () => {
  await cloud?.close();
});

describe("resource policy", () => {
  it("GetPolicy without a policy is ResourceNotFoundException", async () => {
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: "settings" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "The resource you requested does not exist.",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("AddPermission writes AWS's statement shape and GetPolicy returns the whole document", async () => {
    const added = await lambda.send(
      new AddPermissionCommand({
        FunctionName: "settings",
        StatementId: "s3",
        Action: "lambda:InvokeFunction",
        Principal: "s3.amazonaws.com",
        SourceArn: "arn:aws:s3:::photos",
        SourceAccount: "000000000000",
      }),
    );
    expect(added.$metadata.httpStatusCode).toBe(201);
    const statement = {
      Sid: "s3",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "lambda:InvokeFunction",
      Resource: ARN,
      Condition: { ArnLike: { "AWS:SourceArn": "arn:aws:s3:::photos" }, StringEquals: { "AWS:SourceAccount": "000000000000" } },
    };
    expect(added.Statement).toBe(JSON.stringify(statement));
    await lambda.send(new AddPermissionCommand({ FunctionName: "settings", StatementId: "acct", Action: "lambda:*", Principal: "111122223333" }));
    const policy = await lambda.send(new GetPolicyCommand({ FunctionName: "settings" }));
    expect(policy.Policy).toBe(
      JSON.stringify({
        Version: "2012-10-17",
        Id: "default",
        Statement: [statement, { Sid: "acct", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "lambda:*", Resource: ARN }],
      }),
    );
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: "settings" }));
    expect(policy.RevisionId).toBe(fn.Configuration?.RevisionId);
  });

  it("refuses a duplicate statement id, a malformed one, and a missing function", async () => {
    await expect(
      lambda.send(new AddPermissionCommand({ FunctionName: "settings", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" })),
    ).rejects.toMatchObject({
      name: "ResourceConflictException",
      message: "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.",
      $metadata: { httpStatusCode: 409 },
    });
    await expect(
      lambda.send(new AddPermissionCommand({ FunctionName: "settings", StatementId: "bad sid!", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" })),
    ).rejects.toMatchObject({ name: "ValidationException", $metadata: { httpStatusCode: 400 } });
    await expect(
      lambda.send(new AddPermissionCommand({ FunctionName: "ghost", StatementId: "x", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com" })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException", message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost" });
  });

  it("RemovePermission removes one statement (204) and says when a statement is not there", async () => {
    const out = await lambda.send(new RemovePermissionCommand({ FunctionName: "settings", StatementId: "acct" }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expect(lambda.send(new RemovePermissionCommand({ FunctionName: "settings", StatementId: "acct" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "Statement acct is not found in resource policy.",
    });
    await lambda.send(new RemovePermissionCommand({ FunctionName: "settings", StatementId: "s3" }));
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: "settings" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("event invoke config", () => {
  it("puts, updates, reads and deletes it", async () => {
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "settings",
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 120,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failures" } },
      }),
    );
    expect(put).toMatchObject({
      FunctionArn: `${ARN}:$LATEST`,
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 120,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failures" } },
    });
    expect(put.LastModified).toBeInstanceOf(Date);
    await lambda.send(
      new UpdateFunctionEventInvokeConfigCommand({ FunctionName: "settings", DestinationConfig: { OnSuccess: { Destination: "arn:aws:events:us-east-1:000000000000:event-bus/default" } } }),
    );
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "settings" }));
    expect(got.MaximumRetryAttempts).toBe(1);
    expect(got.DestinationConfig?.OnSuccess?.Destination).toBe("arn:aws:events:us-east-1:000000000000:event-bus/default");
    expect(got.DestinationConfig?.OnFailure?.Destination).toBe("arn:aws:sqs:us-east-1:000000000000:failures");
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: "settings" }));
    await expect(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: "settings" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("refuses retries above 2, an event age under 60 s and a destination that is not a queue, topic, function or bus", async () => {
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "settings", MaximumRetryAttempts: 3 }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2",
    });
    await expect(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "settings", MaximumEventAgeInSeconds: 59 }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    await expect(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "settings", DestinationConfig: { OnFailure: { Destination: "arn:aws:s3:::bucket" } } })),
    ).rejects.toMatchObject({ name: "InvalidParameterValueException" });
  });
});

describe("reserved concurrency", () => {
  it("0 throttles every invoke with 429 TooManyRequestsException; deleting it lifts the limit", async () => {
    const put = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "settings", ReservedConcurrentExecutions: 0 }));
    expect(put.ReservedConcurrentExecutions).toBe(0);
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "settings" }))).ReservedConcurrentExecutions).toBe(0);
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "settings" }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 0 });
    await expect(lambda.send(new InvokeCommand({ FunctionName: "settings", Payload: "{}" }))).rejects.toMatchObject({
      name: "TooManyRequestsException",
      Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
      $metadata: { httpStatusCode: 429 },
    });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "settings" }));
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "settings" }))).ReservedConcurrentExecutions).toBeUndefined();
    const ok = await lambda.send(new InvokeCommand({ FunctionName: "settings", Payload: "{}" }));
    expect(ok.StatusCode).toBe(200);
  });

  it("keeps 100 of the account's 1000 unreserved, as AWS does", async () => {
    await expect(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "settings", ReservedConcurrentExecutions: 901 }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
    });
  });
});

describe("recursion config and tags", () => {
  it("defaults to Terminate and accepts Allow", async () => {
    expect((await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: "settings" }))).RecursiveLoop).toBe("Terminate");
    expect((await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "settings", RecursiveLoop: "Allow" }))).RecursiveLoop).toBe("Allow");
    expect((await lambda.send(new GetFunctionRecursionConfigCommand({ FunctionName: "settings" }))).RecursiveLoop).toBe("Allow");
    await expect(lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "settings", RecursiveLoop: "Sometimes" as never }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("tags, lists and untags by ARN", async () => {
    await lambda.send(new TagResourceCommand({ Resource: ARN, Tags: { lab: "02", owner: "kit" } }));
    expect((await lambda.send(new ListTagsCommand({ Resource: ARN }))).Tags).toEqual({ lab: "02", owner: "kit" });
    await lambda.send(new UntagResourceCommand({ Resource: ARN, TagKeys: ["owner"] }));
    expect((await lambda.send(new ListTagsCommand({ Resource: ARN }))).Tags).toEqual({ lab: "02" });
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: "settings" }))).Tags).toEqual({ lab: "02" });
  });
});

describe("internal API for other services (event source mappings)", () => {
  it("invokes synchronously, and refuses an event 16 invocations deep while RecursiveLoop is Terminate", async () => {
    const api = cloud.cloud.use<LambdaInternalApi>("lambda")!;
    await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "settings", RecursiveLoop: "Terminate" }));
    const source = { principal: "sqs.amazonaws.com", arn: "arn:aws:sqs:us-east-1:000000000000:q", account: "000000000000" };
    expect(api.functionExists(ARN)).toBe(true);
    expect(api.functionExists(`${ARN}-missing`)).toBe(false);
    expect(api.functionSettings?.(ARN)).toEqual({ role: "arn:aws:iam::000000000000:role/lambda-test-role", timeout: 3 });
    expect(api.functionSettings?.(`${ARN}-missing`)).toBeUndefined();
    const out = await api.invokeSync(ARN, JSON.stringify({ Records: [] }), { correlationId: "c1", source });
    expect(JSON.parse(out.payload)).toEqual({ ok: true, e: { Records: [] } });
    expect(out.functionError).toBeUndefined();
    await expect(api.invokeSync(ARN, "{}", { correlationId: "c2", source, lineage: { originId: "abcd1234", depth: 16 } })).rejects.toMatchObject({
      code: "RecursiveInvocationException",
    });
    expect(cloud.logs.some((l) => l.includes("Lambda stopped a recursive invocation of settings"))).toBe(true);
  });
});

describe("the lambda destination adapter (S3, SNS, EventBridge deliveries)", () => {
  it("refuses a service principal the function policy does not allow, and delivers once AddPermission allows it", async () => {
    const message = {
      body: JSON.stringify({ Records: [{ eventSource: "aws:s3" }] }),
      source: { principal: "s3.amazonaws.com", arn: "arn:aws:s3:::photos", account: "000000000000" },
      correlationId: "adapter-test",
    };
    const denied = await cloud.cloud.destinations.deliver(ARN, message, { kind: "test", attempts: 1 });
    expect(denied.ok).toBe(false);
    expect(denied.error).toContain("AccessDeniedException");
    expect(denied.error).toContain("add-permission --principal s3.amazonaws.com --source-arn arn:aws:s3:::photos");
    await lambda.send(
      new AddPermissionCommand({ FunctionName: "settings", StatementId: "s3-photos", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::photos" }),
    );
    expect(cloud.cloud.destinations.resourcePolicy(ARN)).toContain("s3-photos");
    expect(cloud.cloud.destinations.exists(ARN)).toBe(true);
    const allowed = await cloud.cloud.destinations.deliver(ARN, message, { kind: "test", attempts: 1 });
    expect(allowed.ok).toBe(true);
    // Another bucket is still refused (aws:SourceArn condition).
    const other = await cloud.cloud.destinations.deliver(ARN, { ...message, source: { ...message.source, arn: "arn:aws:s3:::other" } }, { kind: "test", attempts: 1 });
    expect(other.ok).toBe(false);
  });
});

describe("reset", () => {
  it("POST /_localcloud/reset forgets functions and their logs, and the cloud keeps serving", async () => {
    const { CloudWatchLogsClient, DescribeLogGroupsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
    const { ListFunctionsCommand } = await import("@aws-sdk/client-lambda");
    const logs = new CloudWatchLogsClient(cloud.clientConfig);
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/settings" }))).logGroups).toHaveLength(1);
    const res = await fetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.status).toBe(200);
    expect((await lambda.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
    await createExecutionRole(new IAMClient(cloud.clientConfig));
    await createFunction(lambda, "after-reset", "export const handler = async () => 'fresh';");
    const out = await lambda.send(new InvokeCommand({ FunctionName: "after-reset" }));
    expect(JSON.parse(new TextDecoder().decode(out.Payload))).toBe("fresh");
  });
});
