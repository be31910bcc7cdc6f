// S3 Lifecycle through the SDK and the AWS CLI: Put/Get/DeleteBucketLifecycleConfiguration
// with S3's validation answers, and the rules running on the local lifecycle
// clock (this cloud: one day = 0.3 s) with their events S3 → SQS, SNS, Lambda
// and EventBridge alike: s3:LifecycleExpiration:Delete (unversioned expiry,
// noncurrent versions), :DeleteMarkerCreated (versioned expiry),
// s3:LifecycleTransition (lifecycleEventData; objects under 128 KiB stay), and
// EventBridge "Object Deleted" (reason "Lifecycle Expiration") / "Object
// Storage Class Changed".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand,
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  type LifecycleRule,
} from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { awsCliAsync, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure } from "../helpers/s3.js";
import { createEventSinks, VIAS, type EventSinks } from "./s3-event-sinks.js";

let cloud: TestCloud;
let s3: S3Client;
let sinks: EventSinks;

beforeAll(async () => {
  cloud = await startTestCloud({ lifecycleDaySeconds: 0.3 });
  s3 = new S3Client(cloud.clientConfig);
  sinks = await createEventSinks(cloud, { s3, sqs: new SQSClient(cloud.clientConfig), sns: new SNSClient(cloud.clientConfig), eb: new EventBridgeClient(cloud.clientConfig), lambda: new LambdaClient(cloud.clientConfig) }, "lc");
}, 60_000);
afterAll(async () => {
  s3?.destroy();
  await cloud?.close();
});

const putRules = (Bucket: string, Rules: LifecycleRule[]) => s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules } }));

describe("Put/Get/DeleteBucketLifecycleConfiguration", () => {
  it("stores and returns the rules (with S3's default minimum transition size), then forgets them", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lc-config" }));
    expect(await failure(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-config" })))).toMatchObject({ name: "NoSuchLifecycleConfiguration", status: 404 });
    const put = await putRules("lc-config", [
      { ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 7 } },
      { ID: "archive", Status: "Disabled", Filter: { And: { Prefix: "logs/", Tags: [{ Key: "keep", Value: "yes" }] } }, Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }, { Days: 90, StorageClass: "GLACIER" }] },
    ]);
    expect(put.TransitionDefaultMinimumObjectSize).toBe("all_storage_classes_128K");
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-config" }));
    expect(got.Rules).toEqual([
      { ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 7 } },
      { ID: "archive", Status: "Disabled", Filter: { And: { Prefix: "logs/", Tags: [{ Key: "keep", Value: "yes" }] } }, Transitions: [{ Days: 30, StorageClass: "STANDARD_IA" }, { Days: 90, StorageClass: "GLACIER" }] },
    ]);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: "lc-config" }));
    expect((await failure(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-config" })))).name).toBe("NoSuchLifecycleConfiguration");
  });

  it("answers invalid rules as S3 does: InvalidArgument, InvalidRequest or MalformedXML", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "lc-invalid" }));
    const cases: Array<[LifecycleRule[], string, RegExp?]> = [
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 0 } }], "InvalidArgument", /'Days' for Expiration action must be a positive integer/],
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Transitions: [{ Days: 10, StorageClass: "STANDARD_IA" }] }], "InvalidArgument", /greater than or equal to 30 for storageClass 'STANDARD_IA'/],
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 30 }, Transitions: [{ Days: 60, StorageClass: "GLACIER" }] }], "InvalidArgument", /must be greater than 'Days' in the Transition action/],
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Date: new Date("2030-01-01T12:00:00Z") } }], "InvalidArgument", /'Date' must be at midnight GMT/],
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } }, { ID: "a", Status: "Enabled", Filter: { Prefix: "x" }, Expiration: { Days: 1 } }], "InvalidArgument", /Rule ID must be unique/],
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" } }], "InvalidRequest", /At least one action needs to be specified in a rule/],
      [[{ ID: "a", Status: "Maybe" as never, Filter: { Prefix: "" }, Expiration: { Days: 1 } }], "MalformedXML"],
      [[{ ID: "a", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } }], "InvalidArgument", /ExpiredObjectDeleteMarker cannot be specified with Days or Date/],
    ];
    for (const [rules, code, message] of cases) {
      const err = await failure(putRules("lc-invalid", rules));
      expect(err.name, JSON.stringify(rules)).toBe(code);
      expect(err.status).toBe(400);
      if (message) expect(err.message).toMatch(message);
    }
    expect((await failure(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: "lc-invalid" })))).name).toBe("NoSuchLifecycleConfiguration");
  });
});

