// S3 objects through the real SDK: Put/Get/Head/Delete with metadata and
// standard headers, MD5 ETags, Content-MD5, ranges, conditional reads and
// writes, awkward keys (spaces, plus, unicode, "../"), CopyObject,
// DeleteObjects, object tagging, and persistence across a restart.
import { beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { cloudForFile, type TestCloud } from "../helpers/cloud.js";
import { failure, rawRequest } from "../helpers/s3.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "objects";
const md5 = (s: string | Buffer) => createHash("md5").update(s).digest("hex");

async function text(key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return got.Body!.transformToString();
}

cloudForFile(S3Client, async (c, client) => {
  [cloud, s3] = [c, client];
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

describe("PutObject / GetObject / HeadObject", () => {
  it("stores bytes with content-type, metadata and standard headers; ETag is the MD5", async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "docs/readme.txt",
        Body: "hello world",
        ContentType: "text/plain",
        CacheControl: "max-age=60",
        ContentDisposition: 'attachment; filename="readme.txt"',
        ContentLanguage: "en",
        Metadata: { author: "Ada", "Mixed-Case": "yes" },
      }),
    );
    expect(put.ETag).toBe(`"${md5("hello world")}"`);
    expect(put.VersionId).toBeUndefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "docs/readme.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello world");
    expect(got.ContentType).toBe("text/plain");
    expect(got.ContentLength).toBe(11);
    expect(got.CacheControl).toBe("max-age=60");
    expect(got.ContentDisposition).toBe('attachment; filename="readme.txt"');
    expect(got.ContentLanguage).toBe("en");
    expect(got.Metadata).toEqual({ author: "Ada", "mixed-case": "yes" });
    expect(got.ETag).toBe(put.ETag);
    expect(got.AcceptRanges).toBe("bytes");
    expect(got.LastModified).toBeInstanceOf(Date);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "docs/readme.txt" }));
    expect(head.ContentLength).toBe(11);
    expect(head.Metadata).toEqual({ author: "Ada", "mixed-case": "yes" });
    expect(head.ContentType).toBe("text/plain");
  });

  it("an object without Content-Type reads back as binary/octet-stream; empty objects work", async () => {
    await rawRequest(cloud, { method: "PUT", path: `/${bucket}/no-type`, body: "abc" });
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "no-type" }))).ContentType).toBe("binary/octet-stream");
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "empty", Body: "" }));
    expect(put.ETag).toBe(`"${md5("")}"`);
    expect(await text("empty")).toBe("");
  });

  it("keys are kept literally: spaces, plus, unicode, '../', double slashes", async () => {
    const keys = ["uploads/my photo+1 (ü)@x=y.jpg", "a/../b", "../escape", "x//y", "ünï/çødé/🎉.txt", "percent%20kept"];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
    for (const key of keys) expect(await text(key)).toBe(`body of ${key}`);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    for (const key of keys) expect(listed.Contents?.map((c) => c.Key)).toContain(key);
    // A path that URL resolution would turn into another object is still its own key.
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "b" })))).name).toBe("NoSuchKey");
  });

  it("a key over 1024 bytes is KeyTooLongError", async () => {
    const err = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k".repeat(1025), Body: "x" })));
    expect(err.name).toBe("KeyTooLongError");
    expect(err.status).toBe(400);
  });

  it("user metadata over 2 KB is MetadataTooLarge", async () => {
    const err = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "fat", Body: "x", Metadata: { big: "v".repeat(2100) } })));
    expect(err.name).toBe("MetadataTooLarge");
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "fat" })))).status).toBe(404);
  });

  it("missing objects: NoSuchKey with the key; HEAD answers 404 without a body", async () => {
    const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "nope.txt" })));
    expect(err.name).toBe("NoSuchKey");
    expect(err.status).toBe(404);
    const raw = await rawRequest(cloud, { method: "GET", path: `/${bucket}/nope.txt` });
    expect(raw.body).toContain("<Code>NoSuchKey</Code>");
    expect(raw.body).toContain("<Key>nope.txt</Key>");
    const head = await rawRequest(cloud, { method: "HEAD", path: `/${bucket}/nope.txt` });
    expect(head.status).toBe(404);
    expect(head.body).toBe("");
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "nope.txt" })))).name).toBe("NotFound");
    expect((await failure(s3.send(new PutObjectCommand({ Bucket: "no-such-bucket", Key: "k", Body: "x" })))).name).toBe("NoSuchBucket");
  });

  it("Content-MD5: a wrong digest is BadDigest, a malformed one InvalidDigest, and nothing is stored", async () => {
    const wrong = await rawRequest(cloud, { method: "PUT", path: `/${bucket}/md5-wrong`, body: "data", headers: { "content-md5": createHash("md5").update("other").digest("base64") } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain("<Code>BadDigest</Code>");
    const bad = await rawRequest(cloud, { method: "PUT", path: `/${bucket}/md5-wrong`, body: "data", headers: { "content-md5": "nope" } });
    expect(bad.body).toContain("<Code>InvalidDigest</Code>");
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "md5-wrong" })))).status).toBe(404);
    const ok = await rawRequest(cloud, { method: "PUT", path: `/${bucket}/md5-ok`, body: "data", headers: { "content-md5": createHash("md5").update("data").digest("base64") } });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe(`"${md5("data")}"`);
  });
});

