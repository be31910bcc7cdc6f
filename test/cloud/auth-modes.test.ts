// Issue 11: the start options of authentication — configured administrator
// credentials, `--auth any` (today's "any key is the admin", with a warning),
// a relaxed clock-skew limit, and `--host 0.0.0.0` refusing the well-known
// credentials — and the AWS CLI working unchanged with test/test. Also the
// administrator's POST policies and chunk signatures, now verified.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, DeletePublicAccessBlockCommand, GetObjectCommand, ListBucketsCommand, PutBucketPolicyCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsCliAsync, errorOf, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { start, UnsafeSharingError } from "../../src/cloud/index.js";
import { signHeaders } from "../helpers/signed-fetch.js";
import { EMPTY_SHA256, hmac, sha256Hex, signingKey } from "../../src/cloud/gateway/auth/sigv4.js";

const stranger = { accessKeyId: "AKIAANYTHINGGOES000", secretAccessKey: "whatever" };

describe("--auth any", () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ auth: "any" });
  });
  afterAll(() => cloud?.close());

  it("warns at start, and any key is the administrator, as before", async () => {
    expect(cloud.logs.some((l) => l.includes("--auth any") && l.includes("NOT verified"))).toBe(true);
    const sts = new STSClient({ ...cloud.clientConfig, credentials: stranger });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe("arn:aws:iam::000000000000:root");
    sts.destroy();
    const s3 = new S3Client({ ...cloud.clientConfig, credentials: { accessKeyId: "test", secretAccessKey: "not-test" } });
    await s3.send(new ListBucketsCommand({}));
    s3.destroy();
  });

  it("still refuses what web pages send: unsigned awsQuery and foreign Hosts", async () => {
    const res = await fetch(`${cloud.endpoint}/`, { method: "POST", body: "Action=ListQueues&Version=2012-11-05", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("MissingAuthenticationToken");
  });
});

describe("configured credentials", () => {
  let cloud: TestCloud;
  const mine = { accessKeyId: "CLASSROOM1", secretAccessKey: "s3cr3t:with-colon" };
  beforeAll(async () => {
    cloud = await startTestCloud({ credentials: `${mine.accessKeyId}:${mine.secretAccessKey}` });
  });
  afterAll(() => cloud?.close());

  it("accepts the configured administrator and refuses test/test, which is now an unknown key", async () => {
    expect(cloud.credentials).toEqual(mine);
    const ok = new SQSClient({ ...cloud.clientConfig, credentials: mine });
    await ok.send(new ListQueuesCommand({}));
    ok.destroy();
    const old = new SQSClient({ ...cloud.clientConfig, maxAttempts: 1 });
    expect((await errorOf(old.send(new ListQueuesCommand({})))).name).toBe("InvalidClientTokenId");
    old.destroy();
  });

  it("refuses a malformed --credentials value", async () => {
    await expect(start({ port: 0, inMemory: true, credentials: "no-colon" })).rejects.toThrow(/KEY:SECRET/);
  });
});

