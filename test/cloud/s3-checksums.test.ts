// Checksums and aws-chunked bodies through the real SDK and raw HTTP:
// SDK v3's default CRC32 on PutObject (plain body, and aws-chunked with a
// trailer for stream bodies), other algorithms, GetObject with checksum mode,
// and the refusals S3 gives for wrong checksums and broken chunked bodies —
// none of which may store anything.
import { beforeAll, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { createHash, randomBytes } from "node:crypto";
import { S3Client, CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { s3RoleSession, signedChunkedUpload, type RoleCredentials } from "../helpers/signed-chunks.js";
import { cloudForFile, type TestCloud } from "../helpers/cloud.js";
import { computeChecksum } from "../../src/cloud/services/s3/checksums.js";
import { signedFetch } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "checksum-bucket";
const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + "0".repeat(64);

function errorCode(xml: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];
}
function errorMessage(xml: string): string | undefined {
  return /<Message>([^<]+)<\/Message>/.exec(xml)?.[1];
}
async function absent(key: string): Promise<void> {
  await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: "NotFound" });
}
function chunked(parts: Buffer[], trailer = ""): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) out.push(Buffer.from(p.length.toString(16) + "\r\n"), p, Buffer.from("\r\n"));
  out.push(Buffer.from("0\r\n" + trailer + "\r\n"));
  return Buffer.concat(out);
}
function put(key: string, body: Buffer | string, headers: Record<string, string>) {
  return signedFetch(`${cloud.endpoint}/${bucket}/${encodeURIComponent(key)}`, { method: "PUT", body, headers: { authorization: auth, ...headers } });
}

cloudForFile(S3Client, async (c, client) => {
  [cloud, s3] = [c, client];
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

describe("checksums the SDK sends by default", () => {
  it("PutObject with a string: CRC32 verified, echoed, and returned by GetObject with ChecksumMode ENABLED", async () => {
    const body = "a small text body";
    const expected = await computeChecksum("CRC32", Buffer.from(body));
    const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "small.txt", Body: body }));
    expect(out.ChecksumCRC32).toBe(expected);
    expect(out.ETag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "small.txt", ChecksumMode: "ENABLED" }));
    expect(got.ChecksumCRC32).toBe(expected);
    expect(got.ChecksumType).toBe("FULL_OBJECT");
    expect(await got.Body!.transformToString()).toBe(body);
  });

  it("PutObject with a stream body goes aws-chunked with a CRC32 trailer and is stored byte-exact", async () => {
    const data = randomBytes(300_000);
    const stream = Readable.from([data.subarray(0, 100_000), data.subarray(100_000, 250_000), data.subarray(250_000)]);
    // Record what the SDK really put on the wire, to be sure this is the aws-chunked path.
    const sent: Record<string, string>[] = [];
    const client = new S3Client(cloud.clientConfig);
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...((args.request as { headers: Record<string, string> }).headers ?? {}) });
        return next(args);
      },
      { step: "finalizeRequest", name: "recordHeaders" },
    );
    const out = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "stream.bin", Body: stream, ContentLength: data.length }));
    expect(sent[0]).toMatchObject({
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-trailer": "x-amz-checksum-crc32",
      "x-amz-decoded-content-length": String(data.length),
    });
    expect(out.ChecksumCRC32).toBe(await computeChecksum("CRC32", data));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "stream.bin", ChecksumMode: "ENABLED" }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    expect(got.ContentLength).toBe(data.length);
    expect(got.ContentEncoding).toBeUndefined(); // aws-chunked is a transfer detail, never stored
    expect(got.ChecksumCRC32).toBe(out.ChecksumCRC32);
  });

  it("each other algorithm the SDK offers is verified, echoed and returned", async () => {
    const body = Buffer.from("checksum me, please");
    const cases = [
      ["CRC32C", "ChecksumCRC32C"],
      ["CRC64NVME", "ChecksumCRC64NVME"],
      ["SHA1", "ChecksumSHA1"],
      ["SHA256", "ChecksumSHA256"],
    ] as const;
    for (const [algorithm, field] of cases) {
      const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `alg-${algorithm}`, Body: body, ChecksumAlgorithm: algorithm }));
      const expected = await computeChecksum(algorithm, body);
      expect(out[field]).toBe(expected);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `alg-${algorithm}`, ChecksumMode: "ENABLED" }));
      expect(head[field]).toBe(expected);
    }
  });

  it("checksums survive a restart", async () => {
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    const got = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "alg-SHA256", ChecksumMode: "ENABLED" }));
    expect(got.ChecksumSHA256).toBe(await computeChecksum("SHA256", Buffer.from("checksum me, please")));
  });
});

