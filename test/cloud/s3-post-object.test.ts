// POST Object (browser-form uploads) with fetch + FormData, as a browser
// sends them: a SigV4-signed policy form stores the file with its attributes;
// the policy's expiration, conditions, covered fields and size range are
// enforced with S3's messages; role-session signatures are verified (and a
// tampered one refused); redirects and success_action_status behave as on S3.
import { beforeAll, describe, expect, it } from "vitest";
import { createHash, createHmac } from "node:crypto";
import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { cloudForFile, type TestCloud } from "../helpers/cloud.js";
import { failure } from "../helpers/s3.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "browser-uploads";

interface Signer {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function sign(secret: string, date: string, policy: string): string {
  const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), "us-east-1"), "s3"), "aws4_request");
  return createHmac("sha256", key).update(policy).digest("hex");
}

/** A browser form: the policy covers every field given plus `extraConditions`. */
function form(
  signer: Signer,
  fields: Record<string, string>,
  file: { name: string; body: string },
  options: { expiration?: Date; extraConditions?: unknown[]; tamper?: boolean; omitFromPolicy?: string[] } = {},
): FormData {
  const date = "20260101";
  const all: Record<string, string> = {
    ...fields,
    "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
    "X-Amz-Credential": `${signer.accessKeyId}/${date}/us-east-1/s3/aws4_request`,
    "X-Amz-Date": `${date}T000000Z`,
    ...(signer.sessionToken ? { "X-Amz-Security-Token": signer.sessionToken } : {}),
  };
  const conditions: unknown[] = [{ bucket }, ...Object.entries(all).filter(([k]) => !options.omitFromPolicy?.includes(k)).map(([k, v]) => (k === "key" ? ["starts-with", "$key", v.replace("${filename}", "")] : { [k]: v })), ...(options.extraConditions ?? [])];
  const policy = Buffer.from(JSON.stringify({ expiration: (options.expiration ?? new Date(Date.now() + 600_000)).toISOString(), conditions })).toString("base64");
  const data = new FormData();
  for (const [k, v] of Object.entries(all)) data.append(k, v);
  data.append("Policy", policy);
  data.append("X-Amz-Signature", options.tamper ? "0".repeat(64) : sign(signer.secretAccessKey, date, policy));
  data.append("file", new Blob([file.body]), file.name);
  return data;
}

async function post(data: FormData, redirect: "manual" | "follow" = "manual") {
  const res = await fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: data, redirect });
  return { status: res.status, headers: res.headers, body: await res.text() };
}
const code = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
const message = (xml: string) =>
  /<Message>([^<]+)<\/Message>/.exec(xml)?.[1]?.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const admin: Signer = { accessKeyId: "test", secretAccessKey: "test" };

cloudForFile(S3Client, async (c, client) => {
  [cloud, s3] = [c, client];
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

describe("a policy form", () => {
  it("stores the file under key (with ${filename}), with content-type, metadata and tags; 204 by default", async () => {
    const res = await post(
      form(admin, { key: "uploads/${filename}", "Content-Type": "image/png", "x-amz-meta-owner": "ada", tagging: "<Tagging><TagSet><Tag><Key>src</Key><Value>form</Value></Tag></TagSet></Tagging>" }, { name: "cat photo.png", body: "PNG!" }),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get("etag")).toBe(`"${createHash("md5").update("PNG!").digest("hex")}"`);
    expect(res.headers.get("location")).toContain("/browser-uploads/uploads/cat%20photo.png");
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "uploads/cat photo.png" }));
    expect(await got.Body!.transformToString()).toBe("PNG!");
    expect(got.ContentType).toBe("image/png");
    expect(got.Metadata).toEqual({ owner: "ada" });
    expect(got.ETag).toBe(res.headers.get("etag"));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "uploads/cat photo.png" }))).TagSet).toEqual([{ Key: "src", Value: "form" }]);
  });

  it("success_action_status 201 answers a PostResponse; success_action_redirect a 303 with bucket, key and etag", async () => {
    const created = await post(form(admin, { key: "k201", success_action_status: "201" }, { name: "a", body: "a" }));
    expect(created.status).toBe(201);
    expect(created.body).toContain("<PostResponse");
    expect(created.body).toContain("<Key>k201</Key>");
    const redirected = await post(form(admin, { key: "k303", success_action_redirect: "http://example.invalid/done" }, { name: "b", body: "b" }));
    expect(redirected.status).toBe(303);
    const target = new URL(redirected.headers.get("location")!);
    expect(target.origin).toBe("http://example.invalid");
    expect(target.searchParams.get("key")).toBe("k303");
    expect(target.searchParams.get("bucket")).toBe(bucket);
    expect(target.searchParams.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
  });
});

