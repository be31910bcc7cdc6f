/**
 * Lab 05 — fan out with SNS. The guided steps build: the bucket, the topic
 * (with the learner's topic policy) and the bucket's notification to it; the
 * audit queue (learner's queue policy) subscribed with raw message delivery,
 * beside a "peek" queue without it so the difference shows; the catalog
 * table and function (learner's handler) subscribed; the ops team's email
 * subscription with the learner's filter policy, confirmed from the local
 * outbox (on AWS: from the learner's inbox, LABS_EMAIL); then a small and a
 * large upload, and what each subscriber got. The learner writes
 * topic-policy.ts, queue-policy.ts, filter-policy.ts and handler.ts.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { GetSubscriptionAttributesCommand } from "@aws-sdk/client-sns";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { createTopic, setTopicPolicy, subscribe } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { packageHandler } from "../../src/kit/packaging.js";
import { pollUntil } from "../../src/kit/wait.js";
import { pace } from "../../src/kit/context.js";
import { formatMail } from "../../src/kit/commands/outbox.js";
import grader from "./grade.js";
import { bodyOf, LARGE_BYTES } from "./test-data.js";
import { catalogStatements, CATALOG_PURPOSE, deploy, functionRole, hasOutbox, mailsTo, opsAddress, QueueReader, scanItems, subscribeFunction } from "./support.js";
import type * as TopicPolicyModule from "./topic-policy.js";
import type * as QueuePolicyModule from "./queue-policy.js";
import type * as FilterModule from "./filter-policy.js";

interface RunState {
  bucket: { name: string; arn: string };
  topic: { name: string; arn: string };
  table: { name: string; arn: string };
  audit: Queue;
  peek: Queue;
  address: string;
  emailArn: string;
}
const st = (ctx: GuidedContext) => ctx.state as unknown as RunState;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");
const SMALL = { key: "uploads/notes/meeting notes.txt", size: 2_048 };
const LARGE = { key: "uploads/video/launch demo.mp4", size: 3 * LARGE_BYTES };

async function queueBodies(ctx: GuidedContext, q: Queue, n: number): Promise<string[]> {
  const reader = new QueueReader(ctx, q.url);
  const p = pace(ctx);
  await pollUntil(async () => ((await reader.receiveOnce(ctx.target.kind === "aws" ? 5 : 0), reader.seen.length >= n) ? true : undefined), { timeoutMs: ctx.target.kind === "aws" ? 60_000 : 10_000, intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs, what: `${n} messages in ${q.name}` }).catch(() => undefined);
  return reader.seen.map((b) => b.body);
}

export default defineLab({
  id: "05",
  slug: "fan-out-with-sns",
  title: "Fan out with SNS: one upload, three consumers",
  summary: "A bucket notifies a topic; a Lambda function catalogs every upload, an SQS queue keeps a raw audit trail, and the ops team gets an email for large uploads only.",
  learnerFiles: ["topic-policy.ts", "queue-policy.ts", "filter-policy.ts", "handler.ts"],
  creates: [
    "1 S3 bucket and its notification configuration",
    "1 SNS topic with your topic policy, and 4 subscriptions (function, audit queue, peek queue, email)",
    "3 SQS queues (audit, its dead-letter queue, peek)",
    "1 DynamoDB table (on-demand: billed per request)",
    "1 IAM role and 1 Lambda function (Node.js 20) with its log group",
    "locally: mails in the cloud's outbox, never sent; on AWS: a real confirmation mail to LABS_EMAIL (if set)",
    "grading only: a second bucket (the topic must refuse it) and the grader's own subscriber — a function that fails for one key, its role and its dead-letter queue",
  ],
  grader,
  steps: [
    {
      title: "Bucket and topic; your topic policy lets S3 publish",
      explain:
        "S3 publishes the bucket's events to the topic as the service s3.amazonaws.com. The topic's access policy must allow it — for this bucket (aws:SourceArn) in this account (aws:SourceAccount) only. S3 checks when the notification is saved, and publishes a test message (s3:TestEvent) to prove it can.",
      cli: [
        "aws s3api create-bucket --bucket <namespace>-files",
        "aws sns create-topic --name <namespace>-uploads",
        "aws sns set-topic-attributes --topic-arn <topic-arn> --attribute-name Policy --attribute-value file://topic-policy.json",
        "aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration '{\"TopicConfigurations\":[{\"TopicArn\":\"<topic-arn>\",\"Events\":[\"s3:ObjectCreated:*\"]}]}'",
      ],
      async run(ctx) {
        const { topicPolicy } = await ctx.importPiece<typeof TopicPolicyModule>("topic-policy.ts");
        const bucket = await createBucket(ctx, ctx.names.resource("files"));
        const topic = await createTopic(ctx, ctx.names.resource("uploads"));
        const policy = topicPolicy({ topicArn: topic.arn, bucketName: bucket.name, accountId: ctx.target.account });
        await setTopicPolicy(ctx, topic.arn, policy);
        Object.assign(ctx.state, { bucket, topic });
        return { created: [["bucket", bucket.name], ["topic", topic.arn]], notes: [pc.bold("topic policy:"), json(policy)] };
      },
    },
    {
      title: "Audit queue with raw message delivery — and a peek queue without it",
      explain:
        "The audit queue keeps S3's event exactly as S3 wrote it: with RawMessageDelivery SNS sends the bare message. Without it (the peek queue), every message is wrapped in SNS's envelope {Type, MessageId, TopicArn, Subject, Message: \"<S3's event as a string>\", Signature…}. Both queues need a policy that lets sns.amazonaws.com send — from this topic only (aws:SourceArn). The audit subscription also gets a dead-letter queue: what SNS cannot deliver lands there instead of vanishing.",
      cli: [
        "aws sqs create-queue --queue-name <namespace>-audit",
        "aws sqs set-queue-attributes --queue-url <audit-url> --attributes Policy=file://queue-policy.json",
        "aws sns subscribe --topic-arn <topic-arn> --protocol sqs --notification-endpoint <audit-arn> --attributes RawMessageDelivery=true,RedrivePolicy='{\"deadLetterTargetArn\":\"<dlq-arn>\"}'",
      ],
      async run(ctx) {
        const { queuePolicy } = await ctx.importPiece<typeof QueuePolicyModule>("queue-policy.ts");
        const [audit, dlq, peek] = await Promise.all(["audit", "audit-dlq", "peek"].map((p) => createQueue(ctx, ctx.names.resource(p))));
        for (const q of [audit!, dlq!, peek!]) await setQueuePolicy(ctx, q, queuePolicy({ queueArn: q.arn, topicArn: st(ctx).topic.arn }));
        await subscribe(ctx, st(ctx).topic.arn, "sqs", audit!.arn, { RawMessageDelivery: "true", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq!.arn }) });
        await subscribe(ctx, st(ctx).topic.arn, "sqs", peek!.arn);
        Object.assign(ctx.state, { audit, peek });
        return { created: [["audit queue", audit!.url], ["dead-letter queue", dlq!.url], ["peek queue", peek!.url]], notes: [pc.bold("queue policy (audit):"), json(queuePolicy({ queueArn: audit!.arn, topicArn: st(ctx).topic.arn }))] };
      },
    },
    {
      title: "The catalog: a table and your function, subscribed to the topic",
      explain:
        "SNS invokes the function asynchronously with ITS event: Records[].Sns.Message is S3's event as a JSON string — unwrap the envelope, parse S3's event, then decode each key. The function needs a resource-policy statement letting sns.amazonaws.com invoke it from this topic.",
      cli: [
        "aws dynamodb create-table --table-name <namespace>-catalog --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST",
        "aws lambda create-function --function-name <namespace>-catalog --runtime nodejs20.x --handler index.handler --role <role-arn> --zip-file fileb://function.zip --environment Variables={TABLE_NAME=<table>}",
        "aws lambda add-permission --function-name <namespace>-catalog --statement-id allow-sns-invoke --action lambda:InvokeFunction --principal sns.amazonaws.com --source-arn <topic-arn>",
        "aws sns subscribe --topic-arn <topic-arn> --protocol lambda --notification-endpoint <function-arn>",
      ],
      async run(ctx) {
        const table = await createTable(ctx, ctx.names.resource("catalog"), { partition: { AttributeName: "id", AttributeType: "S" } });
        const role = await functionRole(ctx, CATALOG_PURPOSE, catalogStatements(table.arn), "S3 Event Labs lab 05: the catalog function (writes one table)");
        const pkg = await packageHandler({ entry: ctx.pieceSource("handler.ts") });
        const fn = await deploy(ctx, CATALOG_PURPOSE, role.arn, pkg, { TABLE_NAME: table.name });
        await subscribeFunction(ctx, st(ctx).topic.arn, fn);
        // Subscribers are in place: now the bucket may notify (its s3:TestEvent reaches them all).
        await putNotifications(ctx, st(ctx).bucket.name, { TopicConfigurations: [{ Id: "fan-out", TopicArn: st(ctx).topic.arn, Events: ["s3:ObjectCreated:*"] }] });
        Object.assign(ctx.state, { table });
        return { created: [["table", table.arn], ["function", fn.arn], ["notification", `${st(ctx).bucket.name} → ${st(ctx).topic.name}`]] };
      },
    },
    {
      title: "The ops team's email: large uploads only, confirmed from the outbox",
      explain:
        `An email subscription starts "pending confirmation": SNS mails a link, and nothing is delivered until someone opens it. Locally nothing is mailed — the confirmation and every later mail land in the cloud's outbox (npm run outbox). Your filter policy decides which messages the subscription gets: only uploads of at least ${LARGE_BYTES.toLocaleString("en")} bytes.`,
      cli: [
        "aws sns subscribe --topic-arn <topic-arn> --protocol email --notification-endpoint ops@example.com --attributes file://filter-attributes.json",
        "npm run outbox -- ops@example.com          # locally: read the confirmation",
        "npm run outbox -- --confirm ops@example.com  # open its SubscribeURL",
      ],
      async run(ctx) {
        const { largeUploadsFilter } = await ctx.importPiece<typeof FilterModule>("filter-policy.ts");
        const settings = largeUploadsFilter({ minBytes: LARGE_BYTES });
        const address = opsAddress(ctx);
        const emailArn = await subscribe(ctx, st(ctx).topic.arn, "email", address, { FilterPolicyScope: settings.FilterPolicyScope, FilterPolicy: JSON.stringify(settings.FilterPolicy) });
        Object.assign(ctx.state, { address, emailArn });
        const notes = [pc.bold("filter:"), json(settings)];
        if (!hasOutbox(ctx)) {
          notes.push(process.env.LABS_EMAIL ? `Open the confirmation mail in ${address}'s inbox and click "Confirm subscription"; the large upload below is mailed once you have.` : "On AWS set LABS_EMAIL=<your address> to receive the mails yourself; this run used a placeholder address that nobody can confirm.");
          return { created: [["email subscription", `${address} (pending confirmation)`]], notes };
        }
        const p = pace(ctx);
        const confirmation = await pollUntil(async () => (await mailsTo(ctx, address)).find((m) => m.type === "SubscriptionConfirmation"), { timeoutMs: 10_000, intervalMs: p.intervalMs, what: "the confirmation mail" });
        notes.push(pc.bold("the outbox (npm run outbox -- " + address + "):"), ...formatMail(confirmation));
        await fetch(confirmation.subscribeUrl!);
        const attrs = await ctx.clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: emailArn }));
        notes.push(`opened the SubscribeURL → PendingConfirmation ${attrs.Attributes?.PendingConfirmation}`);
        return { created: [["email subscription", emailArn]], notes };
      },
    },
    {
      title: "Upload a small and a large file: what each subscriber got",
      explain: "One upload, one S3 event, one SNS publish — fanned out to every subscription independently. The catalog gets both, the audit queue both (raw), the peek queue both (enveloped), the ops team only the large one.",
      cli: ["aws s3 cp notes.txt s3://<bucket>/uploads/notes/ && aws s3 cp demo.mp4 s3://<bucket>/uploads/video/"],
      async run(ctx) {
        const s = st(ctx);
        for (const u of [SMALL, LARGE]) await ctx.clients.s3.send(new PutObjectCommand({ Bucket: s.bucket.name, Key: u.key, Body: bodyOf(u.size) }));
        const audit = (await queueBodies(ctx, s.audit, 2)).filter((b) => b.includes('"Records"'));
        const peek = (await queueBodies(ctx, s.peek, 3)).filter((b) => b.includes("Records"));
        const p = pace(ctx);
        const items = await pollUntil(async () => {
          const all = await scanItems(ctx, s.table.name);
          return all.length >= 2 ? all : undefined;
        }, { timeoutMs: ctx.target.kind === "aws" ? 60_000 : 10_000, intervalMs: p.intervalMs * 4, what: "2 catalog items" }).catch(() => scanItems(ctx, s.table.name));
        const notes: string[] = [pc.bold(`catalog (${items.length} items):`), ...items.map((i) => `   ${pc.cyan(String(i.key))}  ${i.size} bytes  ${i.eventTime}`)];
        if (audit[0]) notes.push(pc.bold("audit queue — raw: S3's event itself"), json(JSON.parse(audit[0])).split("\n").slice(0, 12).join("\n") + pc.dim("\n   …"));
        if (peek[0]) {
          const env = JSON.parse(peek[0]) as Record<string, unknown>;
          notes.push(pc.bold("peek queue — SNS's envelope; S3's event is a string in Message"), json({ ...env, Message: `${String(env.Message).slice(0, 80)}…`, Signature: `${String(env.Signature).slice(0, 20)}…` }));
        }
        if (hasOutbox(ctx)) {
          const mails = await pollUntil(async () => {
            const m = (await mailsTo(ctx, s.address)).filter((x) => x.type === "Notification");
            return m.length ? m : undefined;
          }, { timeoutMs: 10_000, intervalMs: p.intervalMs * 4, what: "the mail" }).catch(() => []);
          notes.push(pc.bold(`the outbox: ${mails.length} notification mail(s) to ${s.address} — only the large upload`), ...mails.flatMap((m) => formatMail({ ...m, body: `${m.body.slice(0, 300)}…` })));
        }
        return { notes };
      },
    },
  ],
});
