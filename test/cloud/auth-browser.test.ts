// Issue 11, deliverable 2: no web page can drive the local cloud. What a
// browser can send without a CORS preflight — simple POSTs with text/plain or
// form bodies, GETs (img/script tags), with or without its Origin — and what
// DNS rebinding makes it send (a foreign Host) is refused, for every protocol,
// and changes nothing. Correctly signed requests with a foreign Origin or Host
// are refused too. S3 still answers what a bucket's CORS rules allow.
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand, S3Client, HeadBucketCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { signHeaders } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
const EVIL = "https://evil.example";
const BUCKET = "browser-suite";

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request exactly as given (Host included), as a browser or a rebinding page would send it. */
function send(options: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `127.0.0.1:${cloud.port}`, ...options.headers };
    if (options.body !== undefined) headers["content-length"] = String(Buffer.byteLength(options.body));
    const req = http.request({ host: "127.0.0.1", port: cloud.port, method: options.method, path: options.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The same, signed for real with the administrator's credentials. */
async function sendSigned(options: { method: string; path: string; service: string; headers?: Record<string, string>; body?: string; host?: string }): Promise<Raw> {
  const host = options.host ?? `127.0.0.1:${cloud.port}`;
  const at = options.path.indexOf("?");
  const signed = await signHeaders({
    method: options.method,
    host,
    path: at < 0 ? options.path : options.path.slice(0, at),
    query: new URLSearchParams(at < 0 ? "" : options.path.slice(at + 1)),
    headers: options.headers ?? {},
    body: options.body,
    service: options.service,
  });
  return send({ method: options.method, path: options.path, headers: signed, body: options.body });
}

/** Nothing was created by the refused requests: every service still lists what it listed before. */
async function nothingCreated(): Promise<void> {
  const c = cloud.clientConfig;
  const sqs = new SQSClient(c);
  const sns = new SNSClient(c);
  const iam = new IAMClient(c);
  const ddb = new DynamoDBClient(c);
  const events = new EventBridgeClient(c);
  const logs = new CloudWatchLogsClient(c);
  const lambda = new LambdaClient(c);
  expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
  expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
  expect((await iam.send(new ListRolesCommand({}))).Roles ?? []).toEqual([]);
  expect((await ddb.send(new ListTablesCommand({}))).TableNames ?? []).toEqual([]);
  expect((await events.send(new ListRulesCommand({}))).Rules ?? []).toEqual([]);
  expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []).toEqual([]);
  expect((await lambda.send(new ListFunctionsCommand({}))).Functions ?? []).toEqual([]);
  for (const client of [sqs, sns, iam, ddb, events, logs, lambda]) client.destroy();
}

beforeAll(async () => {
  cloud = await startTestCloud();
  const s3 = new S3Client(cloud.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "keep.txt", Body: "keep me" }));
  s3.destroy();
});
afterAll(() => cloud?.close());

/** Simple requests (no preflight): every protocol's state-changing call, as text/plain and as a form. */
const SIMPLE_POSTS: Array<{ name: string; path: string; body: string }> = [
  { name: "awsQuery SQS CreateQueue", path: "/", body: "Action=CreateQueue&QueueName=from-a-page&Version=2012-11-05" },
  { name: "awsQuery SNS CreateTopic", path: "/", body: "Action=CreateTopic&Name=from-a-page&Version=2010-03-31" },
  { name: "awsQuery IAM CreateRole", path: "/", body: `Action=CreateRole&RoleName=pwned&AssumeRolePolicyDocument=${encodeURIComponent('{"Statement":[]}')}&Version=2010-05-08` },
  { name: "awsQuery STS AssumeRole", path: "/", body: "Action=AssumeRole&RoleArn=arn:aws:iam::000000000000:role/x&RoleSessionName=s&Version=2011-06-15" },
  { name: "JSON 1.0 DynamoDB CreateTable", path: "/", body: '{"TableName":"pwned","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}' },
  { name: "JSON 1.0 SQS CreateQueue", path: "/", body: '{"QueueName":"from-a-page"}' },
  { name: "JSON 1.1 EventBridge PutRule", path: "/", body: '{"Name":"pwned","EventPattern":"{\\"source\\":[\\"x\\"]}"}' },
  { name: "JSON 1.1 Logs CreateLogGroup", path: "/", body: '{"logGroupName":"pwned"}' },
  { name: "restJson Lambda CreateFunction", path: "/2015-03-31/functions", body: '{"FunctionName":"pwned","Runtime":"nodejs20.x","Role":"arn:aws:iam::000000000000:role/x","Handler":"index.handler","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}' },
  { name: "restJson Lambda Invoke", path: "/2015-03-31/functions/pwned/invocations", body: "{}" },
  { name: "restXml S3 DeleteObjects", path: `/${BUCKET}?delete`, body: "<Delete><Object><Key>keep.txt</Key></Object></Delete>" },
  { name: "restXml S3 PutObject via POST", path: `/${BUCKET}/planted.txt`, body: "planted" },
];

