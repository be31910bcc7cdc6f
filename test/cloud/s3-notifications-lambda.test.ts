// S3 → Lambda as the labs use it, through the real SDK clients: an upload to
// uploads/ invokes a function (asynchronously, with the §2 record) that
// decodes the key, reads the object with its role's credentials and writes a
// report under reports/; and a function that writes back under the prefix
// that triggers it is stopped by Lambda's recursive-loop detection, which
// works because S3 copies the caller's trace-header lineage into the
// notification it routes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient, AddPermissionCommand } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";

const ACCOUNT = "000000000000";
const BUCKET = "notif-lambda";
let cloud: TestCloud;
let lambda: LambdaClient;
let s3: S3Client;

const REPORTER = `import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async (event) => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\\+/g, " "));
    const text = await (await s3.send(new GetObjectCommand({ Bucket: record.s3.bucket.name, Key: key }))).Body.transformToString();
    await s3.send(new PutObjectCommand({ Bucket: record.s3.bucket.name, Key: "reports/" + key.slice("uploads/".length) + ".json",
      Body: JSON.stringify({ key, length: text.length, eventName: record.eventName, configurationId: record.s3.configurationId }) }));
  }
};`;

// Writes loop/<n+1> for every loop/<n> it is told about: a runaway loop through S3.
const LOOPER = `import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async (event) => {
  const record = event.Records[0];
  const n = Number(record.s3.object.key.split("/").pop());
  await s3.send(new PutObjectCommand({ Bucket: record.s3.bucket.name, Key: "loop/" + (n + 1), Body: String(n + 1) }));
};`;

const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

beforeAll(async () => {
  cloud = await startTestCloud();
  lambda = new LambdaClient(cloud.clientConfig);
  s3 = new S3Client(cloud.clientConfig);
  const iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: "bucket-access",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `arn:aws:s3:::${BUCKET}/*` }] }),
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await createFunction(lambda, "reporter", REPORTER, { Timeout: 10 });
  await createFunction(lambda, "looper", LOOPER, { Timeout: 10 });
  for (const name of ["reporter", "looper"]) {
    await lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: `arn:aws:s3:::${BUCKET}`, SourceAccount: ACCOUNT }));
  }
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: BUCKET,
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          { Id: "report", LambdaFunctionArn: fnArn("reporter"), Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }] } } },
          { Id: "loop", LambdaFunctionArn: fnArn("looper"), Events: ["s3:ObjectCreated:Put"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "loop/" }] } } },
        ],
      },
    }),
  );
}, 60_000);
afterAll(async () => {
  await cloud?.close();
});

describe("S3 → Lambda", () => {
  it("an upload invokes the function, which decodes the key, reads the object and writes its report", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "uploads/my photo+1 (ü).txt", Body: "twelve bytes" }));
    const report = await eventually(async () => {
      const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "reports/my photo+1 (ü).txt.json" }));
      return JSON.parse(await out.Body!.transformToString());
    }, 20_000, 100);
    expect(report).toEqual({ key: "uploads/my photo+1 (ü).txt", length: 12, eventName: "ObjectCreated:Put", configurationId: "report" });
  }, 30_000);

  it("a function that re-triggers itself through S3 is stopped by recursive-loop detection", async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "loop/0", Body: "0" }));
    await eventually(async () => (cloud.logs.some((l) => l.includes("Lambda stopped a recursive invocation of looper")) ? true : undefined), 30_000, 100);
    const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "loop/" }));
    // loop/0 from the test, then one object per invocation until the lineage depth reaches the limit (16).
    const numbers = (Contents ?? []).map((o) => Number(o.Key!.split("/")[1])).sort((a, b) => a - b);
    expect(numbers.length).toBeGreaterThan(2);
    expect(numbers.length).toBeLessThanOrEqual(18);
    expect(numbers).toEqual(numbers.map((_, i) => i));
  }, 40_000);
});
