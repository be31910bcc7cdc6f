// The S3 event-record cases shared by every destination that receives the
// bare {"Records":[record]} body (SQS, SNS with raw delivery): one event per
// S3 request type, checked field by field against aws-behavior.md §2 — key
// encoding for awkward keys, field presence per event type, versionId only on
// versioned buckets, delete markers, DeleteObjects per key, copy, multipart,
// tagging, sequencer growth per key, prefix/suffix filters, s3:TestEvent.
// Each destination's test file supplies an EventSink and calls
// describeS3EventRecords.
import { createHmac } from "node:crypto";
import { describe, expect, it as vitestIt } from "vitest";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type NotificationConfiguration,
  type S3Client,
} from "@aws-sdk/client-s3";

export interface SinkEntry {
  Id: string;
  Events: string[];
  FilterRules?: Array<{ Name: "prefix" | "suffix"; Value: string }>;
}

export interface EventSink {
  /** The NotificationConfiguration that sends these entries to this sink. */
  configuration(entries: SinkEntry[]): NotificationConfiguration;
  /** Wait until a received body (parsed JSON) satisfies `match`; return it. */
  waitFor(match: (body: any) => boolean, what: string): Promise<any>;
  /** Every body received so far (parsed JSON). */
  received(): any[];
}

export interface CasesContext {
  s3: () => S3Client;
  /** The cloud's endpoint, for requests the SDK does not make (browser POST uploads). */
  endpoint: () => string;
  sink: () => EventSink;
  /** Bucket names must be unique per destination file (buckets are global). */
  bucketPrefix: string;
  /** When given and false at run time, the cases are skipped (the destination service is not built yet). */
  ready?: () => boolean;
}

const EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e";
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));
const unquote = (etag?: string) => (etag ?? "").replace(/"/g, "");

/** The record for (bucket, key, eventName) among the bodies. */
function isRecord(body: any, bucket: string, key: string, eventName: string): boolean {
  const r = body?.Records?.[0];
  return !!r && r.s3?.bucket?.name === bucket && decodeKey(r.s3.object.key) === key && r.eventName === eventName;
}

export function describeS3EventRecords(label: string, ctx: CasesContext): void {
  const bucketName = (suffix: string) => `${ctx.bucketPrefix}-${suffix}`;
  const waitRecord = async (bucket: string, key: string, eventName: string) => {
    const body = await ctx.sink().waitFor((b) => isRecord(b, bucket, key, eventName), `${eventName} for s3://${bucket}/${key}`);
    expect(body.Records).toHaveLength(1); // one record per message
    return body.Records[0];
  };
  async function bucketWith(suffix: string, entries: SinkEntry[], versioned = false): Promise<string> {
    const bucket = bucketName(suffix);
    const s3 = ctx.s3();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    if (versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: ctx.sink().configuration(entries) }));
    return bucket;
  }
  const all = (Id: string): SinkEntry[] => [{ Id, Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*", "s3:ObjectTagging:*"] }];

  describe(`S3 event records → ${label}`, () => {
    const it = (name: string, fn: () => Promise<void>) =>
      vitestIt(name, async (test) => {
        if (ctx.ready && !ctx.ready()) test.skip();
        await fn();
      });
    it("s3:TestEvent arrives when the configuration is saved", async () => {
      const bucket = await bucketWith("testevent", all("t"));
      const test = await ctx.sink().waitFor((b) => b.Event === "s3:TestEvent" && b.Bucket === bucket, `s3:TestEvent for ${bucket}`);
      expect(test).toEqual({ Service: "Amazon S3", Event: "s3:TestEvent", Time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), Bucket: bucket, RequestId: expect.any(String), HostId: expect.any(String) });
      expect(test.Records).toBeUndefined();
    });

    it("PutObject: every field, field by field, for awkward keys", async () => {
      const bucket = await bucketWith("put", all("put-config"));
      const cases: Array<[string, string]> = [
        ["uploads/my photo+1 (ü)@x=y.jpg", "uploads/my+photo%2B1+%28%C3%BC%29%40x%3Dy.jpg"],
        ["a/b/c/deep folder/file name.txt", "a/b/c/deep+folder/file+name.txt"],
        ["日本語/ファイル.txt", "%E6%97%A5%E6%9C%AC%E8%AA%9E/%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.txt"],
        ["plain-key_1.2*~", "plain-key_1.2*~"],
        ["semi;colon:and&amp?q#h", "semi%3Bcolon%3Aand%26amp%3Fq%23h"],
      ];
      for (const [key, encoded] of cases) {
        const before = Date.now();
        const out = await ctx.s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "hello" }));
        const r = await waitRecord(bucket, key, "ObjectCreated:Put");
        expect(r).toEqual({
          eventVersion: "2.5",
          eventSource: "aws:s3",
          awsRegion: "us-east-1",
          eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          eventName: "ObjectCreated:Put",
          userIdentity: { principalId: expect.stringMatching(/^(AWS:)?A[A-Z0-9:._-]+$/) },
          requestParameters: { sourceIPAddress: "127.0.0.1" },
          responseElements: { "x-amz-request-id": out.$metadata.requestId, "x-amz-id-2": out.$metadata.extendedRequestId },
          s3: {
            s3SchemaVersion: "1.0",
            configurationId: "put-config",
            bucket: { name: bucket, ownerIdentity: { principalId: expect.stringMatching(/^A[A-Z0-9]+$/) }, arn: `arn:aws:s3:::${bucket}` },
            object: { key: encoded, size: 5, eTag: unquote(out.ETag), sequencer: expect.stringMatching(/^[0-9A-F]{16,}$/) },
          },
        });
        expect(Date.parse(r.eventTime)).toBeGreaterThanOrEqual(before - 1000);
        expect(r.s3.object).not.toHaveProperty("versionId");
      }
    });

    it("CopyObject, tagging, DeleteObject and DeleteObjects on an unversioned bucket", async () => {
      const s3 = ctx.s3();
      const bucket = await bucketWith("misc", all("misc"));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "src.txt", Body: "copy me" }));
      const put = await waitRecord(bucket, "src.txt", "ObjectCreated:Put");
      const copy = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copies/dst file.txt", CopySource: `${bucket}/src.txt` }));
      const c = await waitRecord(bucket, "copies/dst file.txt", "ObjectCreated:Copy");
      expect(c.s3.object).toEqual({ key: "copies/dst+file.txt", size: 7, eTag: unquote(copy.CopyObjectResult!.ETag), sequencer: expect.any(String) });

      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "src.txt", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
      const t = await waitRecord(bucket, "src.txt", "ObjectTagging:Put");
      expect(t.eventVersion).toBe("2.5");
      expect(t.s3.object).toEqual({ key: "src.txt", eTag: put.s3.object.eTag }); // no size, no sequencer

      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "src.txt" }));
      const d = await waitRecord(bucket, "src.txt", "ObjectRemoved:Delete");
      expect(d.eventVersion).toBe("2.5");
      expect(d.s3.object).toEqual({ key: "src.txt", sequencer: expect.any(String) }); // no size, no eTag, no versionId
      // The sequencer grows with every write of the same key (compare right-padded, as AWS says).
      expect(d.s3.object.sequencer.padEnd(20, "0") > put.s3.object.sequencer.padEnd(20, "0")).toBe(true);

      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "batch/one", Body: "1" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "batch/two", Body: "2" }));
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "batch/one" }, { Key: "batch/two" }] } }));
      await waitRecord(bucket, "batch/one", "ObjectRemoved:Delete");
      await waitRecord(bucket, "batch/two", "ObjectRemoved:Delete");
    });

    it("versioned bucket: versionId on puts, DeleteMarkerCreated, permanent delete of a version", async () => {
      const s3 = ctx.s3();
      const bucket = await bucketWith("versioned", all("v"), true);
      const v1 = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc.txt", Body: "v1" }));
      const p = await waitRecord(bucket, "doc.txt", "ObjectCreated:Put");
      expect(p.s3.object).toEqual({ key: "doc.txt", size: 2, eTag: unquote(v1.ETag), versionId: v1.VersionId, sequencer: expect.any(String) });

      const marker = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc.txt" }));
      expect(marker.DeleteMarker).toBe(true);
      const m = await waitRecord(bucket, "doc.txt", "ObjectRemoved:DeleteMarkerCreated");
      expect(m.s3.object).toEqual({ key: "doc.txt", eTag: EMPTY_ETAG, versionId: marker.VersionId, sequencer: expect.any(String) });

      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "doc.txt", VersionId: v1.VersionId }));
      const d = await waitRecord(bucket, "doc.txt", "ObjectRemoved:Delete");
      expect(d.s3.object).toEqual({ key: "doc.txt", versionId: v1.VersionId, sequencer: expect.any(String) });
      const seqs = [p, m, d].map((r) => r.s3.object.sequencer.padEnd(20, "0"));
      expect([...seqs].sort()).toEqual(seqs);
    });

    it("a browser POST upload is ObjectCreated:Post", async () => {
      const bucket = await bucketWith("post", all("post"));
      const date = "20260101";
      const fields: Record<string, string> = {
        key: "forms/${filename}",
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": `test/${date}/us-east-1/s3/aws4_request`,
        "X-Amz-Date": `${date}T000000Z`,
      };
      const conditions = [{ bucket }, ["starts-with", "$key", "forms/"], ...Object.entries(fields).filter(([k]) => k !== "key").map(([k, v]) => ({ [k]: v }))];
      const policy = Buffer.from(JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions })).toString("base64");
      const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
      const signingKey = hmac(hmac(hmac(hmac("AWS4test", date), "us-east-1"), "s3"), "aws4_request");
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append("Policy", policy);
      form.append("X-Amz-Signature", createHmac("sha256", signingKey).update(policy).digest("hex"));
      form.append("file", new Blob(["posted!"]), "my form.txt");
      const res = await fetch(`${ctx.endpoint()}/${bucket}`, { method: "POST", body: form });
      expect(res.status).toBe(204);
      const r = await waitRecord(bucket, "forms/my form.txt", "ObjectCreated:Post");
      expect(r.s3.object).toEqual({ key: "forms/my+form.txt", size: 7, eTag: unquote(res.headers.get("etag") ?? undefined), sequencer: expect.any(String) });
      expect(r.responseElements["x-amz-request-id"]).toBe(res.headers.get("x-amz-request-id"));
    });

    it("CompleteMultipartUpload keeps the -N ETag", async () => {
      const s3 = ctx.s3();
      const bucket = await bucketWith("multipart", all("mp"));
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "big/file.bin" }));
      const part1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "big/file.bin", UploadId, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 1) }));
      const part2 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "big/file.bin", UploadId, PartNumber: 2, Body: Buffer.from("tail") }));
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: "big/file.bin",
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }, { PartNumber: 2, ETag: part2.ETag }] },
        }),
      );
      const r = await waitRecord(bucket, "big/file.bin", "ObjectCreated:CompleteMultipartUpload");
      expect(r.s3.object).toEqual({ key: "big/file.bin", size: 5 * 1024 * 1024 + 4, eTag: unquote(done.ETag), sequencer: expect.any(String) });
      expect(r.s3.object.eTag).toMatch(/^[0-9a-f]{32}-2$/);
    });

    it("prefix/suffix filters and event types: only matching events are delivered, each with its configurationId", async () => {
      const s3 = ctx.s3();
      const bucket = await bucketWith("filters", [
        { Id: "jpg", Events: ["s3:ObjectCreated:Put"], FilterRules: [{ Name: "prefix", Value: "images/" }, { Name: "suffix", Value: ".jpg" }] },
        { Id: "png", Events: ["s3:ObjectCreated:*"], FilterRules: [{ Name: "prefix", Value: "images/" }, { Name: "suffix", Value: ".png" }] },
        { Id: "spaced", Events: ["s3:ObjectCreated:*"], FilterRules: [{ Name: "prefix", Value: "my+docs/" }] },
      ]);
      // Not matching: wrong prefix, wrong suffix, wrong event type (copy is not Put), case differs.
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "other/a.jpg", Body: "x" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "images/a.gif", Body: "x" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "images/A.JPG", Body: "x" }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "images/copy.jpg", CopySource: `${bucket}/other/a.jpg` }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "images/A.JPG" }));
      // Matching:
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "images/a.jpg", Body: "x" }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "images/b.png", CopySource: `${bucket}/other/a.jpg` }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "my docs/report.pdf", Body: "x" }));
      expect((await waitRecord(bucket, "images/a.jpg", "ObjectCreated:Put")).s3.configurationId).toBe("jpg");
      expect((await waitRecord(bucket, "images/b.png", "ObjectCreated:Copy")).s3.configurationId).toBe("png");
      expect((await waitRecord(bucket, "my docs/report.pdf", "ObjectCreated:Put")).s3.configurationId).toBe("spaced");
      // Deliveries of one bucket leave in event order: by now the earlier, non-matching events would have arrived.
      const fromBucket = ctx
        .sink()
        .received()
        .filter((b) => b.Records?.[0]?.s3.bucket.name === bucket)
        .map((b) => decodeKey(b.Records[0].s3.object.key));
      expect(fromBucket.sort()).toEqual(["images/a.jpg", "images/b.png", "my docs/report.pdf"]);
    });
  });
}
