// S3 through the real AWS CLI (botocore: path-style, Content-MD5 or CRC
// checksums, encoding-type=url listings): `aws s3 mb/cp/ls/rm/rb`, and
// `aws s3api` for metadata, versioning and an error's exit code and message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let s3: S3Client;
let work: string;

async function aws(...args: string[]) {
  const r = await awsCliAsync(cloud, args);
  return r;
}

describe.skipIf(!hasAwsCli)("the AWS CLI", () => {
  beforeAll(async () => {
    cloud = await startTestCloud();
    s3 = new S3Client(cloud.clientConfig);
    work = fs.mkdtempSync(path.join(os.tmpdir(), "s3-cli-"));
  });
  afterAll(async () => {
    await cloud.close();
  });

  it("mb, cp up and down, ls, rm, rb", async () => {
    expect((await aws("s3", "mb", "s3://cli-bucket")).status).toBe(0);
    const file = path.join(work, "hello world.txt");
    fs.writeFileSync(file, "hello from the cli\n");
    const cp = await aws("s3", "cp", file, "s3://cli-bucket/docs/hello world.txt", "--content-type", "text/plain", "--metadata", "origin=cli");
    expect(cp.status, cp.stderr).toBe(0);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "cli-bucket", Key: "docs/hello world.txt" }));
    expect(head.ContentType).toBe("text/plain");
    expect(head.Metadata).toEqual({ origin: "cli" });
    const got = await s3.send(new GetObjectCommand({ Bucket: "cli-bucket", Key: "docs/hello world.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello from the cli\n");

    const buckets = await aws("s3", "ls");
    expect(buckets.stdout).toContain("cli-bucket");
    const top = await aws("s3", "ls", "s3://cli-bucket/");
    expect(top.stdout).toContain("PRE docs/");
    const deep = await aws("s3", "ls", "s3://cli-bucket/", "--recursive");
    expect(deep.stdout).toMatch(/19 docs\/hello world\.txt/);

    const back = path.join(work, "back.txt");
    expect((await aws("s3", "cp", "s3://cli-bucket/docs/hello world.txt", back)).status).toBe(0);
    expect(fs.readFileSync(back, "utf8")).toBe("hello from the cli\n");

    const rb = await aws("s3", "rb", "s3://cli-bucket");
    expect(rb.status).not.toBe(0);
    expect(rb.stderr).toContain("BucketNotEmpty");
    expect((await aws("s3", "rm", "s3://cli-bucket/docs/hello world.txt")).status).toBe(0);
    expect((await aws("s3", "rb", "s3://cli-bucket")).status).toBe(0);
    expect((await aws("s3", "ls")).stdout).not.toContain("cli-bucket");
  });

  it("s3api: put-object, head-object, versioning, list-object-versions, and an error", async () => {
    expect((await aws("s3api", "create-bucket", "--bucket", "cli-api")).status).toBe(0);
    expect((await aws("s3api", "put-bucket-versioning", "--bucket", "cli-api", "--versioning-configuration", "Status=Enabled")).status).toBe(0);
    const body = path.join(work, "body.bin");
    fs.writeFileSync(body, Buffer.from([1, 2, 3]));
    const put = await aws("s3api", "put-object", "--bucket", "cli-api", "--key", "k+1.bin", "--body", body, "--tagging", "a=1");
    expect(put.status, put.stderr).toBe(0);
    const putOut = JSON.parse(put.stdout);
    expect(putOut.ETag).toBe('"5289df737df57326fcdd22597afb1fac"');
    expect(putOut.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const head = JSON.parse((await aws("s3api", "head-object", "--bucket", "cli-api", "--key", "k+1.bin")).stdout);
    expect(head.ContentLength).toBe(3);
    expect(head.VersionId).toBe(putOut.VersionId);
    const versions = JSON.parse((await aws("s3api", "list-object-versions", "--bucket", "cli-api")).stdout);
    expect(versions.Versions.map((v: { Key: string }) => v.Key)).toEqual(["k+1.bin"]);
    const listed = JSON.parse((await aws("s3api", "list-objects-v2", "--bucket", "cli-api")).stdout);
    expect(listed.Contents.map((c: { Key: string }) => c.Key)).toEqual(["k+1.bin"]);
    const missing = await aws("s3api", "get-object", "--bucket", "cli-api", "--key", "absent", path.join(work, "absent"));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("NoSuchKey");
    const badName = await aws("s3api", "create-bucket", "--bucket", "Bad_Name");
    expect(badName.stderr).toContain("InvalidBucketName");
  });
});

if (!hasAwsCli) {
  it("AWS CLI tests skipped: `aws` is not installed (pip install awscli)", () => expect(hasAwsCli).toBe(false));
}
