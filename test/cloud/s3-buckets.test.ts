// S3 buckets through the real SDK, path-style and virtual-hosted: name rules,
// re-creation, location constraints, HeadBucket/ListBuckets/DeleteBucket,
// GetBucketLocation, versioning and tagging configuration, persistence, and
// error shapes on the wire (HEAD errors have no body; unknown sub-resources
// answer NotImplemented, never a wrong operation).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketTaggingCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  DeleteObjectCommand,
  S3Client,
  paginateListBuckets,
} from "@aws-sdk/client-s3";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure, rawRequest, virtualHostedS3 } from "../helpers/s3.js";
import { signedFetch } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
let s3: S3Client;

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
});
afterAll(async () => {
  await cloud.close();
});

describe("CreateBucket", () => {
  it("creates a bucket that HeadBucket, ListBuckets and GetBucketLocation see", async () => {
    const created = await s3.send(new CreateBucketCommand({ Bucket: "photos" }));
    expect(created.Location).toBe("/photos");
    const head = await s3.send(new HeadBucketCommand({ Bucket: "photos" }));
    expect(head.BucketRegion).toBe("us-east-1");
    const list = await s3.send(new ListBucketsCommand({}));
    expect(list.Buckets?.map((b) => b.Name)).toContain("photos");
    expect(list.Buckets?.find((b) => b.Name === "photos")?.CreationDate).toBeInstanceOf(Date);
    expect(list.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: "photos" }));
    expect(location.LocationConstraint).toBeUndefined(); // us-east-1 is the empty constraint
  });

  it("refuses names that break S3's rules with InvalidBucketName", async () => {
    for (const name of ["ab", "a".repeat(64), "Photos", "photos_1", "-photos", "photos-", "my..bucket", "192.168.1.1", "xn--photos", "photos-s3alias"]) {
      const err = await failure(s3.send(new CreateBucketCommand({ Bucket: name })));
      expect(err.name, name).toBe("InvalidBucketName");
      expect(err.status, name).toBe(400);
      expect(err.message).toBe("The specified bucket is not valid.");
    }
    for (const name of ["abc", "a".repeat(63), "my.bucket-1", "123"]) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    }
  });

  it("re-creating your own bucket: 200 in us-east-1, BucketAlreadyOwnedByYou elsewhere", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "again" }));
    await s3.send(new CreateBucketCommand({ Bucket: "again" })); // S3's legacy us-east-1 behaviour
    const euS3 = new S3Client({ ...cloud.clientConfig, region: "eu-west-1" });
    await euS3.send(new CreateBucketCommand({ Bucket: "again-eu", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    const err = await failure(euS3.send(new CreateBucketCommand({ Bucket: "again-eu", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })));
    expect(err.name).toBe("BucketAlreadyOwnedByYou");
    expect(err.status).toBe(409);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: "again-eu" }));
    expect(location.LocationConstraint).toBe("eu-west-1");
    const head = await s3.send(new HeadBucketCommand({ Bucket: "again-eu" }));
    expect(head.BucketRegion).toBe("eu-west-1");
  });

  it("checks the LocationConstraint against the region the request was sent to", async () => {
    const named = await failure(s3.send(new CreateBucketCommand({ Bucket: "east-named", CreateBucketConfiguration: { LocationConstraint: "us-east-1" as never } })));
    expect(named.name).toBe("InvalidLocationConstraint");
    const other = await failure(s3.send(new CreateBucketCommand({ Bucket: "east-other", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })));
    expect(other.name).toBe("IllegalLocationConstraintException");
    expect(other.message).toBe("The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.");
    // SDK v3 always adds the client's region as constraint outside us-east-1, so send the request by hand.
    const missing = await rawRequest(cloud, {
      method: "PUT",
      path: "/eu-missing",
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=00" },
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain("<Code>IllegalLocationConstraintException</Code>");
    expect(missing.body).toContain("The unspecified location constraint is incompatible");
  });

  it("a malformed CreateBucketConfiguration body is MalformedXML", async () => {
    const res = await rawRequest(cloud, { method: "PUT", path: "/bad-config", body: "<CreateBucketConfiguration><Loc" });
    expect(res.status).toBe(400);
    expect(res.body).toContain("<Code>MalformedXML</Code>");
    expect(res.headers["x-amz-request-id"]).toMatch(/^[0-9A-F]{16}$/);
    expect(res.headers["x-amz-id-2"]).toBeTruthy();
  });
});