describe("simple requests a web page can send without a preflight", () => {
  for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
    for (const origin of [undefined, EVIL]) {
      it(`${contentType}${origin ? " with a foreign Origin" : " without Origin"}: every protocol refuses, with a 4xx`, async () => {
        for (const post of SIMPLE_POSTS) {
          const res = await send({ method: "POST", path: post.path, body: post.body, headers: { "content-type": contentType, ...(origin ? { origin } : {}) } });
          expect(res.status, `${post.name}: ${res.body}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${post.name}: ${res.body}`).toBeLessThan(500);
          expect(res.headers["access-control-allow-origin"], post.name).toBeUndefined();
        }
        await nothingCreated();
        const s3 = new S3Client(cloud.clientConfig);
        await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "keep.txt" }));
        await expect(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "planted.txt" }))).rejects.toMatchObject({ name: "NotFound" });
        s3.destroy();
      });
    }
  }

  it("an unsigned awsQuery POST is 403 MissingAuthenticationToken in awsQuery's XML", async () => {
    const res = await send({ method: "POST", path: "/", body: "Action=CreateQueue&QueueName=q&Version=2012-11-05", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(403);
    expect(res.body).toContain("<Code>MissingAuthenticationToken</Code>");
    expect(res.body).toContain("<ErrorResponse");
  });

  it("an unsigned JSON request is MissingAuthenticationTokenException (DynamoDB 400, Lambda 403)", async () => {
    const ddb = await send({ method: "POST", path: "/", body: "{}", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables" } });
    expect(ddb.status).toBe(400);
    expect(JSON.parse(ddb.body).__type).toMatch(/MissingAuthenticationTokenException$/);
    const logs = await send({ method: "POST", path: "/", body: "{}", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Logs_20140328.DescribeLogGroups" } });
    expect(logs.status).toBe(400);
    expect(JSON.parse(logs.body).__type).toMatch(/MissingAuthenticationTokenException$/);
    const lambda = await send({ method: "GET", path: "/2015-03-31/functions/", headers: { authorization: "" } });
    expect(lambda.status).toBeGreaterThanOrEqual(400);
  });
});

describe("unsigned GETs of state-changing actions (img and script tags)", () => {
  const gets = [
    "/?Action=CreateQueue&QueueName=from-a-tag&Version=2012-11-05",
    "/?Action=CreateTopic&Name=from-a-tag&Version=2010-03-31",
    "/?Action=CreateRole&RoleName=from-a-tag&AssumeRolePolicyDocument=%7B%7D&Version=2010-05-08",
    "/?Action=AssumeRole&RoleArn=arn:aws:iam::000000000000:role/x&RoleSessionName=s&Version=2011-06-15",
    "/?Action=Publish&TopicArn=arn:aws:sns:us-east-1:000000000000:t&Message=m&Version=2010-03-31",
  ];
  it("are 403 MissingAuthenticationToken and change nothing", async () => {
    for (const path of gets) {
      const res = await send({ method: "GET", path });
      expect(res.status, path).toBe(403);
      expect(res.body, path).toContain("MissingAuthenticationToken");
    }
    await nothingCreated();
  });

  it("an unsigned GET of a private object is AccessDenied", async () => {
    const res = await send({ method: "GET", path: `/${BUCKET}/keep.txt` });
    expect(res.status).toBe(403);
    expect(res.body).toContain("<Code>AccessDenied</Code>");
    expect(res.body).not.toContain("keep me");
  });

  it("SNS's ConfirmSubscription link still answers without a signature (here: the token is not valid)", async () => {
    const res = await send({ method: "GET", path: "/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:000000000000:none&Token=abc&Version=2010-03-31" });
    expect(res.body).not.toContain("MissingAuthenticationToken");
    expect(res.status).toBeLessThan(500);
  });
});

describe("the Origin of a web page", () => {
  const signedCalls: Array<{ service: string; headers: Record<string, string>; body: string }> = [
    { service: "sqs", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" }, body: "{}" },
    { service: "sns", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListTopics&Version=2010-03-31" },
    { service: "iam", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=ListRoles&Version=2010-05-08" },
    { service: "sts", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=GetCallerIdentity&Version=2011-06-15" },
    { service: "dynamodb", headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables" }, body: "{}" },
    { service: "events", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.ListRules" }, body: "{}" },
    { service: "logs", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "Logs_20140328.DescribeLogGroups" }, body: "{}" },
  ];

  it("refuses even correctly signed requests from a foreign Origin, for every service but S3", async () => {
    for (const call of signedCalls) {
      const ok = await sendSigned({ method: "POST", path: "/", ...call });
      expect(ok.status, `${call.service} without Origin: ${ok.body}`).toBe(200);
      const res = await sendSigned({ method: "POST", path: "/", ...call, headers: { ...call.headers, origin: EVIL } });
      expect(res.status, call.service).toBe(403);
      expect(res.body, call.service).toMatch(/AccessDenied/);
    }
    const lambda = await sendSigned({ method: "GET", path: "/2015-03-31/functions/", service: "lambda", headers: { origin: EVIL } });
    expect(lambda.status).toBe(403);
    expect(JSON.parse(lambda.body).Type ?? JSON.parse(lambda.body).__type ?? lambda.headers["x-amzn-errortype"]).toBeDefined();
  });

  it("accepts the cloud's own origin (a page it served itself)", async () => {
    const res = await sendSigned({ method: "POST", path: "/", ...signedCalls[3]!, headers: { ...signedCalls[3]!.headers, origin: `http://127.0.0.1:${cloud.port}` } });
    expect(res.status).toBe(200);
  });

  it("S3 answers a foreign Origin only where the bucket's CORS rules allow it", async () => {
    const refused = await sendSigned({ method: "GET", path: `/${BUCKET}/keep.txt`, service: "s3", headers: { origin: EVIL } });
    expect(refused.status).toBe(403);
    expect(refused.body).not.toContain("keep me");
    const s3 = new S3Client(cloud.clientConfig);
    await s3.send(new PutBucketCorsCommand({ Bucket: BUCKET, CORSConfiguration: { CORSRules: [{ AllowedOrigins: [EVIL], AllowedMethods: ["GET"] }] } }));
    const allowed = await sendSigned({ method: "GET", path: `/${BUCKET}/keep.txt`, service: "s3", headers: { origin: EVIL } });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toBe("keep me");
    expect(allowed.headers["access-control-allow-origin"]).toBe(EVIL);
    // A method the rules do not list stays refused.
    const put = await sendSigned({ method: "PUT", path: `/${BUCKET}/from-page.txt`, service: "s3", headers: { origin: EVIL }, body: "x" });
    expect(put.status).toBe(403);
    // The preflight is answered unsigned, by the rules.
    const preflight = await send({ method: "OPTIONS", path: `/${BUCKET}/keep.txt`, headers: { origin: EVIL, "access-control-request-method": "GET" } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers["access-control-allow-origin"]).toBe(EVIL);
    await s3.send(new HeadBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
  });
});

describe("a foreign Host (DNS rebinding)", () => {
  it("is refused — signed or not, for every protocol — and logged", async () => {
    const evilHost = `evil.example:${cloud.port}`;
    const sqs = await sendSigned({ method: "POST", path: "/", service: "sqs", host: evilHost, headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" }, body: "{}" });
    expect(sqs.status).toBe(403);
    const query = await sendSigned({ method: "POST", path: "/", service: "sts", host: evilHost, headers: { "content-type": "application/x-www-form-urlencoded" }, body: "Action=GetCallerIdentity&Version=2011-06-15" });
    expect(query.status).toBe(403);
    expect(query.body).toContain("<ErrorResponse");
    const s3 = await sendSigned({ method: "GET", path: `/${BUCKET}/keep.txt`, service: "s3", host: evilHost });
    expect(s3.status).toBe(403);
    expect(s3.body).not.toContain("keep me");
    const unsigned = await send({ method: "POST", path: "/", headers: { host: evilHost, "content-type": "text/plain" }, body: "Action=CreateQueue&QueueName=x" });
    expect(unsigned.status).toBe(403);
    const admin = await send({ method: "GET", path: "/_localcloud/health", headers: { host: evilHost } });
    expect(admin.status).toBe(403);
    expect(cloud.logs.some((l) => l.includes('for Host "evil.example'))).toBe(true);
  });

  it("the cloud's own names are served: localhost, 127.0.0.1, and virtual-hosted buckets under localhost", async () => {
    for (const host of [`localhost:${cloud.port}`, `127.0.0.1:${cloud.port}`]) {
      const res = await sendSigned({ method: "GET", path: `/${BUCKET}/keep.txt`, service: "s3", host });
      expect(res.status, host).toBe(200);
    }
    for (const host of [`${BUCKET}.localhost:${cloud.port}`, `${BUCKET}.s3.localhost:${cloud.port}`, `${BUCKET}.s3.us-east-1.localhost:${cloud.port}`]) {
      const res = await sendSigned({ method: "GET", path: "/keep.txt", service: "s3", host });
      expect(res.status, host).toBe(200);
      expect(res.body).toBe("keep me");
    }
  });
});

describe("/_localcloud/*", () => {
  it("health is open and carries no secret", async () => {
    const res = await send({ method: "GET", path: "/_localcloud/health" });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain(cloud.adminToken);
    // No credential travels in it: neither the admin's secret key nor any field named like one
    // (the service name "secretsmanager" in its list is not a secret).
    expect(res.body).not.toContain('"test"');
    expect(Object.keys(JSON.parse(res.body)).filter((k) => /secret|token|password|credential/i.test(k))).toEqual([]);
  });

  it("reset and traces refuse simple requests, foreign Origins and wrong tokens, and change nothing", async () => {
    const variants: Array<Record<string, string>> = [{}, { "content-type": "text/plain" }, { "content-type": "application/x-www-form-urlencoded" }, { origin: EVIL, "x-localcloud-token": cloud.adminToken }, { "x-localcloud-token": "guess" }];
    for (const headers of variants) {
      const res = await send({ method: "POST", path: "/_localcloud/reset", headers, body: "x=1" });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      const traces = await send({ method: "GET", path: "/_localcloud/traces", headers });
      expect(traces.status, JSON.stringify(headers)).toBe(403);
    }
    const forged = await send({ method: "POST", path: "/_localcloud/reset", headers: { authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + "0".repeat(64) } });
    expect(forged.status).toBe(403);
    const s3 = new S3Client(cloud.clientConfig);
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "keep.txt" }));
    s3.destroy();
  });

  it("traces answer the admin token and the administrator's signature", async () => {
    const byToken = await send({ method: "GET", path: "/_localcloud/traces", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(byToken.status).toBe(200);
    const bearer = await send({ method: "GET", path: "/_localcloud/traces", headers: { authorization: `Bearer ${cloud.adminToken}` } });
    expect(bearer.status).toBe(200);
    const signed = await sendSigned({ method: "GET", path: "/_localcloud/traces", service: "localcloud" });
    expect(signed.status, signed.body).toBe(200);
  });
});
