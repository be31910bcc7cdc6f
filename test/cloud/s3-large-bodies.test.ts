/**
 * Large S3 bodies go through files, not memory (gateway/spool.ts,
 * s3/upload-body.ts, s3/multipart-concat.ts, BlobStore.stream): with a tiny
 * spool threshold, every upload shape — plain, Content-MD5, each flexible
 * checksum, aws-chunked with a trailer (the SDK's stream uploads), signed
 * chunks, UNSIGNED-PAYLOAD, multipart — is stored byte for byte with the
 * right ETag and checksum, and failures leave nothing in the blob dir.
 * s3-large-bodies-memory.test.ts measures a cloud process's memory.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { s3RoleSession, signedChunkedUpload, type RoleCredentials } from "../helpers/signed-chunks.js";
import { startTestCloud, errorOf, eventually, type TestCloud } from "../helpers/cloud.js";
import { sha256Hex } from "../../src/cloud/services/s3/sigv4.js";
import { computeChecksum, type ChecksumAlgorithm } from "../../src/cloud/services/s3/checksums.js";
import { BlobStore } from "../../src/cloud/core/blob-store.js";
import { signedFetch, signHeaders } from "../helpers/signed-fetch.js";

const THRESHOLD = 64 * 1024;
process.env.LOCALCLOUD_SPOOL_BYTES = String(THRESHOLD);
// A half-sent body is answered with RequestTimeout after this (the SDK's bodies never pause this long).
process.env.LOCALCLOUD_BODY_IDLE_TIMEOUT_MS = "4000";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "large-bodies";
const md5Hex = (b: Buffer) => createHash("md5").update(b).digest("hex");

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client({ ...cloud.clientConfig, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await cloud?.close();
});

const spoolDir = () => path.join(cloud.dataDir, "blobs", "tmp");
/** Every blob file under the data dir (the fan-out folders), temp files included. */
function blobFiles(): string[] {
  const root = path.join(cloud.dataDir, "blobs");
  return fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function getBytes(key: string, range?: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

describe("large PutObject bodies are spooled to disk", () => {
  it("plain body: byte-identical, ETag is the MD5, the spool dir is used and left empty", async () => {
    const data = randomBytes(300_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "plain.bin", Body: data }));
    expect(put.ETag).toBe(`"${md5Hex(data)}"`);
    expect(fs.existsSync(spoolDir())).toBe(true); // created by the first spooled body
    expect(fs.readdirSync(spoolDir())).toEqual([]);
    expect((await getBytes("plain.bin")).equals(data)).toBe(true);
  });

  it("with Content-MD5 (as the AWS CLI sends it)", async () => {
    const data = randomBytes(200_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "md5.bin", Body: data, ContentMD5: createHash("md5").update(data).digest("base64") }));
    expect(put.ETag).toBe(`"${md5Hex(data)}"`);
    expect((await getBytes("md5.bin")).equals(data)).toBe(true);
  });

  for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as ChecksumAlgorithm[]) {
    it(`with a ${algorithm} checksum header, returned by HeadObject`, async () => {
      const data = randomBytes(150_000);
      const key = `sum-${algorithm}.bin`;
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ChecksumAlgorithm: algorithm }));
      const expected = await computeChecksum(algorithm, data);
      expect(put[`Checksum${algorithm}` as "ChecksumCRC32"]).toBe(expected);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
      expect(head[`Checksum${algorithm}` as "ChecksumCRC32"]).toBe(expected);
      expect((await getBytes(key)).equals(data)).toBe(true);
    });
  }

  it("a stream body: the SDK's aws-chunked upload with a CRC32 trailer, decoded while it streams", async () => {
    const data = randomBytes(500_000);
    const body = Readable.from((function* () {
      for (let i = 0; i < data.length; i += 40_000) yield data.subarray(i, i + 40_000);
    })());
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "stream.bin", Body: body, ContentLength: data.length }));
    expect(put.ETag).toBe(`"${md5Hex(data)}"`);
    expect(put.ChecksumCRC32).toBe(await computeChecksum("CRC32", data));
    expect((await getBytes("stream.bin")).equals(data)).toBe(true);
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });

  it("UNSIGNED-PAYLOAD and a signed literal x-amz-content-sha256 (checked against the spooled bytes)", async () => {
    const data = randomBytes(100_000);
    let res = await signedFetch(`${cloud.endpoint}/${bucket}/unsigned.bin`, { method: "PUT", body: data, headers: { authorization: authHeader(), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
    expect(res.status, await res.text()).toBe(200);
    expect((await getBytes("unsigned.bin")).equals(data)).toBe(true);
    res = await signedFetch(`${cloud.endpoint}/${bucket}/hashed.bin`, { method: "PUT", body: data, headers: { authorization: authHeader(), "x-amz-content-sha256": sha256Hex(data) } });
    expect(res.status).toBe(200);
    res = await signedFetch(`${cloud.endpoint}/${bucket}/hashed-bad.bin`, { method: "PUT", body: data, headers: { authorization: authHeader(), "x-amz-content-sha256": sha256Hex("other") } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("XAmzContentSHA256Mismatch");
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });

  it("a bad Content-MD5: BadDigest, and nothing new in the blob dir", async () => {
    const before = blobFiles().sort();
    const data = randomBytes(200_000);
    const err = await errorOf(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "bad-md5.bin", Body: data, ContentMD5: createHash("md5").update("x").digest("base64") })));
    expect(err.name).toBe("BadDigest");
    expect(blobFiles().sort()).toEqual(before);
  });

  it("a bad trailing checksum on a chunked body: BadDigest, neither the raw nor the decoded file is left", async () => {
    const before = blobFiles().sort();
    const data = randomBytes(100_000);
    const body = Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from(`\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`)]);
    const res = await signedFetch(`${cloud.endpoint}/${bucket}/bad-trailer.bin`, {
      method: "PUT",
      body,
      headers: {
        authorization: authHeader(),
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": String(data.length),
      },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("BadDigest");
    expect(blobFiles().sort()).toEqual(before);
  });

  it("a client that disconnects mid-body leaves no temp file and no object", async () => {
    const before = blobFiles().sort();
    const req = http.request(`${cloud.endpoint}/${bucket}/torn.bin`, {
      method: "PUT",
      headers: await rawHeaders("/" + bucket + "/torn.bin"),
    });
    req.on("error", () => {});
    req.write(randomBytes(300_000));
    // Hang up once the server is spooling (its temp file exists), long before the idle timeout.
    await eventually(async () => (fs.readdirSync(spoolDir()).length > 0 ? true : undefined));
    req.destroy();
    // The server removes the temp file as soon as it sees the connection close — well before the
    // idle timeout would (so this wait is shorter than that; the timeout path is the next test's).
    await eventually(async () => (fs.readdirSync(spoolDir()).length === 0 ? true : undefined), 3000);
    expect(blobFiles().sort()).toEqual(before);
    expect((await errorOf(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "torn.bin" })))).name).toBe("NotFound");
  });
});