describe("ranges", () => {
  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "digits", Body: "0123456789" }));
  });
  it("answers 206 with Content-Range for first-last, first- and -suffix", async () => {
    const a = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=2-4" }));
    expect(a.$metadata.httpStatusCode).toBe(206);
    expect(await a.Body!.transformToString()).toBe("234");
    expect(a.ContentRange).toBe("bytes 2-4/10");
    expect(a.ContentLength).toBe(3);
    expect(await text("digits", { Range: "bytes=7-" })).toBe("789");
    expect(await text("digits", { Range: "bytes=-3" })).toBe("789");
    expect(await text("digits", { Range: "bytes=8-100" })).toBe("89");
  });
  it("a range past the end is 416 InvalidRange; an unparseable one returns the whole object", async () => {
    const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=10-20" })));
    expect(err.name).toBe("InvalidRange");
    expect(err.status).toBe(416);
    const whole = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "lines=1-2" }));
    expect(whole.$metadata.httpStatusCode).toBe(200);
    expect(await whole.Body!.transformToString()).toBe("0123456789");
  });
});

describe("conditional requests", () => {
  let etag: string;
  let modified: Date;
  beforeAll(async () => {
    etag = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond", Body: "v1" }))).ETag!;
    modified = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cond" }))).LastModified!;
  });
  it("If-Match / If-None-Match on GET: 412 and 304", async () => {
    expect(await text("cond", { IfMatch: etag })).toBe("v1");
    const pre = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfMatch: '"deadbeef"' })));
    expect(pre.name).toBe("PreconditionFailed");
    expect(pre.status).toBe(412);
    const notModified = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfNoneMatch: etag })));
    expect(notModified.status).toBe(304);
    expect(await text("cond", { IfNoneMatch: '"other"' })).toBe("v1");
  });
  it("If-Modified-Since / If-Unmodified-Since on GET and HEAD", async () => {
    const later = new Date(modified.getTime() + 60_000);
    const earlier = new Date(modified.getTime() - 60_000);
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfModifiedSince: later })))).status).toBe(304);
    expect(await text("cond", { IfModifiedSince: earlier })).toBe("v1");
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cond", IfUnmodifiedSince: earlier })))).status).toBe(412);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cond", IfUnmodifiedSince: later }))).ETag).toBe(etag);
    // If-Match that holds wins over a failing If-Unmodified-Since, as S3 documents.
    expect(await text("cond", { IfMatch: etag, IfUnmodifiedSince: earlier })).toBe("v1");
  });
  it("conditional PUT: If-None-Match:* refuses to overwrite, If-Match guards the ETag", async () => {
    const exists = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond", Body: "v2", IfNoneMatch: "*" })));
    expect(exists.name).toBe("PreconditionFailed");
    expect(exists.status).toBe(412);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond-new", Body: "first", IfNoneMatch: "*" }));
    expect(await text("cond-new")).toBe("first");
    const stale = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond", Body: "v2", IfMatch: '"0000"' })));
    expect(stale.name).toBe("PreconditionFailed");
    expect(await text("cond")).toBe("v1");
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond", Body: "v2", IfMatch: etag }));
    expect(await text("cond")).toBe("v2");
  });
});

describe("DeleteObject / DeleteObjects", () => {
  it("DeleteObject is 204 whether or not the key exists", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "gone", Body: "x" }));
    const first = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone" }));
    expect(first.$metadata.httpStatusCode).toBe(204);
    const again = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "gone" }));
    expect(again.$metadata.httpStatusCode).toBe(204);
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "gone" })))).name).toBe("NoSuchKey");
  });

  it("DeleteObjects deletes each key, reports each, and is silent in Quiet mode", async () => {
    for (const k of ["batch/1", "batch/2", "batch/3"]) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: k }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "batch/1" }, { Key: "batch/2" }, { Key: "batch/never" }] } }));
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(["batch/1", "batch/2", "batch/never"]);
    expect(result.Errors ?? []).toEqual([]);
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: "batch/3" }] } }));
    expect(quiet.Deleted ?? []).toEqual([]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "batch/" }));
    expect(listed.KeyCount).toBe(0);
  });

  it("DeleteObjects reports a per-key error for a malformed version id", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "keep", Body: "x" }));
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "keep", VersionId: "not-a-version" }, { Key: "other" }] } }));
    expect(result.Errors).toEqual([expect.objectContaining({ Key: "keep", Code: "NoSuchVersion" })]);
    expect(result.Deleted?.map((d) => d.Key)).toEqual(["other"]);
    expect(await text("keep")).toBe("x");
  });

  it("DeleteObjects without Content-MD5 or checksum, or with malformed XML, is refused", async () => {
    const body = "<Delete><Object><Key>keep</Key></Object></Delete>";
    const noMd5 = await rawRequest(cloud, { method: "POST", path: `/${bucket}?delete`, body });
    expect(noMd5.status).toBe(400);
    expect(noMd5.body).toContain("<Code>InvalidRequest</Code>");
    expect(noMd5.body).toContain("Content-MD5");
    const bad = "<Delete><Object><Key>keep</Key></Object>";
    const malformed = await rawRequest(cloud, { method: "POST", path: `/${bucket}?delete`, body: bad, headers: { "content-md5": createHash("md5").update(bad).digest("base64") } });
    expect(malformed.body).toContain("<Code>MalformedXML</Code>");
    expect(await text("keep")).toBe("x");
  });
});

