// Bucket policies through the SDK and the CLI: stored verbatim, read back,
// deleted idempotently, refused with S3's MalformedPolicy messages, and kept
// across a restart. (Enforcing them is the policy engine's job.)
import { describe, expect, it } from "vitest";
import { S3Client, CreateBucketCommand, DeletePublicAccessBlockCommand, DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from "@aws-sdk/client-s3";
import { cloudForFile, awsCliAsync, hasAwsCli, type TestCloud } from "../helpers/cloud.js";
import { bucketPolicy } from "../../src/cloud/services/s3/bucket-policy.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "policy-bucket";
const policy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/public/*` },
    { Sid: "Lambda", Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: ["s3:PutObject"], Resource: [`arn:aws:s3:::${bucket}/*`], Condition: { StringEquals: { "aws:SourceAccount": "000000000000" } } },
  ],
});

cloudForFile(S3Client, async (c, client) => {
  [cloud, s3] = [c, client];
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // New buckets block public policies (as on AWS since 2023); this one's policy has a public statement.
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
});

describe("bucket policy", () => {
  it("is NoSuchBucketPolicy before one is set", async () => {
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).rejects.toMatchObject({
      name: "NoSuchBucketPolicy",
      message: "The bucket policy does not exist",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("is stored verbatim, readable by the policy engine, and survives a restart", async () => {
    const put = await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    expect(put.$metadata.httpStatusCode).toBe(204);
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);
    expect(bucketPolicy(cloud.cloud, "000000000000", bucket)).toBe(policy);
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);
  });

  it("refuses malformed policies with S3's messages", async () => {
    const cases: Array<[string, string]> = [
      ["not json", "Policies must be valid JSON and the first byte must be '{'"],
      [JSON.stringify({ Version: "2012-10-17" }), "Missing required field Statement"],
      [JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] }), "Missing required field Principal"],
      [JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: `arn:aws:s3:::${bucket}/*` }] }), "Policy has invalid action"],
      [JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::another-bucket/*" }] }), "Policy has invalid resource"],
      [JSON.stringify({ Statement: [{ Effect: "Maybe", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] }), "Invalid effect: Maybe"],
      [JSON.stringify({ Version: "2020-01-01", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] }), "The policy must contain a valid version string"],
      [JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:role/does-not-exist" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] }), "Invalid principal in policy"],
    ];
    for (const [doc, message] of cases) {
      await expect(s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: doc }))).rejects.toMatchObject({ name: "MalformedPolicy", message, $metadata: { httpStatusCode: 400 } });
    }
    // The stored policy is untouched by the refused ones.
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(policy);
  });

  it("is deleted idempotently (204 both times)", async () => {
    expect((await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
    expect((await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
    await expect(s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).rejects.toMatchObject({ name: "NoSuchBucketPolicy" });
  });

  it("on a bucket that does not exist: NoSuchBucket", async () => {
    await expect(s3.send(new PutBucketPolicyCommand({ Bucket: "no-such-bucket-here", Policy: policy }))).rejects.toMatchObject({ name: "NoSuchBucket" });
  });

  it.skipIf(!hasAwsCli)("works from the AWS CLI (s3api put-bucket-policy / get-bucket-policy)", async () => {
    const put = await awsCliAsync(cloud, ["s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy]);
    expect(put.status, put.stderr).toBe(0);
    const get = await awsCliAsync(cloud, ["s3api", "get-bucket-policy", "--bucket", bucket, "--output", "json"]);
    expect(get.status, get.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(get.stdout).Policy)).toEqual(JSON.parse(policy));
  });
});