describe("policy enforcement", () => {
  it("an expired policy: 403 AccessDenied 'Policy expired.'", async () => {
    const res = await post(form(admin, { key: "late" }, { name: "f", body: "x" }, { expiration: new Date(Date.now() - 1000) }));
    expect(res.status).toBe(403);
    expect(code(res.body)).toBe("AccessDenied");
    expect(message(res.body)).toBe("Invalid according to Policy: Policy expired.");
  });

  it("a failed condition, a field the policy does not cover, a file out of range", async () => {
    const cond = await post(form(admin, { key: "k" }, { name: "f", body: "x" }, { extraConditions: [["eq", "$Content-Type", "image/jpeg"]] }));
    expect(cond.status).toBe(403);
    expect(message(cond.body)).toBe('Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/jpeg"]');
    const extra = await post(form(admin, { key: "k", "x-amz-meta-sneaky": "1" }, { name: "f", body: "x" }, { omitFromPolicy: ["x-amz-meta-sneaky"] }));
    expect(message(extra.body)).toBe("Invalid according to Policy: Extra input fields: x-amz-meta-sneaky");
    const big = await post(form(admin, { key: "k" }, { name: "f", body: "0123456789" }, { extraConditions: [["content-length-range", 0, 5]] }));
    expect(big.status).toBe(400);
    expect(code(big.body)).toBe("EntityTooLarge");
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "k" })))).status).toBe(404);
  });

  it("a form without key or without file: InvalidArgument; not multipart: 412", async () => {
    const noKey = new FormData();
    noKey.append("file", new Blob(["x"]), "f");
    const a = await post(noKey);
    expect(code(a.body)).toBe("InvalidArgument");
    expect(message(a.body)).toContain("must contain a field named 'key'");
    const noFile = new FormData();
    noFile.append("key", "k");
    const b = await post(noFile);
    expect(message(b.body)).toBe("POST requires exactly one file upload per request.");
    const plain = await fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: "key=k", headers: { "content-type": "text/plain" } });
    expect(plain.status).toBe(412);
  });
});

describe("signatures", () => {
  let role: Signer;
  beforeAll(async () => {
    const iam = new IAMClient(cloud.clientConfig);
    await iam.send(
      new CreateRoleCommand({
        RoleName: "uploader",
        AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "uploader",
        PolicyName: "uploads",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/incoming/*` }] }),
      }),
    );
    const { Credentials } = await new STSClient(cloud.clientConfig).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/uploader", RoleSessionName: "browser" }));
    role = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
  });

  it("a role-session form is verified, authorized as the role, and refused when tampered with", async () => {
    const ok = await post(form(role, { key: "incoming/ok.txt" }, { name: "f", body: "signed" }));
    expect(ok.status).toBe(204);
    const tampered = await post(form(role, { key: "incoming/bad.txt" }, { name: "f", body: "x" }, { tamper: true }));
    expect(tampered.status).toBe(403);
    expect(code(tampered.body)).toBe("SignatureDoesNotMatch");
    const outside = await post(form(role, { key: "elsewhere/x.txt" }, { name: "f", body: "x" }));
    expect(outside.status).toBe(403);
    expect(code(outside.body)).toBe("AccessDenied");
    expect(message(outside.body)).toContain("s3:PutObject");
  });
});