describe("CopyObject", () => {
  beforeAll(async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "src/photo 1.jpg", Body: "jpeg bytes", ContentType: "image/jpeg", Metadata: { camera: "x100" }, Tagging: "a=1" }));
  });
  it("copies bytes, content-type, metadata and tags (COPY directive), URL-decoding the source", async () => {
    const copied = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst/photo.jpg", CopySource: `${bucket}/${encodeURIComponent("src/photo 1.jpg")}` }));
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5("jpeg bytes")}"`);
    expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dst/photo.jpg" }));
    expect(await got.Body!.transformToString()).toBe("jpeg bytes");
    expect(got.ContentType).toBe("image/jpeg");
    expect(got.Metadata).toEqual({ camera: "x100" });
    expect(got.TagCount).toBe(1);
  });
  it("REPLACE takes metadata and content-type from the request", async () => {
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "dst/replaced.jpg",
        CopySource: `/${bucket}/src/photo%201.jpg`,
        MetadataDirective: "REPLACE",
        ContentType: "application/x-test",
        Metadata: { fresh: "1" },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dst/replaced.jpg" }));
    expect(head.ContentType).toBe("application/x-test");
    expect(head.Metadata).toEqual({ fresh: "1" });
  });
  it("refuses copying onto itself unchanged, missing sources, and failed source conditions", async () => {
    const self = await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "src/photo 1.jpg", CopySource: `${bucket}/src/photo%201.jpg` })));
    expect(self.name).toBe("InvalidRequest");
    expect(self.message).toContain("copy an object to itself");
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "src/photo 1.jpg", CopySource: `${bucket}/src/photo%201.jpg`, MetadataDirective: "REPLACE", ContentType: "image/jpeg" }));
    expect((await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/absent` })))).name).toBe("NoSuchKey");
    expect((await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `no-bucket-here/absent` })))).name).toBe("NoSuchBucket");
    const cond = await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/src/photo%201.jpg`, CopySourceIfMatch: '"nope"' })));
    expect(cond.name).toBe("PreconditionFailed");
    const directive = await failure(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/src/photo%201.jpg`, MetadataDirective: "MERGE" as never })));
    expect(directive.name).toBe("InvalidArgument");
  });
});

describe("object tagging", () => {
  it("x-amz-tagging on PUT, Get/Put/DeleteObjectTagging, limits", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "tagged", Body: "t", Tagging: "team=labs&stage=dev%20one" }));
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }));
    expect(tags.TagSet).toEqual([{ Key: "team", Value: "labs" }, { Key: "stage", Value: "dev one" }]);
    expect((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "tagged" }))).TagCount).toBe(2);
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: [{ Key: "only", Value: "one" }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }))).TagSet).toEqual([{ Key: "only", Value: "one" }]);
    const tooMany = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const err = await failure(s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: tooMany } })));
    expect(err.name).toBe("BadRequest");
    expect(err.message).toBe("Object tags cannot be greater than 10");
    const long = await failure(s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: [{ Key: "k".repeat(129), Value: "v" }] } })));
    expect(long.name).toBe("InvalidTag");
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }))).TagSet).toEqual([]);
    expect((await failure(s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "untagged-missing" })))).name).toBe("NoSuchKey");
  });
});

describe("persistence", () => {
  it("objects, metadata and tags survive a restart", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "durable/file.bin", Body: Buffer.from([0, 1, 2, 255]), ContentType: "application/x-bin", Metadata: { m: "1" }, Tagging: "t=1" }));
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "durable/file.bin" }));
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(got.ContentType).toBe("application/x-bin");
    expect(got.Metadata).toEqual({ m: "1" });
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "durable/file.bin" }))).TagSet).toEqual([{ Key: "t", Value: "1" }]);
    expect(await text("a/../b")).toBe("body of a/../b");
  });
});