describe("HeadBucket, DeleteBucket", () => {
  it("unknown buckets: NotFound on HEAD (no body), NoSuchBucket elsewhere", async () => {
    const head = await failure(s3.send(new HeadBucketCommand({ Bucket: "nowhere" })));
    expect(head.status).toBe(404);
    expect(head.name).toBe("NotFound");
    const raw = await rawRequest(cloud, { method: "HEAD", path: "/nowhere" });
    expect(raw.status).toBe(404);
    expect(raw.body).toBe("");
    const del = await failure(s3.send(new DeleteBucketCommand({ Bucket: "nowhere" })));
    expect(del.name).toBe("NoSuchBucket");
    expect(del.status).toBe(404);
    const rawGet = await rawRequest(cloud, { method: "GET", path: "/nowhere?list-type=2" });
    expect(rawGet.headers["content-type"]).toBe("application/xml");
    expect(rawGet.body).toContain("<Code>NoSuchBucket</Code>");
    expect(rawGet.body).toContain("<BucketName>nowhere</BucketName>");
  });

  it("a bucket with objects is BucketNotEmpty; emptied, it deletes", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "full" }));
    await s3.send(new PutObjectCommand({ Bucket: "full", Key: "k", Body: "x" }));
    const err = await failure(s3.send(new DeleteBucketCommand({ Bucket: "full" })));
    expect(err.name).toBe("BucketNotEmpty");
    expect(err.status).toBe(409);
    await s3.send(new DeleteObjectCommand({ Bucket: "full", Key: "k" }));
    await s3.send(new DeleteBucketCommand({ Bucket: "full" }));
    expect((await failure(s3.send(new HeadBucketCommand({ Bucket: "full" })))).status).toBe(404);
  });

  it("versions and delete markers keep a versioned bucket non-empty", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "versioned-full" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "versioned-full", VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutObjectCommand({ Bucket: "versioned-full", Key: "k", Body: "x" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "versioned-full", Key: "k" }));
    expect((await failure(s3.send(new DeleteBucketCommand({ Bucket: "versioned-full" })))).name).toBe("BucketNotEmpty");
  });
});

describe("bucket configuration", () => {
  it("versioning: empty until set, then Enabled/Suspended; a bad status is MalformedXML", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "vconf" }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "vconf" }))).Status).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket: "vconf", VersioningConfiguration: { Status: "Enabled" } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "vconf" }))).Status).toBe("Enabled");
    await s3.send(new PutBucketVersioningCommand({ Bucket: "vconf", VersioningConfiguration: { Status: "Suspended" } }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "vconf" }))).Status).toBe("Suspended");
    const err = await failure(s3.send(new PutBucketVersioningCommand({ Bucket: "vconf", VersioningConfiguration: { Status: "On" as never } })));
    expect(err.name).toBe("MalformedXML");
  });

  it("tagging: NoSuchTagSet, put/get, limits, delete", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "tagged" }));
    const none = await failure(s3.send(new GetBucketTaggingCommand({ Bucket: "tagged" })));
    expect(none.name).toBe("NoSuchTagSet");
    expect(none.status).toBe(404);
    await s3.send(new PutBucketTaggingCommand({ Bucket: "tagged", Tagging: { TagSet: [{ Key: "team", Value: "labs" }, { Key: "env", Value: "" }] } }));
    const got = await s3.send(new GetBucketTaggingCommand({ Bucket: "tagged" }));
    expect(got.TagSet).toEqual([{ Key: "team", Value: "labs" }, { Key: "env", Value: "" }]);
    const dup = await failure(s3.send(new PutBucketTaggingCommand({ Bucket: "tagged", Tagging: { TagSet: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] } })));
    expect(dup.name).toBe("InvalidTag");
    const aws = await failure(s3.send(new PutBucketTaggingCommand({ Bucket: "tagged", Tagging: { TagSet: [{ Key: "aws:x", Value: "1" }] } })));
    expect(aws.name).toBe("InvalidTag");
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect((await failure(s3.send(new PutBucketTaggingCommand({ Bucket: "tagged", Tagging: { TagSet: many } })))).name).toBe("BadRequest");
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: "tagged" }));
    expect((await failure(s3.send(new GetBucketTaggingCommand({ Bucket: "tagged" })))).name).toBe("NoSuchTagSet");
  });

  it("a sub-resource the local cloud does not serve answers NotImplemented, not a listing", async () => {
    const res = await rawRequest(cloud, { method: "GET", path: "/tagged?website" });
    expect(res.status).toBe(501);
    expect(res.body).toContain("<Code>NotImplemented</Code>");
    expect(res.body).toContain("GetBucketWebsite");
  });
});

