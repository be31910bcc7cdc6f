/**
 * Lab 01 — anatomy of an S3 event. The guided steps build a bucket, a queue,
 * the queue policy and the notification configuration, then make every kind
 * of change to objects and read the events S3 sends, explaining each field.
 * The learner writes queue-policy.ts, notification.ts and event-reader.ts;
 * grade.ts checks them.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { putNotifications } from "../../src/kit/resources/s3.js";
import { setQueuePolicy } from "../../src/kit/resources/sqs.js";
import grader from "./grade.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { createQueue } from "../../src/kit/resources/sqs.js";
import { isTestEvent, receiveUntil, recordCount, recordsOf, type LabResources, type S3Record } from "./support.js";
import type { queuePolicy as PolicyFn } from "./queue-policy.js";
import type { notificationConfiguration as NotificationFn } from "./notification.js";
import type { readS3Message as ReadFn } from "./event-reader.js";

const res = (ctx: GuidedContext) => ctx.state as unknown as LabResources;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");

/** Receive the next `n` event records and show them through the reader. */
async function showEvents(ctx: GuidedContext, n: number, what: string): Promise<{ records: S3Record[]; notes: string[] }> {
  const bodies = await receiveUntil(ctx, res(ctx).queue.url, (b) => recordCount(b) >= n, what);
  const { readS3Message } = await ctx.importPiece<{ readS3Message: typeof ReadFn }>("event-reader.ts");
  const records = bodies.flatMap(recordsOf);
  const notes = bodies
    .filter((b) => !isTestEvent(b))
    .flatMap((b) => readS3Message(b).map((c) => `${pc.bold(c.eventName.padEnd(40))} ${c.change.padEnd(8)} key=${JSON.stringify(c.key)}${c.size !== undefined ? ` size=${c.size}` : ""}`));
  return { records, notes };
}