describe("refusals, with nothing stored", () => {
  it("a wrong x-amz-checksum-crc32 header: 400 BadDigest", async () => {
    const res = await put("bad-crc.txt", "payload", { "x-amz-checksum-crc32": await computeChecksum("CRC32", Buffer.from("other")) });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(errorCode(xml)).toBe("BadDigest");
    expect(errorMessage(xml)).toBe("The CRC32 you specified did not match the calculated checksum.");
    await absent("bad-crc.txt");
  });

  it("a wrong Content-MD5: 400 BadDigest; a malformed one: 400 InvalidDigest", async () => {
    const wrong = await put("bad-md5.txt", "payload", { "content-md5": createHash("md5").update("x").digest("base64") });
    expect([wrong.status, errorCode(await wrong.text())]).toEqual([400, "BadDigest"]);
    const malformed = await put("bad-md5.txt", "payload", { "content-md5": "not-an-md5" });
    expect([malformed.status, errorCode(await malformed.text())]).toEqual([400, "InvalidDigest"]);
    await absent("bad-md5.txt");
  });

  it("an aws-chunked body whose trailing CRC32 does not match: 400 BadDigest", async () => {
    const data = Buffer.from("chunk one|chunk two");
    const res = await put("bad-trailer.txt", chunked([data.subarray(0, 9), data.subarray(9)], `x-amz-checksum-crc32:${await computeChecksum("CRC32", Buffer.from("nope"))}\r\n`), {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
      "x-amz-sdk-checksum-algorithm": "CRC32",
    });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(errorCode(xml)).toBe("BadDigest");
    await absent("bad-trailer.txt");
  });

  it("an aws-chunked body that ends early: 400 IncompleteBody", async () => {
    const data = Buffer.from("0123456789abcdef");
    const whole = chunked([data]);
    const res = await put("cut.txt", whole.subarray(0, 12), {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(data.length),
    });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe("IncompleteBody");
    await absent("cut.txt");
  });

  it("a correct hand-made aws-chunked upload with a SHA256 trailer is stored decoded", async () => {
    const data = Buffer.from("made by hand, in two chunks");
    const sha = await computeChecksum("SHA256", data);
    const res = await put("by-hand.txt", chunked([data.subarray(0, 7), data.subarray(7)], `x-amz-checksum-sha256:${sha}\r\n`), {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-sha256",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-amz-checksum-sha256")).toBe(sha);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "by-hand.txt" }));
    expect(await got.Body!.transformToString()).toBe(data.toString());
  });

  it("two different checksum headers: 400 InvalidRequest", async () => {
    const body = Buffer.from("x");
    const res = await put("two.txt", body, { "x-amz-checksum-crc32": await computeChecksum("CRC32", body), "x-amz-checksum-sha1": await computeChecksum("SHA1", body) });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(errorCode(xml)).toBe("InvalidRequest");
    await absent("two.txt");
  });
});

describe("signed streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)", () => {
  // A role session's secret is known to the local cloud, so its chunk signatures are verified.
  let creds: RoleCredentials;
  beforeAll(async () => {
    creds = await s3RoleSession(cloud, "chunk-signer", "stream");
  });

  /** A signed aws-chunked body: each chunk's signature chains from the previous one (seed = the header's); `tamper` breaks the final chunk's. */
  const signedUpload = (objectKey: string, chunks: Buffer[], tamper = false) =>
    signedChunkedUpload(new URL(`${cloud.endpoint}/${bucket}/${objectKey}`), chunks, creds, tamper ? chunks.length : -1);

  it("a correctly signed chunk chain is stored decoded", async () => {
    const data = randomBytes(20_000);
    const { body, headers } = await signedUpload("signed.bin", [data.subarray(0, 8192), data.subarray(8192, 16384), data.subarray(16384)]);
    const res = await signedFetch(`${cloud.endpoint}/${bucket}/signed.bin`, { method: "PUT", body, headers });
    expect(res.status, await res.clone().text()).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "signed.bin" }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });

  it("a broken chunk signature: 403 SignatureDoesNotMatch, nothing stored", async () => {
    const { body, headers } = await signedUpload("signed-bad.bin", [randomBytes(9000), randomBytes(100)], true);
    const res = await signedFetch(`${cloud.endpoint}/${bucket}/signed-bad.bin`, { method: "PUT", body, headers });
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe("SignatureDoesNotMatch");
    await absent("signed-bad.bin");
  });

  it("a short chunk before the last: InvalidChunkSizeError", async () => {
    const { body, headers } = await signedUpload("signed-small.bin", [randomBytes(100), randomBytes(100)]);
    const res = await signedFetch(`${cloud.endpoint}/${bucket}/signed-small.bin`, { method: "PUT", body, headers });
    expect(res.status).toBe(400);
    expect(errorCode(await res.text())).toBe("InvalidChunkSizeError");
    await absent("signed-small.bin");
  });
});
