// Issue 11, deliverable 1: every request is verified like AWS verifies it.
// Real SDK clients with wrong credentials (forged secret, unknown key, a role
// session without or with a wrong token, an expired session, a clock 20
// minutes off), one client per protocol family, each answered with the code
// and status that family's AWS service answers (gateway/auth/errors.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { errorOf, startTestCloud, type TestCloud } from "../helpers/cloud.js";

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

interface Family {
  name: string;
  call(cloud: TestCloud, credentials: Creds, extra?: Record<string, unknown>): Promise<unknown>;
  /** Expected [code, status] per failure. */
  forged: [string, number];
  unknown: [string, number];
  token: [string, number];
  expired: [string, number];
  skew: [string, number];
}

function config(cloud: TestCloud, credentials: Creds, extra: Record<string, unknown> = {}) {
  // maxAttempts 1: the SDK would otherwise retry (and, for skew, correct its clock and succeed — as with AWS).
  return { ...cloud.clientConfig, credentials, maxAttempts: 1, ...extra };
}

function use<C extends { send(c: any): Promise<unknown>; destroy(): void }>(client: C, command: unknown): Promise<unknown> {
  return client.send(command).finally(() => client.destroy());
}

const query = (code: string): [string, number] => [code, 403];
const families: Family[] = [
  {
    name: "S3 (restXml)",
    call: (c, cr, x) => use(new S3Client(config(c, cr, x)), new ListBucketsCommand({})),
    forged: ["SignatureDoesNotMatch", 403],
    unknown: ["InvalidAccessKeyId", 403],
    token: ["InvalidToken", 400],
    expired: ["ExpiredToken", 400],
    skew: ["RequestTimeTooSkewed", 403],
  },
  ...[
    ["STS (awsQuery)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new STSClient(config(c, cr, x)), new GetCallerIdentityCommand({}))],
    ["IAM (awsQuery)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new IAMClient(config(c, cr, x)), new ListRolesCommand({}))],
    ["SNS (awsQuery)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new SNSClient(config(c, cr, x)), new ListTopicsCommand({}))],
    ["SQS (JSON 1.0, query-compatible)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new SQSClient(config(c, cr, x)), new ListQueuesCommand({}))],
  ].map(
    ([name, call]): Family => ({
      name: name as string,
      call: call as Family["call"],
      forged: query("SignatureDoesNotMatch"),
      unknown: query("InvalidClientTokenId"),
      token: query("InvalidClientTokenId"),
      expired: query("ExpiredToken"),
      skew: query("SignatureDoesNotMatch"),
    }),
  ),
  ...[
    ["DynamoDB (JSON 1.0)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new DynamoDBClient(config(c, cr, x)), new ListTablesCommand({}))],
    ["EventBridge (JSON 1.1)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new EventBridgeClient(config(c, cr, x)), new ListRulesCommand({}))],
    ["CloudWatch Logs (JSON 1.1)", (c: TestCloud, cr: Creds, x?: Record<string, unknown>) => use(new CloudWatchLogsClient(config(c, cr, x)), new DescribeLogGroupsCommand({}))],
  ].map(
    ([name, call]): Family => ({
      name: name as string,
      call: call as Family["call"],
      forged: ["InvalidSignatureException", 400],
      unknown: ["UnrecognizedClientException", 400],
      token: ["UnrecognizedClientException", 400],
      expired: ["ExpiredTokenException", 400],
      skew: ["InvalidSignatureException", 400],
    }),
  ),
  {
    name: "Lambda (restJson)",
    call: (c, cr, x) => use(new LambdaClient(config(c, cr, x)), new ListFunctionsCommand({})),
    forged: ["InvalidSignatureException", 403],
    unknown: ["UnrecognizedClientException", 403],
    token: ["UnrecognizedClientException", 403],
    expired: ["ExpiredTokenException", 403],
    skew: ["InvalidSignatureException", 403],
  },
];

let cloud: TestCloud;
let session: Creds;
let expired: Creds;

async function assumeRole(name: string): Promise<Creds> {
  const out = await new STSClient(cloud.clientConfig).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::000000000000:role/auth-tester`, RoleSessionName: name }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  const iam = new IAMClient(cloud.clientConfig);
  await iam.send(
    new CreateRoleCommand({
      RoleName: "auth-tester",
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] }),
    }),
  );
  await iam.send(new PutRolePolicyCommand({ RoleName: "auth-tester", PolicyName: "all", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) }));
  iam.destroy();
  session = await assumeRole("valid");
  expired = await assumeRole("expired");
  // The shortest session AWS mints lasts 15 minutes: age this one in the cloud's own session table instead of waiting.
  const sessions = cloud.cloud.store.table<{ expiration: string }>("identity.sessions");
  sessions.set(expired.accessKeyId, { ...sessions.get(expired.accessKeyId)!, expiration: new Date(Date.now() - 1000).toISOString() });
});
afterAll(() => cloud?.close());

describe.each(families)("$name", (family) => {
  async function expectFailure(credentials: Creds, [code, status]: [string, number], extra?: Record<string, unknown>) {
    const err = await errorOf(family.call(cloud, credentials, extra));
    expect({ name: err.name, status: err.$metadata?.httpStatusCode }).toEqual({ name: code, status });
  }

  it("answers the administrator (test/test) and a role session with its minted secret and token", async () => {
    await family.call(cloud, { accessKeyId: "test", secretAccessKey: "test" });
    await family.call(cloud, session);
  });

  it("a forged secret (the admin's key) is refused", () => expectFailure({ accessKeyId: "test", secretAccessKey: "not-the-secret" }, family.forged));
  it("a role session's key with a forged secret is refused", () => expectFailure({ ...session, secretAccessKey: (session.secretAccessKey[0] === "x" ? "y" : "x") + session.secretAccessKey.slice(1) }, family.forged));
  it("an unknown access key is refused", () => expectFailure({ accessKeyId: "AKIANOSUCHKEY0000000", secretAccessKey: "whatever" }, family.unknown));
  it("a role session without its session token is refused", () => expectFailure({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }, family.token));
  it("a role session with another session's token is refused", () => expectFailure({ ...session, sessionToken: expired.sessionToken }, family.token));
  it("an expired role session is refused", () => expectFailure(expired, family.expired));
  it("a request signed with a clock 20 minutes behind is refused", () => expectFailure({ accessKeyId: "test", secretAccessKey: "test" }, family.skew, { systemClockOffset: -20 * 60_000 }));
});

describe("clock skew within AWS's 15 minutes", () => {
  it("is accepted", async () => {
    const sts = new STSClient({ ...cloud.clientConfig, maxAttempts: 1, systemClockOffset: -10 * 60_000 });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::000000000000:root");
    sts.destroy();
  });

  it("and the SDK's own skew correction recovers from a larger one, as against AWS", async () => {
    const dynamodb = new DynamoDBClient({ ...cloud.clientConfig, systemClockOffset: -30 * 60_000 });
    await dynamodb.send(new ListTablesCommand({}));
    dynamodb.destroy();
  });
});

describe("a request that will be refused", () => {
  it("is answered before its body is read (an unknown key cannot make the cloud buffer a large upload)", async () => {
    const { signHeaders } = await import("../helpers/signed-fetch.js");
    const http = await import("node:http");
    const host = `127.0.0.1:${cloud.port}`;
    const headers = await signHeaders({
      method: "PUT",
      host,
      path: "/any-bucket/big.bin",
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      service: "s3",
      credentials: { accessKeyId: "AKIANOSUCHKEY0000000", secretAccessKey: "x" },
    });
    // 100 MB announced, none sent: only an answer given before the body can arrive.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port: cloud.port, method: "PUT", path: "/any-bucket/big.bin", headers: { ...headers, "content-length": String(100 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on("error", (err) => (err.message.includes("socket hang up") ? undefined : reject(err)));
      req.flushHeaders();
    });
    expect(status).toBe(403);
  });
});
