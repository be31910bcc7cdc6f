// Archived objects and RestoreObject, through the SDK and the AWS CLI, with
// the restore events S3 → SQS, SNS, Lambda and EventBridge alike
// [SNAP test_restore_object]: GetObject of an unrestored GLACIER object is
// 403 InvalidObjectState; RestoreObject answers 202 and sends
// ObjectRestore:Post (key, size, eTag, sequencer); the restore completes on
// the cloud's time scale with ObjectRestore:Completed (glacierEventData,
// userIdentity "AmazonCustomer:<owner>"), HEAD shows x-amz-restore, the
// object becomes readable, and the restored copy expires with
// ObjectRestore:Delete. EventBridge: Object Restore Initiated / Completed /
// Expired with source-storage-class and restore-expiry-time.
// The cloud runs at time scale 0.00003: a Standard GLACIER restore (3 h)
// takes ~0.3 s, a Bulk DEEP_ARCHIVE one (48 h) ~5 s, one day ~2.6 s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, RestoreObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { awsCliAsync, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure } from "../helpers/s3.js";
import { createEventSinks, VIAS, type EventSinks } from "./s3-event-sinks.js";

const TIME_SCALE = 0.00003;
let cloud: TestCloud;
let s3: S3Client;
let sinks: EventSinks;

beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: TIME_SCALE });
  s3 = new S3Client(cloud.clientConfig);
  sinks = await createEventSinks(cloud, { s3, sqs: new SQSClient(cloud.clientConfig), sns: new SNSClient(cloud.clientConfig), eb: new EventBridgeClient(cloud.clientConfig), lambda: new LambdaClient(cloud.clientConfig) }, "rst");
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await cloud?.close();
});

const restore = (Bucket: string, Key: string, Tier: "Standard" | "Bulk" | "Expedited" = "Standard", Days = 1) =>
  s3.send(new RestoreObjectCommand({ Bucket, Key, RestoreRequest: { Days, GlacierJobParameters: { Tier } } }));

describe.each(VIAS)("restore events → %s (and EventBridge)", (via) => {
  it("Post, Completed and Delete (expiry), with the object readable only in between", async () => {
    const bucket = `rst-events-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, via, ["s3:ObjectRestore:*"]);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "my_key_restore", Body: "something", StorageClass: "GLACIER" }));
    const etag = put.ETag!.replace(/"/g, "");
    expect(await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "my_key_restore" })))).toMatchObject({ name: "InvalidObjectState", status: 403 });
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "my_key_restore" }))).StorageClass).toBe("GLACIER");

    expect((await restore(bucket, "my_key_restore")).$metadata.httpStatusCode).toBe(202);
    const [post] = await sinks.records(via, bucket, "ObjectRestore:Post");
    expect(post).toMatchObject({ eventVersion: "2.5", s3: { object: { key: "my_key_restore", size: 9, eTag: etag, sequencer: expect.stringMatching(/^[0-9A-F]+$/) } } });
    expect(post).not.toHaveProperty("glacierEventData");
    const [initiated] = await sinks.eventBridge(bucket, "Object Restore Initiated");
    expect(initiated.detail).toMatchObject({ object: { key: "my_key_restore", size: 9, etag }, "source-storage-class": "GLACIER", requester: "000000000000", "source-ip-address": "127.0.0.1" });

    const [completed] = await sinks.records(via, bucket, "ObjectRestore:Completed");
    expect(completed.userIdentity.principalId).toBe(`AmazonCustomer:${completed.s3.bucket.ownerIdentity.principalId}`);
    expect(completed.glacierEventData).toEqual({ restoreEventData: { lifecycleRestorationExpiryTime: expect.stringMatching(/Z$/), lifecycleRestoreStorageClass: "GLACIER" } });
    expect(completed.s3.object).toMatchObject({ key: "my_key_restore", size: 9, eTag: etag });
    const [done] = await sinks.eventBridge(bucket, "Object Restore Completed");
    expect(done.detail).toMatchObject({ "source-storage-class": "GLACIER", "restore-expiry-time": completed.glacierEventData.restoreEventData.lifecycleRestorationExpiryTime, requester: "s3.amazonaws.com" });
    expect(done.detail).not.toHaveProperty("source-ip-address");

    // Restored: readable; HEAD shows the restore and its expiry; a second restore is 200.
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "my_key_restore" }));
    expect(head.Restore).toMatch(/^ongoing-request="false", expiry-date="\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"$/);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "my_key_restore" }))).Body!.transformToString()).toBe("something");

    // The restored copy expires after Days (scaled): ObjectRestore:Delete, and the object is archived again.
    const [expired] = await sinks.records(via, bucket, "ObjectRestore:Delete");
    expect(expired.s3.object.key).toBe("my_key_restore");
    await sinks.eventBridge(bucket, "Object Restore Expired");
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "my_key_restore" })))).name).toBe("InvalidObjectState");
  }, 90_000);
});

describe("RestoreObject", () => {
  it("409 while a restore runs, 200 once restored, InvalidObjectState for a STANDARD object, and no Expedited DEEP_ARCHIVE", async () => {
    const bucket = "rst-rules";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "deep", Body: "d", StorageClass: "DEEP_ARCHIVE" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "plain", Body: "p" }));
    expect(await failure(restore(bucket, "plain"))).toMatchObject({ name: "InvalidObjectState", status: 403 });
    expect(await failure(restore(bucket, "deep", "Expedited"))).toMatchObject({ name: "InvalidArgument", status: 400 });
    expect((await restore(bucket, "deep", "Bulk")).$metadata.httpStatusCode).toBe(202); // 48 h → ~5 s here
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "deep" }))).Restore).toBe('ongoing-request="true"');
    expect(await failure(restore(bucket, "deep", "Bulk"))).toMatchObject({ name: "RestoreAlreadyInProgress", status: 409 });
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "deep" })))).name).toBe("InvalidObjectState");

    // A restart keeps the pending restore, which then completes.
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    await eventually(async () => ((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "deep" }))).Restore?.startsWith('ongoing-request="false"') ? true : undefined), 20_000, 200);
    expect((await restore(bucket, "deep", "Bulk", 2)).$metadata.httpStatusCode).toBe(200);
  }, 60_000);

  it("works from the AWS CLI: restore-object and head-object's Restore", async () => {
    if (!hasAwsCli) return;
    const bucket = "rst-cli";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const put = await awsCliAsync(cloud, ["s3api", "put-object", "--bucket", bucket, "--key", "k", "--storage-class", "GLACIER", "--body", "/etc/hostname"]);
    expect(put.status, put.stderr).toBe(0);
    const get = await awsCliAsync(cloud, ["s3api", "get-object", "--bucket", bucket, "--key", "k", "/dev/null"]);
    expect(get.stderr).toContain("InvalidObjectState");
    const rst = await awsCliAsync(cloud, ["s3api", "restore-object", "--bucket", bucket, "--key", "k", "--restore-request", "Days=30,GlacierJobParameters={Tier=Standard}"]);
    expect(rst.status, rst.stderr).toBe(0);
    await eventually(async () => {
      const head = await awsCliAsync(cloud, ["s3api", "head-object", "--bucket", bucket, "--key", "k", "--output", "json"]);
      return JSON.parse(head.stdout || "{}").Restore?.startsWith('ongoing-request="false"') ? true : undefined;
    }, 20_000, 200);
  }, 120_000); // several CLI runs: slow on a loaded machine
});
