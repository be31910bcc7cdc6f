/**
 * Lab 01 — the grader. Provisions a bucket and a queue in a fresh namespace,
 * applies the learner's queue policy and notification configuration, then
 * drives real traffic (uploads with awkward keys, a copy, a tag, a multipart
 * upload, deletes) and compares the learner's event reader with the truth.
 */
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetBucketNotificationConfigurationCommand, PutObjectCommand, PutBucketVersioningCommand, PutObjectTaggingCommand, UploadPartCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import { SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { putNotifications } from "../../src/kit/resources/s3.js";
import { CheckFailed, defineGrader, type GradeContext } from "../../src/kit/grader/types.js";
import { errorCode, errorMessage } from "../../src/kit/wait.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { queuePolicyTable } from "./policy-requests.js";
import { BATCH_SEQUENCERS, KEY_CASES, LIFECYCLE, LIFECYCLE_EVENTS } from "./test-data.js";
import { createBucketAndQueue, decodeKey, isTestEvent, receiveUntil, recordCount, recordsOf, type LabResources } from "./support.js";
import type { ObjectChange, readS3Message as ReadFn } from "./event-reader.js";
import type { queuePolicy as PolicyFn } from "./queue-policy.js";
import type { notificationConfiguration as NotificationFn } from "./notification.js";

interface State extends LabResources {
  queuePolicy: typeof PolicyFn;
  notificationConfiguration: typeof NotificationFn;
  readS3Message: typeof ReadFn;
  policy?: Record<string, any>;
  /** Message bodies of the lifecycle round (real S3 records, reused to build a batch). */
  lifecycle?: string[];
}

/** Kept for callers of the old name: the decoding check's keys (test-data.ts). */
export const AWKWARD_KEYS = KEY_CASES;

function eventsCovered(events: string[], family: "ObjectCreated" | "ObjectRemoved"): boolean {
  const all = family === "ObjectCreated" ? ["Put", "Post", "Copy", "CompleteMultipartUpload"] : ["Delete", "DeleteMarkerCreated"];
  return events.includes(`s3:${family}:*`) || all.every((e) => events.includes(`s3:${family}:${e}`));
}

function expectedChanges(body: string): ObjectChange[] {
  return recordsOf(body).map((r) => ({
    change: r.eventName.startsWith("ObjectCreated:") ? "created" : r.eventName.startsWith("ObjectRemoved:") ? "removed" : "other",
    eventName: r.eventName,
    bucket: r.s3.bucket.name,
    key: decodeKey(r.s3.object.key),
    size: r.s3.object.size,
    sequencer: r.s3.object.sequencer,
  }));
}

/** Compare the learner's reading of each message with the truth; returns problems, at most a few. */
async function compareReader(ctx: GradeContext, st: State, bodies: string[], fields: Array<keyof ObjectChange>): Promise<string[]> {
  const problems: string[] = [];
  for (const body of bodies) {
    const expected = expectedChanges(body);
    const got = await ctx.callLearner("readS3Message", () => st.readS3Message(body));
    if (!Array.isArray(got) || got.length !== expected.length) {
      problems.push(`for a message with ${expected.length} record(s) readS3Message returned ${Array.isArray(got) ? `${got.length} item(s)` : JSON.stringify(got)}`);
      continue;
    }
    expected.forEach((e, i) => {
      for (const f of fields) {
        if (got[i]![f] !== e[f]) problems.push(`${f}: expected ${JSON.stringify(e[f])} but got ${JSON.stringify(got[i]![f])} (event ${e.eventName} for "${e.key}")`);
      }
    });
  }
  return problems.slice(0, 4);
}

export default defineGrader<State>({
  async setup(ctx) {
    const policyMod = await ctx.importCode<{ queuePolicy: typeof PolicyFn }>("queue-policy.ts");
    const notifMod = await ctx.importCode<{ notificationConfiguration: typeof NotificationFn }>("notification.ts");
    const readerMod = await ctx.importCode<{ readS3Message: typeof ReadFn }>("event-reader.ts");
    const resources = await createBucketAndQueue(ctx);
    return { ...resources, queuePolicy: policyMod.queuePolicy, notificationConfiguration: notifMod.notificationConfiguration, readS3Message: readerMod.readS3Message };
  },
  checks: [
    {
      name: "queue policy lets S3 send, only from this bucket and account",
      async run(ctx, st) {
        const policy = await ctx.callLearner("queuePolicy", () => st.queuePolicy({ queueArn: st.queue.arn, bucketName: st.bucket.name, accountId: ctx.target.account }));
        const problems = policyProblems(policy, queuePolicyTable({ queueArn: st.queue.arn, bucketName: st.bucket.name, accountId: ctx.target.account }));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        try {
          await ctx.clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: st.queue.url, Attributes: { Policy: JSON.stringify(policy) } }));
        } catch (err) {
          throw new CheckFailed(`SQS refused the policy: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        st.policy = policy;
        return "allows exactly S3 from this bucket and account (evaluated against the request table); SQS accepted it";
      },
    },
    {
      name: "notification configuration sends created and removed events to the queue",
      needs: ["queue policy lets S3 send, only from this bucket and account"],
      async run(ctx, st) {
        const config = await ctx.callLearner("notificationConfiguration", () => st.notificationConfiguration({ queueArn: st.queue.arn }));
        const queues = config?.QueueConfigurations ?? [];
        const mine = queues.filter((q) => q.QueueArn === st.queue.arn);
        if (mine.length === 0) throw new CheckFailed(`no QueueConfiguration has QueueArn ${st.queue.arn}`);
        const events = mine.flatMap((q) => q.Events ?? []);
        if (!eventsCovered(events, "ObjectCreated")) throw new CheckFailed(`the events ${JSON.stringify(events)} do not cover every object-created event`);
        if (!eventsCovered(events, "ObjectRemoved")) throw new CheckFailed(`the events ${JSON.stringify(events)} do not cover every object-removed event`);
        try {
          await putNotifications(ctx, st.bucket.name, config as NotificationConfiguration);
        } catch (err) {
          throw new CheckFailed(`S3 rejected the configuration: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        const saved = await ctx.clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: st.bucket.name }));
        return `S3 saved it (configuration id ${saved.QueueConfigurations?.[0]?.Id ?? "?"})`;
      },
    },
    {
      name: "S3's test event arrives and your reader skips it",
      needs: ["notification configuration sends created and removed events to the queue"],
      async run(ctx, st) {
        const bodies = await receiveUntil(ctx, st.queue.url, (b) => b.some(isTestEvent), "the s3:TestEvent");
        const test = bodies.find(isTestEvent)!;
        const got = await ctx.callLearner("readS3Message(s3:TestEvent)", () => st.readS3Message(test));
        if (!Array.isArray(got) || got.length !== 0) throw new CheckFailed(`for the test event readS3Message returned ${JSON.stringify(got)}, expected []`);
        // A real pass (the reader ignores the test event), worded so it cannot be read as a skipped check.
        return "readS3Message returned [] for the s3:TestEvent";
      },
    },
    {
      name: "your reader decodes keys with spaces, +, = and unicode",
      needs: ["notification configuration sends created and removed events to the queue"],
      async run(ctx, st) {
        await Promise.all(AWKWARD_KEYS.map((Key, i) => ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key, Body: "x".repeat(i + 1) }))));
        const bodies = await receiveUntil(ctx, st.queue.url, (b) => recordCount(b) >= AWKWARD_KEYS.length, `${AWKWARD_KEYS.length} ObjectCreated:Put events`);
        const events = bodies.filter((b) => recordsOf(b).some((r) => decodeKey(r.s3.object.key).startsWith("k/")));
        const truthKeys = new Set(events.flatMap((b) => recordsOf(b).map((r) => decodeKey(r.s3.object.key))));
        for (const k of AWKWARD_KEYS) if (!truthKeys.has(k)) throw new CheckFailed(`no event arrived for "${k}"`);
        const problems = await compareReader(ctx, st, events, ["key", "bucket", "eventName", "size"]);
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return `${AWKWARD_KEYS.length} keys decoded correctly`;
      },
    },
    {
      name: "your reader tells created from removed (copy, multipart, delete)",
      needs: ["notification configuration sends created and removed events to the queue"],
      async run(ctx, st) {
        const bucket = st.bucket.name;
        const { original: a, copy: b, multipart: c, versioned: v } = LIFECYCLE;
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: a, Body: "original" }));
        // Tagging is an ObjectTagging:Put event: this configuration must not send it.
        await ctx.clients.s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: a, Tagging: { TagSet: [{ Key: "checked", Value: "yes" }] } }));
        await ctx.clients.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: b, CopySource: `${bucket}/${encodeURIComponent(a)}` }));
        const up = await ctx.clients.s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: c }));
        const part1 = await ctx.clients.s3.send(new UploadPartCommand({ Bucket: bucket, Key: c, UploadId: up.UploadId!, PartNumber: 1, Body: Buffer.alloc(5 * 1024 * 1024, 1) }));
        const part2 = await ctx.clients.s3.send(new UploadPartCommand({ Bucket: bucket, Key: c, UploadId: up.UploadId!, PartNumber: 2, Body: Buffer.from("end") }));
        await ctx.clients.s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: c, UploadId: up.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part1.ETag }, { PartNumber: 2, ETag: part2.ETag }] } }));
        await ctx.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: a }));
        await ctx.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: b }));
        // On a versioned bucket a delete without a version id leaves a delete marker: ObjectRemoved:DeleteMarkerCreated.
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: v, Body: "versioned" }));
        await ctx.clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
        await ctx.clients.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: v }));
        const mine = (bs: string[]) => bs.filter((x) => recordsOf(x).some((r) => decodeKey(r.s3.object.key).startsWith("lifecycle/")));
        const wanted = [...LIFECYCLE_EVENTS, "ObjectRemoved:Delete", "ObjectCreated:Put"];
        const bodies = mine(await receiveUntil(ctx, st.queue.url, (bs) => recordCount(mine(bs)) >= wanted.length, "the copy, multipart and delete events"));
        const events = bodies;
        const names = events.flatMap((x) => recordsOf(x).map((r) => r.eventName));
        for (const w of new Set(wanted)) if (!names.includes(w)) throw new CheckFailed(`no ${w} event arrived (got ${names.join(", ")})`);
        if (names.some((n) => n.startsWith("ObjectTagging:"))) throw new CheckFailed("an ObjectTagging event arrived: your configuration subscribes to more than created and removed events", "notification.ts: subscribe to the object-created and object-removed families only, no other event types.");
        const problems = await compareReader(ctx, st, events, ["change", "eventName", "size"]);
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        st.lifecycle = events;
        return "Put, Copy, CompleteMultipartUpload, Delete and DeleteMarkerCreated told apart";
      },
    },
      {
      name: "your reader returns every record of a message, with its sequencer",
      needs: ["your reader tells created from removed (copy, multipart, delete)"],
      async run(ctx, st) {
        // Real records from the lifecycle round, several in one message, with sequencers of different lengths.
        const records = (st.lifecycle ?? []).flatMap(recordsOf).slice(0, BATCH_SEQUENCERS.length);
        const batch = JSON.stringify({ Records: records.map((r, i) => ({ ...r, s3: { ...r.s3, object: { ...r.s3.object, sequencer: BATCH_SEQUENCERS[i] } } })) });
        const problems = await compareReader(ctx, st, [batch], ["eventName", "key", "sequencer"]);
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return `${records.length} records in one message, sequencers kept as text`;
      },
    },
  ],
});