export default defineLab({
  id: "01",
  slug: "anatomy-of-an-s3-event",
  title: "Anatomy of an S3 event",
  summary: "A bucket sends its object events to an SQS queue; you read them and learn every field.",
  learnerFiles: ["queue-policy.ts", "notification.ts", "event-reader.ts"],
  creates: ["1 S3 bucket (tagged s3-event-labs:*)", "1 SQS queue with a queue policy", "a bucket notification configuration", "a few small test objects"],
  grader,
  steps: [
    {
      title: "Create the bucket",
      explain: "An S3 bucket holds objects under keys. Every change to an object can produce an event — once the bucket is told where to send it.",
      cli: ["aws s3api create-bucket --bucket <namespace>-uploads"],
      async run(ctx) {
        const bucket = await createBucket(ctx, ctx.names.resource("uploads"));
        Object.assign(ctx.state, { bucket });
        return { created: [["bucket", bucket.name], ["ARN", bucket.arn]] };
      },
    },
    {
      title: "Create the queue",
      explain: "An SQS queue keeps messages until a consumer reads and deletes them — here, one message per S3 event. Standard queues deliver at least once, in no guaranteed order.",
      cli: ["aws sqs create-queue --queue-name <namespace>-events", "aws sqs get-queue-attributes --queue-url <url> --attribute-names QueueArn"],
      async run(ctx) {
        const queue = await createQueue(ctx, ctx.names.resource("events"));
        Object.assign(ctx.state, { queue });
        return { created: [["queue URL", queue.url], ["queue ARN", queue.arn]] };
      },
    },
    {
      title: "Let S3 send to the queue (queue policy)",
      explain: "A queue accepts messages from another AWS service only if its access policy says so. S3 sends as the service principal s3.amazonaws.com; the aws:SourceArn and aws:SourceAccount conditions make sure only YOUR bucket can use the grant.",
      cli: ["aws sqs set-queue-attributes --queue-url <url> --attributes Policy=file://policy.json"],
      async run(ctx) {
        const { queuePolicy } = await ctx.importPiece<{ queuePolicy: typeof PolicyFn }>("queue-policy.ts");
        const policy = queuePolicy({ queueArn: res(ctx).queue.arn, bucketName: res(ctx).bucket.name, accountId: ctx.target.account });
        await setQueuePolicy(ctx, res(ctx).queue, policy);
        return { created: [["queue policy", `${policy.Statement.length} statement(s) on ${res(ctx).queue.name}`]], notes: [json(policy)] };
      },
    },
    {
      title: "Tell the bucket to send created and removed events (notification configuration)",
      explain: "The notification configuration maps event types to destinations. Saving it replaces the whole configuration; S3 first checks that it may send to each destination, then sends each queue a test message.",
      cli: ["aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration file://notification.json"],
      async run(ctx) {
        const { notificationConfiguration } = await ctx.importPiece<{ notificationConfiguration: typeof NotificationFn }>("notification.ts");
        const config = notificationConfiguration({ queueArn: res(ctx).queue.arn });
        await putNotifications(ctx, res(ctx).bucket.name, config);
        return { created: [["notification", `${res(ctx).bucket.name} → ${res(ctx).queue.name}`]], notes: [json(config)] };
      },
    },
    {
      title: "Read S3's test event",
      explain: "The first message is not about an object: it is s3:TestEvent, proof that S3 can reach the queue. It has no Records, so every consumer must skip it.",
      cli: ["aws sqs receive-message --queue-url <url> --wait-time-seconds 10"],
      async run(ctx) {
        const bodies = await receiveUntil(ctx, res(ctx).queue.url, (b) => b.some(isTestEvent), "the s3:TestEvent");
        const { readS3Message } = await ctx.importPiece<{ readS3Message: typeof ReadFn }>("event-reader.ts");
        const test = bodies.find(isTestEvent)!;
        return { notes: [json(JSON.parse(test)), `your reader returns ${JSON.stringify(readS3Message(test))} for it`] };
      },
    },
    {
      title: "Upload an object and read its event, field by field",
      explain: 'PutObject produces "ObjectCreated:Put". The key "photos/red flower+1.jpg" shows the encoding: in events a space becomes "+" and a real "+" becomes "%2B".',
      cli: ['aws s3api put-object --bucket <bucket> --key "photos/red flower+1.jpg" --body flower.jpg'],
      async run(ctx) {
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: res(ctx).bucket.name, Key: "photos/red flower+1.jpg", Body: "not really a jpeg" }));
        const { records, notes } = await showEvents(ctx, 1, "the ObjectCreated:Put event");
        const r = records[0]!;
        const fields: Array<[string, string]> = [
          ["eventVersion", `${r.eventVersion} — check only the major version`],
          ["eventTime", `${r.eventTime} — when S3 finished the request (ISO-8601, ms)`],
          ["eventName", `${r.eventName} — the event type without "s3:"`],
          ["userIdentity.principalId", `${r.userIdentity?.principalId} — who made the change`],
          ["responseElements", `${JSON.stringify(r.responseElements)} — request ids, for AWS support`],
          ["s3.configurationId", `${r.s3.configurationId} — the Id of the configuration that matched`],
          ["s3.bucket.name / arn", `${r.s3.bucket.name} / ${r.s3.bucket.arn}`],
          ["s3.object.key", `${r.s3.object.key} — URL-encoded! decode before use`],
          ["s3.object.size / eTag", `${r.s3.object.size} / ${r.s3.object.eTag} — metadata only: the event never carries the content`],
          ["s3.object.sequencer", `${r.s3.object.sequencer} — orders events of the same key; duplicates repeat it`],
        ];
        return { notes: [json(r), ...fields.map(([k, v]) => `${pc.cyan(k.padEnd(26))} ${v}`), ...notes] };
      },
    },
    {
      title: "Copy, tag, and complete a multipart upload",
      explain: 'CopyObject gives "ObjectCreated:Copy" and multipart uploads "ObjectCreated:CompleteMultipartUpload" (its eTag ends in "-<parts>"). Tagging is an "ObjectTagging:Put" event — not in our configuration, so nothing arrives for it.',
      cli: [
        'aws s3api copy-object --bucket <bucket> --copy-source "<bucket>/photos/red flower+1.jpg" --key photos/copy.jpg',
        "aws s3api put-object-tagging --bucket <bucket> --key photos/copy.jpg --tagging 'TagSet=[{Key=reviewed,Value=yes}]'",
        "aws s3 cp big.bin s3://<bucket>/big.bin   # multipart only for files over the CLI's 8 MB multipart_threshold: use one of 9 MB or more (this step sends 5 MiB + 4 bytes in two parts through the API)",
      ],
      async run(ctx) {
        const Bucket = res(ctx).bucket.name;
        await ctx.clients.s3.send(new CopyObjectCommand({ Bucket, Key: "photos/copy.jpg", CopySource: `${Bucket}/${encodeURIComponent("photos/red flower+1.jpg")}` }));
        await ctx.clients.s3.send(new PutObjectTaggingCommand({ Bucket, Key: "photos/copy.jpg", Tagging: { TagSet: [{ Key: "reviewed", Value: "yes" }] } }));
        const up = await ctx.clients.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "big.bin" }));
        const p1 = await ctx.clients.s3.send(new UploadPartCommand({ Bucket, Key: "big.bin", UploadId: up.UploadId!, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024) }));
        const p2 = await ctx.clients.s3.send(new UploadPartCommand({ Bucket, Key: "big.bin", UploadId: up.UploadId!, PartNumber: 2, Body: Buffer.from("tail") }));
        await ctx.clients.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: "big.bin", UploadId: up.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
        const { records, notes } = await showEvents(ctx, 2, "the Copy and CompleteMultipartUpload events");
        const mp = records.find((r) => r.eventName === "ObjectCreated:CompleteMultipartUpload");
        return { notes: [...notes, `multipart eTag: ${mp?.s3.object.eTag} (the "-2" counts the parts)`, "no ObjectTagging event: the configuration does not ask for it"] };
      },
    },
    {
      title: "Delete objects",
      explain: 'DeleteObject gives "ObjectRemoved:Delete" (on a versioned bucket without a version id: "ObjectRemoved:DeleteMarkerCreated"). A removed event has a key and a sequencer, but no size and no eTag.',
      cli: ["aws s3api delete-object --bucket <bucket> --key photos/copy.jpg"],
      async run(ctx) {
        const Bucket = res(ctx).bucket.name;
        await ctx.clients.s3.send(new DeleteObjectCommand({ Bucket, Key: "photos/copy.jpg" }));
        await ctx.clients.s3.send(new DeleteObjectCommand({ Bucket, Key: "big.bin" }));
        const { records, notes } = await showEvents(ctx, 2, "the ObjectRemoved:Delete events");
        return { notes: [json(records[0]?.s3.object), ...notes] };
      },
    },
    {
      title: "Events S3 causes by itself: a restore and a lifecycle expiration (not graded)",
      explain:
        'An object stored as GLACIER must be restored before it can be read: RestoreObject gives "ObjectRestore:Post", and S3 sends "ObjectRestore:Completed" when the copy is ready. A lifecycle rule deletes objects after N days: S3 then sends "LifecycleExpiration:Delete", not "ObjectRemoved:Delete" — and the principal is S3, not you. The kit adds a second queue configuration for these event types next to yours. On the local cloud a restore takes seconds and a lifecycle "day" 10 s; on AWS, minutes and days, so this step only explains there.',
      cli: [
        "aws s3api put-object --bucket <bucket> --key archive/report.txt --body report.txt --storage-class GLACIER",
        "aws s3api restore-object --bucket <bucket> --key archive/report.txt --restore-request 'Days=1,GlacierJobParameters={Tier=Expedited}'",
        "aws s3api put-bucket-lifecycle-configuration --bucket <bucket> --lifecycle-configuration file://lifecycle.json   # tmp/ expires after 1 day",
      ],
      async run(ctx) {
        if (ctx.target.kind === "aws") return { notes: ["skipped on AWS: an Expedited restore takes 1–5 minutes and a lifecycle expiration at least a day"] };
        const Bucket = res(ctx).bucket.name;
        const { notificationConfiguration } = await ctx.importPiece<{ notificationConfiguration: typeof NotificationFn }>("notification.ts");
        const mine = notificationConfiguration({ queueArn: res(ctx).queue.arn });
        const extra = { Id: "restore-and-lifecycle", QueueArn: res(ctx).queue.arn, Events: ["s3:ObjectRestore:*", "s3:LifecycleExpiration:*"] as never };
        await putNotifications(ctx, Bucket, { ...mine, QueueConfigurations: [...(mine.QueueConfigurations ?? []), extra] });
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key: "archive/report.txt", Body: "quarterly numbers", StorageClass: "GLACIER" }));
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key: "tmp/scratch.txt", Body: "temporary" }));
        await ctx.clients.s3.send(new RestoreObjectCommand({ Bucket, Key: "archive/report.txt", RestoreRequest: { Days: 1, GlacierJobParameters: { Tier: "Expedited" } } }));
        await ctx.clients.s3.send(
          new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: { Rules: [{ ID: "expire-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } }] } }),
        );
        const wanted = ["ObjectRestore:Post", "ObjectRestore:Completed", "LifecycleExpiration:Delete"];
        const bodies = await receiveUntil(ctx, res(ctx).queue.url, (b) => wanted.every((w) => b.flatMap(recordsOf).some((r) => r.eventName === w)), "the restore and lifecycle events", 60_000);
        const records = bodies.flatMap(recordsOf).filter((r) => wanted.includes(r.eventName));
        const lines = records.map((r) => `${pc.bold(r.eventName.padEnd(40))} key=${JSON.stringify(r.s3.object.key)} by ${r.userIdentity?.principalId}`);
        const completed = records.find((r) => r.eventName === "ObjectRestore:Completed") as (S3Record & { glacierEventData?: unknown }) | undefined;
        return { notes: [...lines, `the Completed record also says until when the restored copy stays: ${JSON.stringify(completed?.glacierEventData)}`] };
      },
    },
  ],
});
