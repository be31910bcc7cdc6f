// Multipart upload through the real SDK (CreateMultipartUpload/UploadPart/
// UploadPartCopy/Complete/Abort/ListParts/ListMultipartUploads) and the real
// AWS CLI (`aws s3 cp` of 20 MB switches to multipart above 8 MB): ETags and
// composite checksums as S3 computes them, every validation error of Complete,
// state surviving a restart, and byte-exact round trips.
import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import {
  S3Client,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketVersioningCommand,
  DeleteBucketCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { cloudForFile, awsCliAsync, hasAwsCli, type TestCloud } from "../helpers/cloud.js";
import { computeChecksum } from "../../src/cloud/services/s3/checksums.js";
import { signedFetch } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "multipart-bucket";
const MiB = 1024 * 1024;

const md5 = (b: Buffer) => createHash("md5").update(b).digest();
function multipartEtag(parts: Buffer[]): string {
  return `"${createHash("md5").update(Buffer.concat(parts.map(md5))).digest("hex")}-${parts.length}"`;
}

async function start(key: string, extra: Partial<ConstructorParameters<typeof CreateMultipartUploadCommand>[0]> = {}) {
  const out = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra }));
  return out.UploadId!;
}
async function part(key: string, uploadId: string, partNumber: number, body: Buffer) {
  return s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body: body }));
}

