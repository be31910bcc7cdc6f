// Listing through the real SDK: ListObjectsV2 (prefix, delimiter and
// CommonPrefixes, max-keys, continuation tokens, start-after,
// encoding-type=url), ListObjects v1 (marker, NextMarker) and the SDK's
// paginator walking every page without repeats.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure, rawRequest } from "../helpers/s3.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "listing";
const KEYS = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "d/5.txt", "e.txt", "f/6.txt", "space key.txt"];

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of KEYS) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
});
afterAll(async () => {
  await cloud.close();
});

describe("ListObjectsV2", () => {
  it("lists every key in order with size, ETag and storage class", async () => {
    const all = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(all.Contents?.map((c) => c.Key)).toEqual([...KEYS].sort());
    expect(all.KeyCount).toBe(KEYS.length);
    expect(all.IsTruncated).toBe(false);
    expect(all.MaxKeys).toBe(1000);
    const first = all.Contents![0]!;
    expect(first.Size).toBe(5);
    expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first.StorageClass).toBe("STANDARD");
    expect(first.Owner).toBeUndefined(); // only with FetchOwner
    const owned = await s3.send(new ListObjectsV2Command({ Bucket: bucket, FetchOwner: true, MaxKeys: 1 }));
    expect(owned.Contents?.[0]?.Owner?.ID).toBeTruthy();
  });

  it("prefix and delimiter roll keys up into CommonPrefixes", async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(["a.txt", "e.txt", "space key.txt"]);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/", "d/", "f/"]);
    expect(top.KeyCount).toBe(6);
    const inB = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "b/", Delimiter: "/" }));
    expect(inB.Contents?.map((c) => c.Key)).toEqual(["b/1.txt", "b/2.txt"]);
    expect(inB.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/c/"]);
    expect(inB.Prefix).toBe("b/");
  });

  it("pages with max-keys and continuation tokens, counting prefixes as entries, never repeating one", async () => {
    const seenKeys: string[] = [];
    const seenPrefixes: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: token }));
      pages++;
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      seenKeys.push(...(page.Contents ?? []).map((c) => c.Key!));
      seenPrefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = page.NextContinuationToken;
      expect(!!token).toBe(page.IsTruncated);
    } while (token);
    expect(pages).toBe(3);
    expect(seenKeys).toEqual(["a.txt", "e.txt", "space key.txt"]);
    expect(seenPrefixes).toEqual(["b/", "d/", "f/"]);
  });

  it("the SDK paginator walks all keys once", async () => {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket: bucket })) keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    expect(keys).toEqual([...KEYS].sort());
  });

  it("start-after skips keys up to and including it", async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: "d/4.txt" }));
    expect(page.Contents?.map((c) => c.Key)).toEqual(["d/5.txt", "e.txt", "f/6.txt", "space key.txt"]);
    expect(page.StartAfter).toBe("d/4.txt");
  });

  it("encoding-type=url percent-encodes keys on the wire", async () => {
    const raw = await rawRequest(cloud, { method: "GET", path: `/${bucket}?list-type=2&prefix=space&encoding-type=url` });
    expect(raw.body).toContain("<Key>space%20key.txt</Key>");
    expect(raw.body).toContain("<EncodingType>url</EncodingType>");
    // SDK v3 hands the encoded form to the caller (botocore decodes it itself).
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "space", EncodingType: "url" }));
    expect(page.Contents?.map((c) => decodeURIComponent(c.Key!))).toEqual(["space key.txt"]);
  });

  it("max-keys 0 returns nothing; bad arguments are InvalidArgument", async () => {
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 0 }));
    expect(zero.KeyCount).toBe(0);
    expect(zero.IsTruncated).toBe(false);
    const negative = await rawRequest(cloud, { method: "GET", path: `/${bucket}?list-type=2&max-keys=-1` });
    expect(negative.status).toBe(400);
    expect(negative.body).toContain("<Code>InvalidArgument</Code>");
    const token = await failure(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: "garbage!" })));
    expect(token.name).toBe("InvalidArgument");
    expect(token.message).toBe("The continuation token provided is incorrect");
    const encoding = await rawRequest(cloud, { method: "GET", path: `/${bucket}?list-type=2&encoding-type=base64` });
    expect(encoding.body).toContain("Invalid Encoding Method specified in Request");
  });
});

describe("ListObjects (v1)", () => {
  it("pages with marker; NextMarker only with a delimiter", async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual(["a.txt", "b/1.txt", "b/2.txt"]);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBeUndefined();
    expect(first.Contents?.[0]?.Owner?.ID).toBeTruthy();
    const second = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3, Marker: "b/2.txt" }));
    expect(second.Contents?.map((c) => c.Key)).toEqual(["b/c/3.txt", "d/4.txt", "d/5.txt"]);
    expect(second.Marker).toBe("b/2.txt");
    const grouped = await s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 2 }));
    expect(grouped.Contents?.map((c) => c.Key)).toEqual(["a.txt"]);
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["b/"]);
    expect(grouped.NextMarker).toBe("b/");
    const next = await s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, Marker: grouped.NextMarker }));
    expect(next.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["d/"]);
    expect(next.Contents?.map((c) => c.Key)).toEqual(["e.txt"]);
  });

  it("on a missing bucket: NoSuchBucket", async () => {
    expect((await failure(s3.send(new ListObjectsCommand({ Bucket: "absent-bucket" })))).name).toBe("NoSuchBucket");
  });
});
