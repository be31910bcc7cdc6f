// A function using the SDK inside the local cloud with its role's credentials,
// the way the labs' handlers do: it receives an S3-shaped event, reads the
// object back with @aws-sdk/client-s3 and writes a result object — allowed by
// its role's inline policy, and refused (AccessDenied, as on AWS) where the
// policy does not reach. S3 event notifications are another part of the
// project; here the event is handed to Invoke directly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";

let cloud: TestCloud;
let lambda: LambdaClient;
let s3: S3Client;

const HANDLER = `import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async (event) => {
  const { bucket, object } = event.Records[0].s3;
  const key = decodeURIComponent(object.key.replace(/\\+/g, " "));
  const text = await (await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: key }))).Body.transformToString();
  const out = (event.outputPrefix ?? "reports/") + key.split("/").pop() + ".json";
  await s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: out, Body: JSON.stringify({ lines: text.split("\\n").length }) }));
  return out;
};`;

const s3Event = (bucket: string, key: string, extra: Record<string, unknown> = {}) => ({
  Records: [{ eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: { bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` }, object: { key } } }],
  ...extra,
});

beforeAll(async () => {
  cloud = await startTestCloud();
  lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
  s3 = new S3Client({ ...cloud.clientConfig, maxAttempts: 1 });
  const iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: "s3-access",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::lambda-s3-test/uploads/*" },
          { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::lambda-s3-test/reports/*" },
        ],
      }),
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: "lambda-s3-test" }));
  await createFunction(lambda, "csv-report", HANDLER, { Timeout: 10 });
});
afterAll(async () => {
  await cloud?.close();
});

describe("a function using S3 with its role", () => {
  it("reads the uploaded object and writes its report", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "lambda-s3-test", Key: "uploads/sales data.csv", Body: "a,b\n1,2\n3,4" }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: "csv-report", Payload: JSON.stringify(s3Event("lambda-s3-test", "uploads/sales+data.csv")) }));
    const payload = JSON.parse(new TextDecoder().decode(out.Payload));
    expect(out.FunctionError, JSON.stringify(payload)).toBeUndefined();
    expect(payload).toBe("reports/sales data.csv.json");
    const report = await s3.send(new GetObjectCommand({ Bucket: "lambda-s3-test", Key: payload }));
    expect(JSON.parse(await report.Body!.transformToString())).toEqual({ lines: 3 });
  });

  it("is refused where its role's policy does not reach (AccessDenied as a function error)", async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: "csv-report", Payload: JSON.stringify(s3Event("lambda-s3-test", "uploads/sales+data.csv", { outputPrefix: "uploads/" })) }),
    );
    const payload = JSON.parse(new TextDecoder().decode(out.Payload));
    expect(out.FunctionError).toBe("Unhandled");
    expect(payload.errorType).toBe("AccessDenied");
  });
});