cloudForFile(S3Client, async (c, client) => {
  [cloud, s3] = [c, client];
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

describe("a complete multipart upload", () => {
  it("assembles the parts, with S3's ETag and a composite CRC32, and keeps Create's attributes", async () => {
    const key = "videos/clip.bin";
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    const uploadId = await start(key, { ContentType: "video/mp4", Metadata: { camera: "front" }, ChecksumAlgorithm: "CRC32" });
    expect(uploadId).toMatch(/^[A-Za-z0-9_.-]{20,}$/);
    const uploaded = [];
    for (const [i, body] of parts.entries()) {
      const out = await part(key, uploadId, i + 1, body);
      expect(out.ETag).toBe(`"${md5(body).toString("hex")}"`);
      expect(out.ChecksumCRC32).toBe(await computeChecksum("CRC32", body));
      uploaded.push({ PartNumber: i + 1, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 });
    }
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: uploaded } }));
    expect(done.ETag).toBe(multipartEtag(parts));
    expect(done.Key).toBe(key);
    expect(done.Bucket).toBe(bucket);
    const composite = await computeChecksum("CRC32", Buffer.concat(await Promise.all(parts.map(async (p) => Buffer.from(await computeChecksum("CRC32", p), "base64")))));
    expect(done.ChecksumCRC32).toBe(`${composite}-3`);
    expect(done.ChecksumType).toBe("COMPOSITE");

    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts))).toBe(true);
    expect(got.ETag).toBe(done.ETag);
    expect(got.ContentType).toBe("video/mp4");
    expect(got.Metadata).toEqual({ camera: "front" });

    // The upload is gone once completed.
    await expect(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))).rejects.toMatchObject({ name: "NoSuchUpload" });
  });

  it("a part uploaded twice keeps the last bytes; a single small part is a valid upload", async () => {
    const key = "retry.txt";
    const uploadId = await start(key);
    await part(key, uploadId, 1, Buffer.from("first try"));
    const second = await part(key, uploadId, 1, Buffer.from("second try"));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: second.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await got.Body!.transformToString()).toBe("second try");
    expect(got.ETag).toBe(multipartEtag([Buffer.from("second try")]));
  });

  it("UploadPartCopy copies a byte range of an existing object", async () => {
    const source = randomBytes(6 * MiB);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "source.bin", Body: source }));
    const key = "copied.bin";
    const uploadId = await start(key);
    const first = await s3.send(
      new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, CopySource: `${bucket}/source.bin`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }),
    );
    expect(first.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(0, 5 * MiB)).toString("hex")}"`);
    const second = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 2, CopySource: `${bucket}/source.bin`, CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}` }));
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: first.CopyPartResult!.ETag }, { PartNumber: 2, ETag: second.CopyPartResult!.ETag }] },
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(source)).toBe(true);

    await expect(
      s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: await start(key), PartNumber: 1, CopySource: `${bucket}/source.bin`, CopySourceRange: `bytes=0-${7 * MiB}` })),
    ).rejects.toMatchObject({ name: "InvalidRequest" });
  });
});

describe("part integrity and checksum types", () => {
  it("UploadPart refuses a wrong Content-MD5 or checksum (BadDigest) and stores nothing", async () => {
    const key = "integrity.txt";
    const uploadId = await start(key);
    await expect(
      s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: Buffer.from("abc"), ContentMD5: md5(Buffer.from("xyz")).toString("base64") })),
    ).rejects.toMatchObject({ name: "BadDigest", message: "The Content-MD5 you specified did not match what we received." });
    await expect(
      s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: 1, Body: Buffer.from("abc"), ChecksumCRC32: await computeChecksum("CRC32", Buffer.from("xyz")) })),
    ).rejects.toMatchObject({ name: "BadDigest", message: "The CRC32 you specified did not match the calculated checksum." });
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect(listed.Parts ?? []).toEqual([]);
  });

  it("a composite upload needs each part's checksum in Complete, and a wrong one is InvalidPart", async () => {
    const key = "composite-check.txt";
    const uploadId = await start(key, { ChecksumAlgorithm: "CRC32" });
    const p1 = await part(key, uploadId, 1, Buffer.from("only part"));
    const complete = (Parts: Array<{ PartNumber: number; ETag: string; ChecksumCRC32?: string }>) =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts } }));
    await expect(complete([{ PartNumber: 1, ETag: p1.ETag! }])).rejects.toMatchObject({
      name: "InvalidRequest",
      message: "The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.",
    });
    await expect(complete([{ PartNumber: 1, ETag: p1.ETag!, ChecksumCRC32: await computeChecksum("CRC32", Buffer.from("other")) }])).rejects.toMatchObject({ name: "InvalidPart" });
    const done = await complete([{ PartNumber: 1, ETag: p1.ETag!, ChecksumCRC32: p1.ChecksumCRC32! }]);
    expect(done.ChecksumCRC32).toMatch(/-1$/);
  });

  it("a FULL_OBJECT CRC32 upload gets the CRC32 of the whole object, checked against the one sent with Complete", async () => {
    const key = "full-object.bin";
    const parts = [randomBytes(5 * MiB), randomBytes(1000)];
    const whole = Buffer.concat(parts);
    const uploadId = await start(key, { ChecksumAlgorithm: "CRC32", ChecksumType: "FULL_OBJECT" });
    const uploaded = [];
    for (const [i, body] of parts.entries()) {
      const out = await part(key, uploadId, i + 1, body);
      uploaded.push({ PartNumber: i + 1, ETag: out.ETag! });
    }
    const wrong = s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ChecksumCRC32: await computeChecksum("CRC32", Buffer.from("nope")), ChecksumType: "FULL_OBJECT", MultipartUpload: { Parts: uploaded } }),
    );
    await expect(wrong).rejects.toMatchObject({ name: "BadDigest" });
    const expected = await computeChecksum("CRC32", whole);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, ChecksumCRC32: expected, ChecksumType: "FULL_OBJECT", MultipartUpload: { Parts: uploaded } }),
    );
    expect(done.ChecksumCRC32).toBe(expected);
    expect(done.ChecksumType).toBe("FULL_OBJECT");
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: "ENABLED" }));
    expect(head.ChecksumCRC32).toBe(expected);
    expect(head.ChecksumType).toBe("FULL_OBJECT");
  });

  it("refuses checksum types an algorithm cannot have", async () => {
    await expect(start("bad-type.txt", { ChecksumAlgorithm: "SHA256", ChecksumType: "FULL_OBJECT" })).rejects.toMatchObject({ name: "InvalidRequest" });
    await expect(start("bad-type.txt", { ChecksumAlgorithm: "CRC64NVME", ChecksumType: "COMPOSITE" })).rejects.toMatchObject({ name: "InvalidRequest" });
  });
});

describe("Complete's validation", () => {
  let uploadId: string;
  let etags: string[];
  const key = "checked.bin";
  beforeAll(async () => {
    uploadId = await start(key);
    etags = [];
    etags.push((await part(key, uploadId, 1, Buffer.alloc(5 * MiB, 1))).ETag!);
    etags.push((await part(key, uploadId, 2, Buffer.from("small middle part"))).ETag!);
    etags.push((await part(key, uploadId, 3, Buffer.from("last"))).ETag!);
  });
  const complete = (parts: Array<{ PartNumber: number; ETag: string }>) =>
    s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));

  it("parts out of order: InvalidPartOrder", async () => {
    await expect(complete([{ PartNumber: 2, ETag: etags[1]! }, { PartNumber: 1, ETag: etags[0]! }])).rejects.toMatchObject({
      name: "InvalidPartOrder",
      message: "The list of parts was not in ascending order. Parts must be ordered by part number.",
    });
  });
  it("a part never uploaded, or with another ETag: InvalidPart", async () => {
    await expect(complete([{ PartNumber: 1, ETag: etags[0]! }, { PartNumber: 7, ETag: etags[1]! }])).rejects.toMatchObject({ name: "InvalidPart" });
    await expect(complete([{ PartNumber: 1, ETag: `"${"0".repeat(32)}"` }])).rejects.toMatchObject({ name: "InvalidPart" });
  });
  it("a part under 5 MiB that is not the last: EntityTooSmall", async () => {
    await expect(complete([{ PartNumber: 1, ETag: etags[0]! }, { PartNumber: 2, ETag: etags[1]! }, { PartNumber: 3, ETag: etags[2]! }])).rejects.toMatchObject({
      name: "EntityTooSmall",
      message: "Your proposed upload is smaller than the minimum allowed size",
    });
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({ name: "NotFound" });
  });
  it("the failed attempts left the upload usable: skipping the small part completes", async () => {
    const done = await complete([{ PartNumber: 1, ETag: etags[0]! }, { PartNumber: 3, ETag: etags[2]! }]);
    expect(done.ETag).toBe(multipartEtag([Buffer.alloc(5 * MiB, 1), Buffer.from("last")]));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(5 * MiB + 4);
  });
  it("part numbers outside 1–10000: InvalidArgument", async () => {
    const id = await start("numbers.txt");
    await expect(part("numbers.txt", id, 10001, Buffer.from("x"))).rejects.toMatchObject({ name: "InvalidArgument" });
  });
});

describe("abort, list, unknown uploads", () => {
  it("Abort frees the upload: later calls get NoSuchUpload", async () => {
    const key = "aborted.txt";
    const uploadId = await start(key);
    await part(key, uploadId, 1, Buffer.from("x"));
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    await expect(part(key, uploadId, 2, Buffer.from("y"))).rejects.toMatchObject({ name: "NoSuchUpload", $metadata: { httpStatusCode: 404 } });
    await expect(s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))).rejects.toMatchObject({ name: "NoSuchUpload" });
    await expect(s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: "not-an-upload" }))).rejects.toMatchObject({ name: "NoSuchUpload" });
    // An upload id only works with its own key.
    const other = await start("mine.txt");
    await expect(part("not-mine.txt", other, 1, Buffer.from("x"))).rejects.toMatchObject({ name: "NoSuchUpload" });
  });

  it("ListParts pages with max-parts and part-number-marker", async () => {
    const key = "listed.txt";
    const uploadId = await start(key, { ChecksumAlgorithm: "SHA256" });
    // The SDK's default part checksum (CRC32) is refused for a SHA256 upload, as on AWS.
    await expect(part(key, uploadId, 1, Buffer.from("part 1"))).rejects.toMatchObject({
      name: "InvalidRequest",
      message: "Checksum Type mismatch occurred, expected checksum Type: sha256, actual checksum Type: crc32",
    });
    for (const n of [1, 2, 3]) {
      await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: n, Body: Buffer.from(`part ${n}`), ChecksumAlgorithm: "SHA256" }));
    }
    const first = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MaxParts: 2 }));
    expect(first.Parts?.map((p) => p.PartNumber)).toEqual([1, 2]);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextPartNumberMarker).toBe("2");
    expect(first.Parts?.[0]?.Size).toBe(6);
    expect(first.Parts?.[0]?.ChecksumSHA256).toBe(await computeChecksum("SHA256", Buffer.from("part 1")));
    expect(first.ChecksumAlgorithm).toBe("SHA256");
    const second = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: "2" }));
    expect(second.Parts?.map((p) => p.PartNumber)).toEqual([3]);
    expect(second.IsTruncated).toBe(false);
  });

  it("ListMultipartUploads filters by prefix, groups by delimiter and pages", async () => {
    const listBucket = "uploads-list";
    await s3.send(new CreateBucketCommand({ Bucket: listBucket }));
    for (const key of ["a/1.txt", "a/2.txt", "b.txt", "c/d/e.txt"]) await s3.send(new CreateMultipartUploadCommand({ Bucket: listBucket, Key: key }));
    const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket }));
    expect(all.Uploads?.map((u) => u.Key)).toEqual(["a/1.txt", "a/2.txt", "b.txt", "c/d/e.txt"]);
    expect(all.Uploads?.[0]?.Initiated).toBeInstanceOf(Date);
    const grouped = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket, Delimiter: "/" }));
    expect(grouped.Uploads?.map((u) => u.Key)).toEqual(["b.txt"]);
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "c/"]);
    const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket, MaxUploads: 2 }));
    expect(page.IsTruncated).toBe(true);
    expect(page.Uploads?.map((u) => u.Key)).toEqual(["a/1.txt", "a/2.txt"]);
    const rest = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket, KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker }));
    expect(rest.Uploads?.map((u) => u.Key)).toEqual(["b.txt", "c/d/e.txt"]);
    const prefixed = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket, Prefix: "c/" }));
    expect(prefixed.Uploads?.map((u) => u.Key)).toEqual(["c/d/e.txt"]);
    // Keys that need encoding come back as they were (with and without encoding-type=url).
    const awkward = "uploads/my photo+1 (ü)@x=y.jpg";
    await s3.send(new CreateMultipartUploadCommand({ Bucket: listBucket, Key: awkward }));
    const plain = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket, Prefix: "uploads/" }));
    expect(plain.Uploads?.map((u) => u.Key)).toEqual([awkward]);
    const encoded = await s3.send(new ListMultipartUploadsCommand({ Bucket: listBucket, Prefix: "uploads/", EncodingType: "url" }));
    expect(encoded.EncodingType).toBe("url");
    expect(encoded.Uploads?.map((u) => decodeURIComponent(u.Key!))).toEqual([awkward]);
  });
});

describe("bad input gets S3's 4xx, never a 5xx", () => {
  const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=" + "0".repeat(64);
  const call = (method: string, pathAndQuery: string, body?: string, headers: Record<string, string> = {}) =>
    signedFetch(`${cloud.endpoint}/${bucket}/${pathAndQuery}`, { method, body, headers: { authorization: auth, ...headers } });
  const code = async (res: Response) => /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];

  it("Complete with broken, empty or odd XML: 400 MalformedXML", async () => {
    const uploadId = await start("xml.txt");
    const cases = [
      "<CompleteMultipartUpload><Part>",
      "<CompleteMultipartUpload></CompleteMultipartUpload>",
      "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
      "<Something/>",
    ];
    for (const body of cases) {
      const res = await call("POST", `xml.txt?uploadId=${encodeURIComponent(uploadId)}`, body);
      expect([res.status, await code(res)]).toEqual([400, "MalformedXML"]);
    }
  });

  it("bad list parameters and copy ranges: 400 InvalidArgument", async () => {
    const uploadId = await start("params.txt");
    const negative = await call("GET", `params.txt?uploadId=${encodeURIComponent(uploadId)}&max-parts=-1`);
    expect([negative.status, await code(negative)]).toEqual([400, "InvalidArgument"]);
    const words = await call("GET", `params.txt?uploadId=${encodeURIComponent(uploadId)}&part-number-marker=abc`);
    expect([words.status, await code(words)]).toEqual([400, "InvalidArgument"]);
    const uploads = await call("GET", `?uploads&max-uploads=lots`);
    expect([uploads.status, await code(uploads)]).toEqual([400, "InvalidArgument"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "range-source.txt", Body: "0123456789" }));
    const range = await call("PUT", `params.txt?uploadId=${encodeURIComponent(uploadId)}&partNumber=1`, undefined, {
      "x-amz-copy-source": `${bucket}/range-source.txt`,
      "x-amz-copy-source-range": "bytes=5-",
    });
    expect([range.status, await code(range)]).toEqual([400, "InvalidArgument"]);
    const partZero = await call("PUT", `params.txt?uploadId=${encodeURIComponent(uploadId)}&partNumber=0`, "x");
    expect([partZero.status, await code(partZero)]).toEqual([400, "InvalidArgument"]);
  });

  it("CreateMultipartUpload with an unknown checksum algorithm: 400 InvalidRequest", async () => {
    const res = await call("POST", "alg.txt?uploads", undefined, { "x-amz-checksum-algorithm": "MD4" });
    expect([res.status, await code(res)]).toEqual([400, "InvalidRequest"]);
  });
});

describe("through the object store", () => {
  it("Complete on a versioned bucket creates a new version, like any write", async () => {
    const vBucket = "multipart-versioned";
    await s3.send(new CreateBucketCommand({ Bucket: vBucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: vBucket, VersioningConfiguration: { Status: "Enabled" } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: vBucket, Key: "doc.txt", Body: "v1" }));
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: vBucket, Key: "doc.txt" }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: vBucket, Key: "doc.txt", UploadId: created.UploadId, PartNumber: 1, Body: "v2 via multipart" }));
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: vBucket, Key: "doc.txt", UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }),
    );
    expect(done.VersionId).toBeTruthy();
    expect(done.VersionId).not.toBe(first.VersionId);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: vBucket, Prefix: "doc.txt" }));
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [done.VersionId, true],
      [first.VersionId, false],
    ]);
  });

  it("deleting a bucket (S3 allows it with uploads in progress) drops its uploads", async () => {
    const tmp = "multipart-doomed";
    await s3.send(new CreateBucketCommand({ Bucket: tmp }));
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: tmp, Key: "never.txt" }));
    await s3.send(new UploadPartCommand({ Bucket: tmp, Key: "never.txt", UploadId: created.UploadId, PartNumber: 1, Body: "x" }));
    await s3.send(new DeleteBucketCommand({ Bucket: tmp }));
    await s3.send(new CreateBucketCommand({ Bucket: tmp }));
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: tmp }))).Uploads ?? []).toEqual([]);
    await expect(s3.send(new ListPartsCommand({ Bucket: tmp, Key: "never.txt", UploadId: created.UploadId }))).rejects.toMatchObject({ name: "NoSuchUpload" });
  });
});

describe("persistence", () => {
  it("an upload in progress survives a restart and completes afterwards", async () => {
    const key = "across-restart.bin";
    const a = randomBytes(5 * MiB);
    const b = Buffer.from("tail");
    const uploadId = await start(key);
    const p1 = await part(key, uploadId, 1, a);
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    const p2 = await part(key, uploadId, 2, b);
    const listed = await s3.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect(listed.Parts?.map((p) => p.ETag)).toEqual([p1.ETag, p2.ETag]);
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([a, b]))).toBe(true);
  });
});

describe("the AWS CLI", () => {
  it.skipIf(!hasAwsCli)("`aws s3 cp` of 20 MB goes multipart and comes back byte for byte", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-mpu-cli-"));
    try {
      const original = path.join(dir, "big.bin");
      const back = path.join(dir, "back.bin");
      const data = randomBytes(20 * MiB);
      fs.writeFileSync(original, data);
      const up = await awsCliAsync(cloud, ["s3", "cp", original, `s3://${bucket}/cli/big.bin`]);
      expect(up.status, up.stderr).toBe(0);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cli/big.bin" }));
      expect(head.ETag).toMatch(/-\d+"$/); // proof that the CLI used multipart
      expect(head.ContentLength).toBe(data.length);
      const down = await awsCliAsync(cloud, ["s3", "cp", `s3://${bucket}/cli/big.bin`, back]);
      expect(down.status, down.stderr).toBe(0);
      expect(fs.readFileSync(back).equals(data)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it.skipIf(!hasAwsCli)("`aws s3 cp --checksum-algorithm SHA256` of 10 MB gives a composite SHA256 that head-object returns", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-mpu-cli-"));
    try {
      const file = path.join(dir, "sha.bin");
      fs.writeFileSync(file, randomBytes(10 * MiB));
      const up = await awsCliAsync(cloud, ["s3", "cp", "--checksum-algorithm", "SHA256", file, `s3://${bucket}/cli/sha.bin`]);
      expect(up.status, up.stderr).toBe(0);
      const head = await awsCliAsync(cloud, ["s3api", "head-object", "--bucket", bucket, "--key", "cli/sha.bin", "--checksum-mode", "ENABLED", "--output", "json"]);
      expect(head.status, head.stderr).toBe(0);
      const out = JSON.parse(head.stdout) as { ChecksumSHA256?: string; ETag: string; ContentLength: number };
      expect(out.ContentLength).toBe(10 * MiB);
      expect(out.ETag).toMatch(/-2"$/);
      expect(out.ChecksumSHA256).toMatch(/^[A-Za-z0-9+/]{43}=-2$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  if (!hasAwsCli) it("AWS CLI tests skipped: `aws` is not installed (pip install awscli)", () => expect(hasAwsCli).toBe(false));
});

describe("reset", () => {
  it("POST /_localcloud/reset forgets uploads, parts and bucket policies", async () => {
    const uploadId = await start("before-reset.txt");
    await part("before-reset.txt", uploadId, 1, Buffer.from("x"));
    const res = await signedFetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.status).toBe(200);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).toEqual([]);
    await expect(s3.send(new ListPartsCommand({ Bucket: bucket, Key: "before-reset.txt", UploadId: uploadId }))).rejects.toMatchObject({ name: "NoSuchUpload" });
  });
});
