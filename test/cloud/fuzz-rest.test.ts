// Bounded fuzz, REST services (issue 11): S3 (restXml: buckets, objects,
// multipart, sub-resources with XML and JSON bodies) and Lambda (restJson:
// functions, configuration, permissions, event source mappings) — valid
// requests per operation, mutated under fixed seeds (test/helpers/fuzz.ts).
// Asserts no 5xx, no hang, health after each batch, no guard escapes.
import { expect, it } from "vitest";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client, CreateBucketCommand, PutObjectCommand, CreateMultipartUploadCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand } from "@aws-sdk/client-sqs";
import { cloudForFile, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_ARN, zipOf } from "../helpers/lambda.js";
import { fuzz, type Seed } from "../helpers/fuzz.js";
import { signedRequest, type RawRequest } from "../helpers/signed-request.js";

let cloud: TestCloud;
let uploadId = "";
let mappingId = "";
const queueArn = "arn:aws:sqs:us-east-1:000000000000:fuzz-esm-q";

cloudForFile(S3Client, async (c, s3) => {
  cloud = c;
  await s3.send(new CreateBucketCommand({ Bucket: "fuzz-bucket" }));
  await s3.send(new PutObjectCommand({ Bucket: "fuzz-bucket", Key: "dir/obj.txt", Body: "hello world" }));
  uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: "fuzz-bucket", Key: "mp" }))).UploadId!;
  const iam = new IAMClient(c.clientConfig);
  await createExecutionRole(iam);
  iam.destroy();
  const lambda = new LambdaClient(c.clientConfig);
  await createFunction(lambda, "fuzz-fn", "export const handler = async () => ({ ok: true });");
  lambda.destroy();
  const sqs = new SQSClient(c.clientConfig);
  await sqs.send(new CreateQueueCommand({ QueueName: "fuzz-esm-q" }));
  sqs.destroy();
  const esm = await signedRequest(c.endpoint, lambdaJson("POST", "/2015-03-31/event-source-mappings/", { EventSourceArn: queueArn, FunctionName: "fuzz-fn", BatchSize: 5, Enabled: false }).request);
  mappingId = JSON.parse(esm.body).UUID;
});

function s3(method: string, path: string, options: { query?: Record<string, string>; headers?: Record<string, string>; xml?: string; body?: string; name?: string } = {}): Seed {
  const request: RawRequest = { method, path, service: "s3", query: options.query, headers: options.headers, body: options.xml ?? options.body };
  return { name: options.name ?? `s3 ${method} ${path}?${Object.keys(options.query ?? {}).join("&")}`, request, xml: options.xml, json: options.body?.startsWith("{") ? JSON.parse(options.body) : undefined };
}

function lambdaJson(method: string, path: string, body?: Record<string, unknown>, query?: Record<string, string>, headers?: Record<string, string>): Seed {
  return {
    name: `lambda ${method} ${path}`,
    json: body,
    request: { method, path, service: "lambda", query, headers: { "content-type": "application/json", ...(headers ?? {}) }, body: body ? JSON.stringify(body) : undefined },
  };
}

const tagging = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>";
const notification = `<NotificationConfiguration><QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:fuzz-esm-q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule></S3Key></Filter></QueueConfiguration></NotificationConfiguration>`;
const cors = "<CORSConfiguration><CORSRule><AllowedOrigin>http://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>30</MaxAgeSeconds></CORSRule></CORSConfiguration>";
const bucketPolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::fuzz-bucket/pub*/?x*", Condition: { IpAddress: { "aws:SourceIp": "127.0.0.0/8" }, StringLike: { "s3:prefix": "a*b?c" } } }] });