describe("half-sent large bodies", () => {
  it("a body that stops arriving is answered with RequestTimeout and leaves no temp file", async () => {
    const before = blobFiles().sort();
    const stalledHeaders = await rawHeaders("/" + bucket + "/stalled.bin");
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${cloud.endpoint}/${bucket}/stalled.bin`, {
        method: "PUT",
        headers: stalledHeaders,
      });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode!, body }));
      });
      req.on("error", reject);
      req.write(randomBytes(300_000)); // then nothing more
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain("RequestTimeout");
    expect(fs.readdirSync(spoolDir())).toEqual([]);
    expect(blobFiles().sort()).toEqual(before);
  });
});

describe("large copies", () => {
  it("CopyObject of a large source streams it: same bytes, the MD5 ETag, the source's checksum kept", async () => {
    const data = randomBytes(400_000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "copy-src.bin", Body: data, ChecksumAlgorithm: "SHA256" }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy-dst.bin", CopySource: `${bucket}/copy-src.bin` }));
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5Hex(data)}"`);
    expect(copy.CopyObjectResult?.ChecksumSHA256).toBe(await computeChecksum("SHA256", data));
    const recomputed = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy-crc.bin", CopySource: `${bucket}/copy-src.bin`, ChecksumAlgorithm: "CRC32C" }));
    expect(recomputed.CopyObjectResult?.ChecksumCRC32C).toBe(await computeChecksum("CRC32C", data));
    expect((await getBytes("copy-dst.bin")).equals(data)).toBe(true);
    expect((await getBytes("copy-crc.bin")).equals(data)).toBe(true);
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });
});

