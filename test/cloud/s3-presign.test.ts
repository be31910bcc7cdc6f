// Presigned URLs end to end: URLs from the real @aws-sdk/s3-request-presigner
// used with plain fetch, as a browser or curl would. GET and PUT work; an
// expired URL gets 403 AccessDenied "Request has expired"; a tampered URL is
// refused when the key is a role-session key minted here (its secret is
// known) and — by design, see the S3 header — accepted for other keys.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Client, CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let s3: S3Client;
let roleS3: S3Client;
const bucket = "presign-photos";

function errorCode(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}
function errorMessage(xml: string): string | undefined {
  return /<Message>([^<]+)<\/Message>/.exec(xml)?.[1];
}

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello, presigned", ContentType: "text/plain" }));
  // A role session whose secret the local cloud knows, so signatures are verified.
  const iam = new IAMClient(cloud.clientConfig);
  await iam.send(
    new CreateRoleCommand({
      RoleName: "presigner",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: "presigner",
      PolicyName: "s3",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
    }),
  );
  const sts = new STSClient(cloud.clientConfig);
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/presigner", RoleSessionName: "url-maker" }));
  roleS3 = new S3Client({
    ...cloud.clientConfig,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
  });
});
afterAll(async () => {
  await cloud.close();
});

describe("presigned URLs with fetch", () => {
  it("GET returns the object", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 300 });
    expect(url).toContain("X-Amz-Signature=");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello, presigned");
    expect(res.headers.get("content-type")).toBe("text/plain");
  });

  it("PUT stores the body, readable afterwards through the SDK", async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: "uploads/my photo+1 (ü).txt" }), { expiresIn: 300 });
    const res = await fetch(url, { method: "PUT", body: "uploaded through a presigned URL" });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/my photo+1 (ü).txt" }));
    expect(await got.Body!.transformToString()).toBe("uploaded through a presigned URL");
  });

  it("an expired URL answers 403 AccessDenied 'Request has expired'", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 10 * 60_000),
    });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(errorCode(xml)).toBe("AccessDenied");
    expect(errorMessage(xml)).toBe("Request has expired");
    expect(xml).toContain("<X-Amz-Expires>60</X-Amz-Expires>");
  });

  it("an expired presigned PUT stores nothing", async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: "late.txt" }), { expiresIn: 1, signingDate: new Date(Date.now() - 60_000) });
    const res = await fetch(url, { method: "PUT", body: "too late" });
    expect(res.status).toBe(403);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "late.txt" }))).rejects.toMatchObject({ name: "NoSuchKey" });
  });

  it("a role-session URL works as signed and fails with SignatureDoesNotMatch when tampered with", async () => {
    const url = await getSignedUrl(roleS3, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 300 });
    expect(url).toContain("X-Amz-Security-Token=");
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("hello, presigned");

    const otherKey = await fetch(url.replace("/hello.txt", "/uploads%2Fother.txt"));
    expect(otherKey.status).toBe(403);
    expect(errorCode(await otherKey.text())).toBe("SignatureDoesNotMatch");

    const longer = new URL(url);
    longer.searchParams.set("X-Amz-Expires", "604800");
    const res = await fetch(longer);
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe("SignatureDoesNotMatch");
  });

  it("a role-session presigned PUT with a tampered signature stores nothing", async () => {
    const url = new URL(await getSignedUrl(roleS3, new PutObjectCommand({ Bucket: bucket, Key: "forged.txt" }), { expiresIn: 300 }));
    url.searchParams.set("X-Amz-Signature", "0".repeat(64));
    const res = await fetch(url, { method: "PUT", body: "forged" });
    expect(res.status).toBe(403);
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "forged.txt" }))).rejects.toMatchObject({ name: "NoSuchKey" });
  });

  it("the administrator's URLs are verified too: a tampered one is SignatureDoesNotMatch, one signed with a forged secret as well", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "uploads/my photo+1 (ü).txt" }), { expiresIn: 300 });
    expect((await fetch(url)).status).toBe(200);
    const tampered = new URL(url);
    tampered.searchParams.set("X-Amz-Signature", "f".repeat(64));
    const res = await fetch(tampered);
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe("SignatureDoesNotMatch");
    const forger = new S3Client({ ...cloud.clientConfig, credentials: { accessKeyId: "test", secretAccessKey: "guessed" } });
    const forged = await fetch(await getSignedUrl(forger, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 300 }));
    forger.destroy();
    expect(forged.status).toBe(403);
    expect(errorCode(await forged.text())).toBe("SignatureDoesNotMatch");
    const stranger = new S3Client({ ...cloud.clientConfig, credentials: { accessKeyId: "AKIASTRANGER00000000", secretAccessKey: "x" } });
    const unknown = await fetch(await getSignedUrl(stranger, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 300 }));
    stranger.destroy();
    expect(unknown.status).toBe(403);
    expect(errorCode(await unknown.text())).toBe("InvalidAccessKeyId");
  });

  it("malformed query authentication gets AuthorizationQueryParametersError", async () => {
    const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }), { expiresIn: 300 }));
    url.searchParams.set("X-Amz-Expires", "604801");
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe("AuthorizationQueryParametersError");
  });

  it.skipIf(!hasAwsCli)("`aws s3 presign` makes a URL that fetch can use", async () => {
    const out = await awsCliAsync(cloud, ["s3", "presign", `s3://${bucket}/hello.txt`, "--expires-in", "120"]);
    expect(out.status, out.stderr).toBe(0);
    const url = out.stdout.trim();
    expect(url).toMatch(/X-Amz-Signature=|Signature=/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello, presigned");
  });
});