describe("--host 0.0.0.0", () => {
  it("refuses to start with the well-known credentials or --auth any, and suggests generated ones", async () => {
    const err = await errorOf(start({ port: 0, inMemory: true, host: "0.0.0.0" }));
    expect(err).toBeInstanceOf(UnsafeSharingError);
    expect(err.message).toMatch(/--credentials [A-Z0-9]+:\S+/);
    expect((err as UnsafeSharingError).suggested.secretAccessKey).not.toBe("test");
    expect(await errorOf(start({ port: 0, inMemory: true, host: "0.0.0.0", credentials: "ROOM:secret", auth: "any" }))).toBeInstanceOf(UnsafeSharingError);
  });

  it("starts with credentials of one's own, and they are required", async () => {
    const running = await start({ port: 0, inMemory: true, host: "0.0.0.0", credentials: "ROOM2:classroom-secret", logSink: () => {} });
    try {
      const sts = new STSClient({ endpoint: running.endpoint, region: "us-east-1", credentials: { accessKeyId: "ROOM2", secretAccessKey: "classroom-secret" } });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
      sts.destroy();
      const s3 = new S3Client({ endpoint: running.endpoint, region: "us-east-1", forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
      expect((await errorOf(s3.send(new ListBucketsCommand({})))).name).toBe("InvalidAccessKeyId");
      s3.destroy();
    } finally {
      await running.close();
    }
  });
});

describe("a relaxed clock-skew limit (laptops with bad clocks)", () => {
  it("accepts a request signed two hours off", async () => {
    const cloud = await startTestCloud({ maxClockSkewMinutes: Infinity });
    try {
      const sts = new STSClient({ ...cloud.clientConfig, maxAttempts: 1, systemClockOffset: -2 * 3600_000 });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");
      sts.destroy();
    } finally {
      await cloud.close();
    }
  });
});

describe("the administrator's S3 signatures beyond the header", () => {
  let cloud: TestCloud;
  const bucket = "admin-signatures";
  beforeAll(async () => {
    cloud = await startTestCloud();
    const s3 = new S3Client(cloud.clientConfig);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
  });
  afterAll(() => cloud?.close());

  /** A POST policy form signed with `secret`. */
  function postForm(secret: string): FormData {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
    const credential = `test/${date.slice(0, 8)}/us-east-1/s3/aws4_request`;
    const policy = Buffer.from(
      JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket }, ["starts-with", "$key", "posted/"], { "x-amz-algorithm": "AWS4-HMAC-SHA256" }, { "x-amz-credential": credential }, { "x-amz-date": date }] }),
    ).toString("base64");
    const signature = hmac(signingKey(secret, date.slice(0, 8), "us-east-1", "s3"), policy).toString("hex");
    const form = new FormData();
    for (const [k, v] of Object.entries({ key: "posted/a.txt", "x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential, "x-amz-date": date, policy, "x-amz-signature": signature })) form.append(k, v);
    form.append("file", new Blob(["posted"]), "a.txt");
    return form;
  }

  it("POST policies: the admin's secret is checked — a forged one is SignatureDoesNotMatch", async () => {
    const forged = await fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: postForm("guessed") });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("SignatureDoesNotMatch");
    const ok = await fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: postForm("test") });
    expect(ok.status).toBe(204);
  });

  it("a form without a policy is anonymous: written only where the bucket policy allows anonymous PutObject", async () => {
    const anonymousForm = () => {
      const form = new FormData();
      form.append("key", "public/x.txt");
      form.append("file", new Blob(["anon"]), "x.txt");
      return form;
    };
    expect((await fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: anonymousForm() })).status).toBe(403);
    const s3 = new S3Client(cloud.clientConfig);
    // New buckets block public policies, as on AWS since 2023: lift that first.
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: bucket,
        Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:PutObject", "s3:GetObject"], Resource: `arn:aws:s3:::${bucket}/public/*` }] }),
      }),
    );
    expect((await fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: anonymousForm() })).status).toBe(204);
    // The anonymous read the policy grants, and nothing beyond it.
    const read = await fetch(`${cloud.endpoint}/${bucket}/public/x.txt`);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe("anon");
    expect((await fetch(`${cloud.endpoint}/${bucket}/posted/a.txt`)).status).toBe(403);
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "posted/a.txt" }));
    s3.destroy();
  });

  it("aws-chunked chunk signatures of the admin are verified: a chain made with a forged secret is refused", async () => {
    const chunk = Buffer.alloc(100, 7);
    async function upload(secret: string): Promise<Response> {
      const url = new URL(`${cloud.endpoint}/${bucket}/chunked.bin`);
      const headers = await signHeaders({
        method: "PUT",
        host: url.host,
        path: url.pathname,
        headers: { "content-encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-decoded-content-length": String(chunk.length) },
        service: "s3",
      });
      delete headers.host;
      const amzDate = headers["x-amz-date"]!;
      const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
      const key = signingKey(secret, amzDate.slice(0, 8), "us-east-1", "s3");
      let previous = /Signature=([0-9a-f]{64})/.exec(headers.authorization!)![1]!;
      const parts: Buffer[] = [];
      for (const c of [chunk, Buffer.alloc(0)]) {
        const signature = hmac(key, ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256, sha256Hex(c)].join("\n")).toString("hex");
        parts.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${signature}\r\n`), c, Buffer.from("\r\n"));
        previous = signature;
      }
      return fetch(url, { method: "PUT", headers, body: Buffer.concat(parts) });
    }
    const forged = await upload("guessed");
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("SignatureDoesNotMatch");
    expect((await upload("test")).status).toBe(200);
  });
});

describe.skipIf(!hasAwsCli)("the AWS CLI with test/test", () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(() => cloud?.close());

  it("works across protocol families, as before", async () => {
    for (const args of [
      ["sts", "get-caller-identity"],
      ["s3api", "create-bucket", "--bucket", "cli-auth-check"],
      ["sqs", "create-queue", "--queue-name", "cli-auth-check"],
      ["dynamodb", "list-tables"],
      ["lambda", "list-functions"],
      ["logs", "describe-log-groups"],
    ]) {
      const out = await awsCliAsync(cloud, args);
      expect(out.status, `${args.join(" ")}: ${out.stderr}`).toBe(0);
    }
  });
});