describe("large part copies", () => {
  it("UploadPartCopy of large ranges streams them; the completed object is the source", async () => {
    const data = randomBytes(5 * 1024 * 1024 + 200_000);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "partcopy-src.bin", Body: data }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "partcopy.bin", ChecksumAlgorithm: "CRC32" }));
    const cut = 5 * 1024 * 1024;
    const c1 = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: "partcopy.bin", UploadId, PartNumber: 1, CopySource: `${bucket}/partcopy-src.bin`, CopySourceRange: `bytes=0-${cut - 1}` }));
    const c2 = await s3.send(
      new UploadPartCopyCommand({ Bucket: bucket, Key: "partcopy.bin", UploadId, PartNumber: 2, CopySource: `${bucket}/partcopy-src.bin`, CopySourceRange: `bytes=${cut}-${data.length - 1}` }),
    );
    expect(c1.CopyPartResult?.ETag).toBe(`"${md5Hex(data.subarray(0, cut))}"`);
    expect(c2.CopyPartResult?.ChecksumCRC32).toBe(await computeChecksum("CRC32", data.subarray(cut)));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "partcopy.bin",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.CopyPartResult!.ETag, ChecksumCRC32: c1.CopyPartResult!.ChecksumCRC32 }, { PartNumber: 2, ETag: c2.CopyPartResult!.ETag, ChecksumCRC32: c2.CopyPartResult!.ChecksumCRC32 }] },
      }),
    );
    expect((await getBytes("partcopy.bin")).equals(data)).toBe(true);
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });
});

describe("an in-memory blob store keeps spooled blobs as files", () => {
  it("adopt, stream (whole and a range), get, delete, clear", async () => {
    const blobs = new BlobStore(null);
    const data = randomBytes(100_000);
    const spool = blobs.spoolPath();
    fs.writeFileSync(spool, data);
    const id = await blobs.adopt({ path: spool, size: data.length });
    expect(fs.existsSync(spool)).toBe(false); // renamed: the caller may always remove the spool path
    const read = async (r?: { start: number; end: number }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of blobs.stream(id, r)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await read()).equals(data)).toBe(true);
    expect((await read({ start: 10, end: 99 })).equals(data.subarray(10, 100))).toBe(true);
    expect((await blobs.get(id)).equals(data)).toBe(true);
    const file = blobs.pathOf(id)!;
    await blobs.delete(id);
    expect(fs.existsSync(file)).toBe(false);
    const again = blobs.spoolPath();
    fs.writeFileSync(again, data);
    const other = await blobs.adopt({ path: again, size: data.length });
    const otherFile = blobs.pathOf(other)!;
    await blobs.clear();
    expect(fs.existsSync(otherFile)).toBe(false);
  });
});