describe.each(VIAS)("lifecycle events → %s (and EventBridge)", (via) => {
  it("Expiration deletes an unversioned object (LifecycleExpiration:Delete) and only under its prefix", async () => {
    const bucket = `lc-expire-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, via, ["s3:LifecycleExpiration:*"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "tmp/a.txt", Body: "a" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "keep/b.txt", Body: "b" }));
    await putRules(bucket, [{ ID: "tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } }]);
    const [record] = await sinks.records(via, bucket, "LifecycleExpiration:Delete");
    expect(record).toMatchObject({ eventVersion: "2.5", userIdentity: { principalId: "s3.amazonaws.com" }, s3: { object: { key: "tmp/a.txt" } } });
    expect(Object.keys(record.s3.object).sort()).toEqual(["key", "sequencer"]);
    expect((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "tmp/a.txt" })))).status).toBe(404);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "keep/b.txt" }))).ContentLength).toBe(1);
    const [deleted] = await sinks.eventBridge(bucket, "Object Deleted");
    expect(deleted.detail).toMatchObject({ reason: "Lifecycle Expiration", "deletion-type": "Permanently Deleted", requester: "s3.amazonaws.com", object: { key: "tmp/a.txt" } });
  }, 60_000);

  it("in a versioned bucket: a delete marker (…:DeleteMarkerCreated), then the noncurrent version goes (…:Delete with its versionId)", async () => {
    const bucket = `lc-versioned-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await sinks.configure(bucket, via, ["s3:LifecycleExpiration:*"]);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc", Body: "v1" }));
    await putRules(bucket, [{ ID: "all", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 }, NoncurrentVersionExpiration: { NoncurrentDays: 2 } }]);
    const [marker] = await sinks.records(via, bucket, "LifecycleExpiration:DeleteMarkerCreated");
    expect(marker.s3.object).toMatchObject({ key: "doc", eTag: "d41d8cd98f00b204e9800998ecf8427e", versionId: expect.any(String) });
    const [gone] = await sinks.records(via, bucket, "LifecycleExpiration:Delete");
    expect(gone.s3.object).toMatchObject({ key: "doc", versionId: put.VersionId });
    const [ebMarker] = await sinks.eventBridge(bucket, "Object Deleted");
    expect(ebMarker.detail).toMatchObject({ reason: "Lifecycle Expiration", "deletion-type": "Delete Marker Created" });
  }, 60_000);

  it("Transition moves a large object to GLACIER (LifecycleTransition), leaving one under 128 KiB", async () => {
    const bucket = `lc-transition-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, via, ["s3:LifecycleTransition"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "a-small", Body: "tiny" }));
    const big = Buffer.alloc(130 * 1024, 7);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "b-big", Body: big }));
    await putRules(bucket, [{ ID: "cold", Status: "Enabled", Filter: { Prefix: "" }, Transitions: [{ Days: 1, StorageClass: "GLACIER" }] }]);
    const [record] = await sinks.records(via, bucket, "LifecycleTransition");
    expect(record).toMatchObject({ eventName: "LifecycleTransition", lifecycleEventData: { transitionEventData: { destinationStorageClass: "GLACIER" } } });
    expect(record.s3.object).toMatchObject({ key: "b-big", size: big.length, eTag: put.ETag!.replace(/"/g, "") });
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "b-big" }))).StorageClass).toBe("GLACIER");
    expect((await failure(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "b-big" })))).name).toBe("InvalidObjectState");
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "a-small" }))).StorageClass).toBeUndefined();
    const [changed] = await sinks.eventBridge(bucket, "Object Storage Class Changed");
    expect(changed.detail).toMatchObject({ "destination-storage-class": "GLACIER", object: { key: "b-big", size: big.length } });
  }, 120_000);
});

describe("the AWS CLI", () => {
  it("put-bucket-lifecycle-configuration / get-bucket-lifecycle-configuration, and the rule runs", async () => {
    if (!hasAwsCli) return;
    const bucket = "lc-cli";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "old.txt", Body: "x" }));
    const config = JSON.stringify({ Rules: [{ ID: "expire", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } }] });
    const put = await awsCliAsync(cloud, ["s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", config]);
    expect(put.status, put.stderr).toBe(0);
    const get = await awsCliAsync(cloud, ["s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket, "--output", "json"]);
    expect(JSON.parse(get.stdout).Rules).toEqual([{ ID: "expire", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 1 } }]);
    await eventually(async () => ((await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "old.txt" })))).status === 404 ? true : undefined));
  }, 120_000); // several CLI runs: slow on a loaded machine
});