describe("ListBuckets paging", () => {
  it("pages with max-buckets and continuation tokens; filters by prefix and region", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) await s3.send(new CreateBucketCommand({ Bucket: name }));
    const names: string[] = [];
    for await (const page of paginateListBuckets({ client: s3, pageSize: 2 }, { Prefix: "page-" })) {
      expect(page.Buckets!.length).toBeLessThanOrEqual(2);
      names.push(...page.Buckets!.map((b) => b.Name!));
    }
    expect(names).toEqual(["page-a", "page-b", "page-c"]);
    const eu = await s3.send(new ListBucketsCommand({ BucketRegion: "eu-west-1" }));
    expect(eu.Buckets?.map((b) => b.Name)).toEqual(["again-eu"]);
    const bad = await failure(s3.send(new ListBucketsCommand({ MaxBuckets: 0 })));
    expect(bad.name).toBe("InvalidArgument");
  });
});

describe("ExpectedBucketOwner", () => {
  it("matches the owning account, or the request is AccessDenied", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "owned" }));
    await s3.send(new HeadBucketCommand({ Bucket: "owned", ExpectedBucketOwner: "000000000000" }));
    const err = await failure(s3.send(new PutObjectCommand({ Bucket: "owned", Key: "k", Body: "x", ExpectedBucketOwner: "111111111111" })));
    expect(err.name).toBe("AccessDenied");
    expect(err.status).toBe(403);
  });
});

describe("addressing", () => {
  it("virtual-hosted requests (bucket.localhost:PORT) reach the same buckets", async () => {
    const vh = virtualHostedS3(cloud);
    await vh.send(new CreateBucketCommand({ Bucket: "vhosted" }));
    await vh.send(new PutObjectCommand({ Bucket: "vhosted", Key: "dir/file.txt", Body: "v" }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: "vhosted" }));
    expect(head.BucketRegion).toBe("us-east-1");
    const res = await rawRequest(cloud, { method: "GET", path: "/dir/file.txt", host: `vhosted.s3.localhost:${cloud.port}` });
    expect(res.status).toBe(200);
    expect(res.body).toBe("v");
    const listed = await rawRequest(cloud, { method: "GET", path: "/?list-type=2", host: `vhosted.localhost:${cloud.port}` });
    expect(listed.body).toContain("<Key>dir/file.txt</Key>");
  });
});

describe("persistence", () => {
  it("buckets and their configuration survive a restart", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "durable" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "durable", VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: "durable", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "durable" }))).Status).toBe("Enabled");
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket: "durable" }))).TagSet).toEqual([{ Key: "k", Value: "v" }]);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain("photos");
  });

  it("POST /_localcloud/reset forgets every bucket and object", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "durable", Key: "k", Body: "x" }));
    const res = await signedFetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.ok).toBe(true);
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    await s3.send(new CreateBucketCommand({ Bucket: "durable" }));
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: "durable" }))).Status).toBeUndefined();
  });
});