describe("signed aws-chunked bodies (a role session, whose secret the cloud knows)", () => {
  let creds: RoleCredentials;
  beforeAll(async () => {
    creds = await s3RoleSession(cloud, "large-signer", "big");
  });

  const signedUpload = (objectKey: string, chunks: Buffer[], tamperAt = -1) => signedChunkedUpload(new URL(`${cloud.endpoint}/${bucket}/${objectKey}`), chunks, creds, tamperAt);

  it("a correctly signed chain is verified chunk by chunk and stored decoded", async () => {
    const data = randomBytes(300_000);
    const chunks = [0, 1, 2, 3].map((i) => data.subarray(i * 80_000, (i + 1) * 80_000));
    const { body, headers } = await signedUpload("signed.bin", chunks);
    const res = await signedFetch(`${cloud.endpoint}/${bucket}/signed.bin`, { method: "PUT", body, headers });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${md5Hex(data)}"`);
    expect((await getBytes("signed.bin")).equals(data)).toBe(true);
  });

  it("a broken signature on a middle chunk: SignatureDoesNotMatch, nothing left behind", async () => {
    const before = blobFiles().sort();
    const data = randomBytes(300_000);
    const { body, headers } = await signedUpload("signed-bad.bin", [data.subarray(0, 100_000), data.subarray(100_000, 200_000), data.subarray(200_000)], 1);
    const res = await signedFetch(`${cloud.endpoint}/${bucket}/signed-bad.bin`, { method: "PUT", body, headers });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("SignatureDoesNotMatch");
    expect(blobFiles().sort()).toEqual(before);
  });
});

describe("large multipart uploads and reads", () => {
  it("UploadPart bodies are spooled; Complete joins the parts by streaming; full and ranged GETs stream", async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(300_000);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "multi.bin", ChecksumAlgorithm: "SHA256" }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "multi.bin", UploadId, PartNumber: 1, Body: part1, ChecksumAlgorithm: "SHA256" }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "multi.bin", UploadId, PartNumber: 2, Body: part2, ChecksumAlgorithm: "SHA256" }));
    expect(p1.ETag).toBe(`"${md5Hex(part1)}"`);
    expect(p2.ChecksumSHA256).toBe(await computeChecksum("SHA256", part2));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "multi.bin",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag, ChecksumSHA256: p1.ChecksumSHA256 }, { PartNumber: 2, ETag: p2.ETag, ChecksumSHA256: p2.ChecksumSHA256 }] },
      }),
    );
    const md5s = Buffer.concat([createHash("md5").update(part1).digest(), createHash("md5").update(part2).digest()]);
    expect(done.ETag).toBe(`"${createHash("md5").update(md5s).digest("hex")}-2"`);
    const whole = Buffer.concat([part1, part2]);
    expect((await getBytes("multi.bin")).equals(whole)).toBe(true);
    expect((await getBytes("multi.bin", "bytes=1000-4999999")).equals(whole.subarray(1000, 5_000_000))).toBe(true);
    expect((await getBytes("multi.bin", "bytes=-100000")).equals(whole.subarray(whole.length - 100_000))).toBe(true);
    expect(fs.readdirSync(spoolDir())).toEqual([]);
  });

  it("a FULL_OBJECT CRC32 upload's checksum is computed while the parts are joined", async () => {
    const part1 = randomBytes(5 * 1024 * 1024);
    const part2 = randomBytes(100_000);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "full.bin", ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT" }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "full.bin", UploadId, PartNumber: 1, Body: part1, ChecksumAlgorithm: "CRC32" }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "full.bin", UploadId, PartNumber: 2, Body: part2, ChecksumAlgorithm: "CRC32" }));
    const whole = Buffer.concat([part1, part2]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "full.bin", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
    );
    expect(done.ChecksumCRC32).toBe(await computeChecksum("CRC32", whole));
    expect((await getBytes("full.bin")).equals(whole)).toBe(true);
  });
});

/** A SigV4-looking Authorization header for raw requests (the admin's key; any signature is accepted). */
function authHeader(): string {
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  return `AWS4-HMAC-SHA256 Credential=test/${date}/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${"0".repeat(64)}`;
}

/** Signed headers for a raw 1,000,000-byte PUT whose body the test sends (partly) itself. */
async function rawHeaders(pathname: string): Promise<Record<string, string>> {
  const url = new URL(cloud.endpoint);
  const signed = await signHeaders({
    method: "PUT",
    host: url.host,
    path: pathname,
    headers: { "content-length": String(1_000_000), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    service: "s3",
  });
  return signed;
}
