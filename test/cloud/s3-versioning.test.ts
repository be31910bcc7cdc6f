// Versioning through the real SDK: version ids on writes, GET/HEAD/DELETE
// ?versionId, delete markers (x-amz-delete-marker, 404/405 on read),
// removing a marker to restore an object, suspended buckets' "null"
// version, ListObjectVersions with paging, CopyObject from a version,
// tagging a version, and all of it surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure, rawRequest } from "../helpers/s3.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "versions";

async function text(key: string, versionId?: string): Promise<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return got.Body!.transformToString();
}

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // Written before versioning: this object keeps the "null" version id.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "v0" }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
});
afterAll(async () => {
  await cloud.close();
});

describe("an Enabled bucket", () => {
  let v1: string;
  let v2: string;
  let marker: string;

  it("gives every write a new version id; old versions stay readable", async () => {
    v1 = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "v1" }))).VersionId!;
    v2 = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "v2" }))).VersionId!;
    expect(v1).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2).not.toBe(v1);
    expect(await text("doc")).toBe("v2");
    expect(await text("doc", v1)).toBe("v1");
    expect(await text("doc", "null")).toBe("v0");
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "doc" }));
    expect(head.VersionId).toBe(v2);
  });

  it("DELETE without a version adds a delete marker; reads then 404 with x-amz-delete-marker", async () => {
    const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc" }));
    expect(del.DeleteMarker).toBe(true);
    marker = del.VersionId!;
    expect(marker).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "doc" })));
    expect(err.name).toBe("NoSuchKey");
    const raw = await rawRequest(cloud, { method: "GET", path: `/${bucket}/doc` });
    expect(raw.status).toBe(404);
    expect(raw.headers["x-amz-delete-marker"]).toBe("true");
    expect(raw.headers["x-amz-version-id"]).toBe(marker);
    // Reading the marker itself by version id is 405 MethodNotAllowed.
    const byId = await rawRequest(cloud, { method: "GET", path: `/${bucket}/doc?versionId=${marker}` });
    expect(byId.status).toBe(405);
    expect(byId.body).toContain("<Code>MethodNotAllowed</Code>");
    expect(await text("doc", v1)).toBe("v1");
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((c) => c.Key) ?? []).not.toContain("doc");
  });

  it("deleting the marker by version id restores the object", async () => {
    const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc", VersionId: marker }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toBe(marker);
    expect(await text("doc")).toBe("v2");
  });

  it("deleting a version by id removes it for good", async () => {
    const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc", VersionId: v1 }));
    expect(del.VersionId).toBe(v1);
    expect(del.DeleteMarker).toBeUndefined();
    const err = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "doc", VersionId: v1 })));
    expect(err.name).toBe("NoSuchVersion");
    expect(err.status).toBe(404);
    const bad = await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "doc", VersionId: "bogus" })));
    expect(bad.name).toBe("InvalidArgument");
  });

  it("ListObjectVersions shows versions and markers newest first, and pages", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "other", Body: "o1" }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "other" }));
    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(all.Versions?.filter((v) => v.Key === "doc").map((v) => v.VersionId)).toEqual([v2, "null"]);
    expect(all.Versions?.find((v) => v.VersionId === v2)?.IsLatest).toBe(true);
    expect(all.Versions?.find((v) => v.VersionId === "null")?.IsLatest).toBe(false);
    expect(all.DeleteMarkers?.map((m) => [m.Key, m.IsLatest])).toEqual([["other", true]]);
    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
      seen.push(...(page.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`), ...(page.DeleteMarkers ?? []).map((m) => `${m.Key}@${m.VersionId}`));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionMarker = page.NextVersionIdMarker;
    }
    expect(seen.length).toBe(4);
    expect(new Set(seen).size).toBe(4);
  });

  it("DeleteObjects with and without version ids", async () => {
    const a = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "batch", Body: "a" }))).VersionId!;
    const result = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "batch" }, { Key: "batch", VersionId: a }] } }));
    const plain = result.Deleted?.find((d) => d.VersionId === undefined);
    expect(plain?.DeleteMarker).toBe(true);
    expect(plain?.DeleteMarkerVersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.Deleted?.find((d) => d.VersionId === a)).toBeTruthy();
  });

  it("CopyObject can copy an older version; tags apply per version", async () => {
    const old = (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "src", Body: "old" }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "src", Body: "new" }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copied", CopySource: `${bucket}/src?versionId=${old}` }));
    expect(copy.CopySourceVersionId).toBe(old);
    expect(copy.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await text("copied")).toBe("old");
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "src", VersionId: old, Tagging: { TagSet: [{ Key: "era", Value: "old" }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "src", VersionId: old }))).TagSet).toEqual([{ Key: "era", Value: "old" }]);
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "src" }))).TagSet).toEqual([]);
  });
});

describe("a Suspended bucket", () => {
  it("writes and deletes the 'null' version, keeping older ids", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "suspended" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "suspended", VersioningConfiguration: { Status: "Enabled" } }));
    const kept = (await s3.send(new PutObjectCommand({ Bucket: "suspended", Key: "k", Body: "kept" }))).VersionId!;
    await s3.send(new PutBucketVersioningCommand({ Bucket: "suspended", VersioningConfiguration: { Status: "Suspended" } }));
    // AWS answers a Suspended bucket's PutObject without x-amz-version-id (the write is the "null" version) [SNAP].
    expect((await s3.send(new PutObjectCommand({ Bucket: "suspended", Key: "k", Body: "n1" }))).VersionId).toBeUndefined();
    await s3.send(new PutObjectCommand({ Bucket: "suspended", Key: "k", Body: "n2" }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "suspended" }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(["null", kept]);
    const del = await s3.send(new DeleteObjectCommand({ Bucket: "suspended", Key: "k" }));
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toBe("null");
    const after = await s3.send(new ListObjectVersionsCommand({ Bucket: "suspended" }));
    expect(after.Versions?.map((v) => v.VersionId)).toEqual([kept]);
    expect(after.DeleteMarkers?.map((m) => m.VersionId)).toEqual(["null"]);
  });
});

describe("persistence", () => {
  it("versions and delete markers survive a restart", async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "durable", Body: "one" }));
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "durable" }))).VersionId!;
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "durable" })))).name).toBe("NoSuchKey");
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: "durable" }));
    expect(versions.DeleteMarkers?.[0]?.VersionId).toBe(marker);
    const id = versions.Versions?.[0]?.VersionId;
    expect(await text("durable", id)).toBe("one");
    // A write after the restart still gets a fresh id and becomes current.
    const next = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "durable", Body: "two" }));
    expect(next.VersionId).not.toBe(id);
    expect(await text("durable")).toBe("two");
  });
});