function s3Seeds(): Seed[] {
  return [
    s3("PUT", "/fuzz-bucket/dir/new.txt", { body: "content", headers: { "content-type": "text/plain", "x-amz-meta-a": "b", "x-amz-tagging": "a=b&c=d" } }),
    s3("GET", "/fuzz-bucket/dir/obj.txt", { headers: { range: "bytes=0-4" } }),
    s3("HEAD", "/fuzz-bucket/dir/obj.txt", { headers: { "if-none-match": '"abc"' } }),
    s3("GET", "/fuzz-bucket", { query: { "list-type": "2", prefix: "dir/", delimiter: "/", "max-keys": "2", "start-after": "a" } }),
    s3("GET", "/fuzz-bucket", { query: { prefix: "d", marker: "a", "max-keys": "5" } }),
    s3("GET", "/fuzz-bucket", { query: { versions: "", "key-marker": "a" } }),
    s3("PUT", "/fuzz-bucket/copy.txt", { headers: { "x-amz-copy-source": "/fuzz-bucket/dir/obj.txt", "x-amz-metadata-directive": "REPLACE" } }),
    s3("POST", "/fuzz-bucket", { query: { delete: "" }, xml: "<Delete><Object><Key>nope</Key></Object><Object><Key>copy.txt</Key><VersionId>null</VersionId></Object><Quiet>true</Quiet></Delete>" }),
    s3("PUT", "/fuzz-bucket/dir/obj.txt", { query: { tagging: "" }, xml: tagging }),
    s3("PUT", "/fuzz-bucket", { query: { notification: "" }, xml: notification }),
    s3("PUT", "/fuzz-bucket", { query: { cors: "" }, xml: cors }),
    s3("PUT", "/fuzz-bucket", { query: { versioning: "" }, xml: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>" }),
    s3("PUT", "/fuzz-bucket", { query: { policy: "" }, body: bucketPolicy }),
    s3("PUT", "/fuzz-bucket/mp", { query: { partNumber: "1", uploadId: "UPLOAD" }, body: "part-data" }),
    s3("POST", "/fuzz-bucket/mp", { query: { uploadId: "UPLOAD" }, xml: '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>' }),
    s3("GET", "/fuzz-bucket/mp", { query: { uploadId: "UPLOAD", "max-parts": "10", "part-number-marker": "0" } }),
    s3("POST", "/fuzz-bucket/new-mp", { query: { uploads: "" }, headers: { "x-amz-checksum-algorithm": "CRC32" } }),
    s3("PUT", "/fuzz-made-bucket", { xml: "<CreateBucketConfiguration><LocationConstraint>us-west-2</LocationConstraint></CreateBucketConfiguration>" }),
    s3("DELETE", "/fuzz-bucket/dir/missing.txt", {}),
    s3("GET", "/", {}),
  ];
}

function lambdaSeeds(): Seed[] {
  const f = "/2015-03-31/functions/fuzz-fn";
  return [
    lambdaJson("GET", f),
    lambdaJson("GET", `${f}/configuration`, undefined, { Qualifier: "$LATEST" }),
    lambdaJson("PUT", `${f}/configuration`, { Timeout: 5, MemorySize: 256, Environment: { Variables: { A: "b" } }, Description: "d" }),
    lambdaJson("GET", "/2015-03-31/functions/", undefined, { MaxItems: "5", Marker: "abc" }),
    lambdaJson("POST", `${f}/policy`, { StatementId: "s1", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::fuzz-bucket", SourceAccount: "000000000000" }),
    lambdaJson("GET", `${f}/policy`),
    lambdaJson("DELETE", `${f}/policy/nope`),
    lambdaJson("PUT", `/2019-09-25/functions/fuzz-fn/event-invoke-config`, { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 120, DestinationConfig: { OnFailure: { Destination: queueArn } } }),
    { ...lambdaJson("POST", `${f}/invocations`, { a: 1 }, undefined, { "x-amz-invocation-type": "DryRun" }), keepHeaders: true },
    lambdaJson("POST", "/2015-03-31/event-source-mappings/", { EventSourceArn: queueArn, FunctionName: "fuzz-fn", BatchSize: 10, Enabled: false, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { k: [{ wildcard: "a*b" }] } }) }] }, FunctionResponseTypes: ["ReportBatchItemFailures"] }),
    lambdaJson("PUT", "/2015-03-31/event-source-mappings/MAPPING", { BatchSize: 3, Enabled: false, MaximumBatchingWindowInSeconds: 1 }),
    lambdaJson("GET", "/2015-03-31/event-source-mappings/", undefined, { FunctionName: "fuzz-fn", EventSourceArn: queueArn, MaxItems: "2" }),
    lambdaJson("GET", "/2015-03-31/event-source-mappings/MAPPING"),
    lambdaJson("POST", "/2015-03-31/functions", { FunctionName: "fuzz-made", Runtime: "nodejs20.x", Role: ROLE_ARN, Handler: "index.handler", Code: { ZipFile: Buffer.from(zipOf({ "index.mjs": "export const handler = async () => 1;" })).toString("base64") }, Timeout: 3 }),
    lambdaJson("PUT", `${f}/code`, { ZipFile: Buffer.from(zipOf({ "index.mjs": "export const handler = async () => 2;" })).toString("base64") }),
    lambdaJson("POST", `/2017-03-31/tags/arn:aws:lambda:us-east-1:000000000000:function:fuzz-fn`, { Tags: { a: "b" } }),
  ];
}

/** Fill in ids known only once the fixtures exist. */
function resolve(seeds: Seed[]): Seed[] {
  const fix = (text: string) => text.replaceAll("UPLOAD", uploadId).replaceAll("MAPPING", mappingId);
  return seeds.map((s) => ({
    ...s,
    request: { ...s.request, path: fix(s.request.path), query: s.request.query && Object.fromEntries(Object.entries(s.request.query).map(([k, v]) => [k, fix(v)])) },
  }));
}

it("S3 (restXml): 500 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: resolve(s3Seeds()), seed: 31, count: 500 });
});

it("Lambda (restJson, event source mappings included): 350 mutated requests, no 5xx", async () => {
  await fuzz(cloud.endpoint, { seeds: resolve(lambdaSeeds()), seed: 32, count: 350, concurrency: 4 });
});

it("the unmutated seeds mostly succeed, so the fuzz reaches the operations", async () => {
  const all = resolve([...s3Seeds(), ...lambdaSeeds()]);
  const statuses: number[] = [];
  for (const s of all) statuses.push((await signedRequest(cloud.endpoint, s.request)).status);
  expect(statuses.filter((s) => s >= 200 && s < 300).length).toBeGreaterThan(all.length * 0.6);
});
