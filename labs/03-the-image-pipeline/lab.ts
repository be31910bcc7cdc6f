/**
 * Lab 03 — the image pipeline. The guided steps build, in order: the
 * execution role (least privilege, from policy.ts), the on-demand metadata
 * table, the SNS topic with an SQS queue subscribed so the notifications can
 * be seen, the function (handler.ts bundled with sharp), the bucket, the
 * invoke permission and the three notification configurations; then upload a
 * photo and show the thumbnail (saved to disk to open), the metadata item and
 * the SNS message; re-deliver the same event to show the duplicate is a
 * no-op; and list what cleanup removes. The learner writes policy.ts,
 * notification.ts and handler.ts; grade.ts checks them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { HeadObjectCommand, PutObjectCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { createTopic, subscribe } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import { RESOURCE_TYPES } from "../../src/kit/ledger.js";
import { statePath } from "../../src/kit/paths.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import grader from "./grade.js";
import { expectedThumbnailKey, makeImage } from "./images.js";
import {
  AnnouncementReader,
  createExecutionRole,
  deployFunction,
  FUNCTION_MEMORY_MB,
  FUNCTION_PURPOSE,
  FUNCTION_TIMEOUT_SECONDS,
  itemsFor,
  packageImageHandler,
  recentLogLines,
  s3PutRecord,
  scanItems,
  topicToQueuePolicy,
  waitForObject,
} from "./support.js";
import type * as PolicyModule from "./policy.js";
import type * as NotificationModule from "./notification.js";

interface RunState {
  role: { name: string; arn: string };
  table: { name: string; arn: string };
  topic: { name: string; arn: string };
  queue: Queue;
  pkg: PackagedFunction;
  fn: { name: string; arn: string };
  bucket: { name: string; arn: string };
  config: NotificationConfiguration;
  sampleKey: string;
}
const st = (ctx: GuidedContext) => ctx.state as unknown as RunState;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");
const SAMPLE_KEY = "uploads/holiday photos/beach day.jpg";

/** A two-column table for a metadata item. */
function table(item: Record<string, unknown>): string[] {
  const width = Math.max(...Object.keys(item).map((k) => k.length));
  const rule = (joint: string) => pc.dim(`   ${"─".repeat(width + 2)}${joint}${"─".repeat(52)}`);
  return [rule("┬"), ...Object.entries(item).sort(([a], [b]) => (a === "id" ? -1 : b === "id" ? 1 : a.localeCompare(b))).map(([k, v]) => `   ${pc.cyan(k.padEnd(width))}  │ ${String(v)}`), rule("┴")];
}

export default defineLab({
  id: "03",
  slug: "the-image-pipeline",
  title: "The image pipeline: thumbnails, metadata, notifications",
  summary: "Images under uploads/ get a thumbnail in thumbnails/, a metadata item in DynamoDB and an SNS announcement — exactly once, without triggering themselves.",
  learnerFiles: ["policy.ts", "notification.ts", "handler.ts"],
  creates: [
    "1 S3 bucket",
    "1 IAM role with an inline least-privilege policy",
    "1 DynamoDB table (on-demand: billed per request)",
    "1 SNS topic and 1 SQS queue subscribed to it",
    "1 Lambda function (Node.js 20, 1024 MB, bundled with sharp) and its log group",
    "a resource-policy statement and a bucket notification configuration",
    "grading only: a trap round that briefly widens the trigger to the whole bucket (your handler's guard must stop the loop; Lambda's recursion detection is the backstop)",
  ],
  grader,
  steps: [
    {
      title: "Execution role: trust policy + least privilege",
      explain:
        "The function will read uploads/, write thumbnails/, put one item in one table and publish to one topic — so that is all its role may do. A policy can name resources that do not exist yet: the bucket, table and topic ARNs follow from their names. Note what is NOT there: s3:PutObject on uploads/ (a loop) and any \"*\" outside the logs statement.",
      cli: [
        "aws iam create-role --role-name <namespace>-thumbnailer-role --assume-role-policy-document file://trust.json",
        "aws iam put-role-policy --role-name <namespace>-thumbnailer-role --policy-name image-pipeline --policy-document file://policy.json",
      ],
      async run(ctx) {
        const { trustPolicy, executionPolicy } = await ctx.importPiece<typeof PolicyModule>("policy.ts");
        const { region, account } = ctx.target;
        const names = { bucket: ctx.names.resource("images"), table: ctx.names.resource("metadata"), topic: ctx.names.resource("thumbnails") };
        const trust = trustPolicy();
        const permissions = executionPolicy({
          bucketName: names.bucket,
          tableArn: `arn:aws:dynamodb:${region}:${account}:table/${names.table}`,
          topicArn: `arn:aws:sns:${region}:${account}:${names.topic}`,
          functionName: ctx.names.resource(FUNCTION_PURPOSE),
          region,
          accountId: account,
        });
        const role = await createExecutionRole(ctx, trust, permissions);
        Object.assign(ctx.state, { role });
        return { created: [["role", role.arn]], notes: [pc.bold("trust policy:"), json(trust), pc.bold("permissions (inline policy image-pipeline):"), json(permissions)] };
      },
    },
    {
      title: "Metadata table (DynamoDB, on-demand)",
      explain:
        'One item per image, keyed by "id" = "<bucket>/<key>". On-demand (PAY_PER_REQUEST) capacity costs nothing while idle — right for a workshop. The handler writes conditionally on the event\'s sequencer, so a duplicate or late event cannot create a second item.',
      cli: ["aws dynamodb create-table --table-name <namespace>-metadata --attribute-definitions AttributeName=id,AttributeType=S --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST", "aws dynamodb wait table-exists --table-name <namespace>-metadata"],
      async run(ctx) {
        const table = await createTable(ctx, ctx.names.resource("metadata"), { partition: { AttributeName: "id", AttributeType: "S" } });
        Object.assign(ctx.state, { table });
        return { created: [["table", table.arn]] };
      },
    },
    {
      title: "SNS topic, and a queue subscribed to it so you can see the messages",
      explain:
        "The function announces each new thumbnail on a topic; any number of consumers can subscribe (fan-out). To watch the messages, an SQS queue subscribes — with a queue policy that lets only THIS topic send (aws:SourceArn). SNS wraps each message in a JSON envelope (Type, MessageId, TopicArn, Subject, Message…).",
      cli: [
        "aws sns create-topic --name <namespace>-thumbnails",
        "aws sqs create-queue --queue-name <namespace>-notifications",
        "aws sqs set-queue-attributes --queue-url <url> --attributes Policy=file://queue-policy.json",
        "aws sns subscribe --topic-arn <topic-arn> --protocol sqs --notification-endpoint <queue-arn>",
      ],
      async run(ctx) {
        const topic = await createTopic(ctx, ctx.names.resource("thumbnails"));
        const queue = await createQueue(ctx, ctx.names.resource("notifications"));
        const policy = topicToQueuePolicy(queue.arn, topic.arn);
        await setQueuePolicy(ctx, queue, policy);
        const subscription = await subscribe(ctx, topic.arn, "sqs", queue.arn);
        Object.assign(ctx.state, { topic, queue });
        return { created: [["topic", topic.arn], ["queue", queue.url], ["subscription", subscription]], notes: [json(policy)] };
      },
    },
    {
      title: "Bundle the handler with sharp",
      explain:
        "esbuild bundles handler.ts into index.mjs; @aws-sdk/* stays out (the runtime has it). sharp is a native module, so it is not bundled: the kit copies it with its linux-x64 binaries (@img/sharp-linux-x64, @img/sharp-libvips-linux-x64) into node_modules/ in the zip — Lambda runs x86_64 Linux, whatever your laptop is.",
      cli: [
        "npx esbuild handler.ts --bundle --platform=node --format=esm --external:@aws-sdk/* --external:sharp --outfile=dist/index.mjs",
        "npm install --prefix dist --os=linux --cpu=x64 sharp && (cd dist && zip -r ../function.zip .)",
      ],
      async run(ctx) {
        const pkg = await packageImageHandler(path.dirname(ctx.pieceSource("handler.ts")));
        Object.assign(ctx.state, { pkg });
        const native = pkg.files.filter((f) => f.path.endsWith(".node") || /\.so(\.\d+)*$/.test(f.path));
        return { created: [["zip", `${(pkg.zip.length / 1024 / 1024).toFixed(1)} MiB, handler ${pkg.handler}, bundle ${(pkg.bundleBytes / 1024).toFixed(0)} KiB`]], notes: native.map((f) => pc.dim(`${f.path} (${(f.bytes / 1024 / 1024).toFixed(1)} MiB)`)) };
      },
    },
    {
      title: "Create the function",
      explain: `Timeout ${FUNCTION_TIMEOUT_SECONDS} s and ${FUNCTION_MEMORY_MB} MB: decoding a 24-megapixel photo needs ~70 MB for its pixels, and on AWS CPU power grows with memory, so more memory is often cheaper (faster). TABLE_NAME and TOPIC_ARN are passed as environment variables.`,
      cli: [
        `aws lambda create-function --function-name <namespace>-${FUNCTION_PURPOSE} --runtime nodejs20.x --handler index.handler --role <role-arn> --zip-file fileb://function.zip --timeout ${FUNCTION_TIMEOUT_SECONDS} --memory-size ${FUNCTION_MEMORY_MB} --environment "Variables={TABLE_NAME=<table>,TOPIC_ARN=<topic-arn>}"`,
        `aws lambda wait function-active-v2 --function-name <namespace>-${FUNCTION_PURPOSE}`,
      ],
      async run(ctx) {
        const fn = await deployFunction(ctx, st(ctx).role.arn, st(ctx).pkg, { table: st(ctx).table, topic: st(ctx).topic });
        Object.assign(ctx.state, { fn });
        return { created: [["function", fn.arn], ["log group", `/aws/lambda/${fn.name}`]] };
      },
    },
    {
      title: "Create the bucket",
      explain: "Originals go to uploads/, the function writes thumbnails/. Keeping them under different prefixes is what lets the trigger (and the role) tell them apart.",
      cli: ["aws s3api create-bucket --bucket <namespace>-images"],
      async run(ctx) {
        const bucket = await createBucket(ctx, ctx.names.resource("images"));
        Object.assign(ctx.state, { bucket });
        return { created: [["bucket", bucket.name]] };
      },
    },
    {
      title: "Let S3 invoke the function (AddPermission)",
      explain: "The function's resource policy lets s3.amazonaws.com invoke it — only for this bucket (SourceArn) in this account (SourceAccount). Without it, saving the trigger fails with \"Unable to validate the following destination configurations\" (lab 02).",
      cli: ["aws lambda add-permission --function-name <fn> --statement-id allow-s3-invoke --action lambda:InvokeFunction --principal s3.amazonaws.com --source-arn arn:aws:s3:::<bucket> --source-account <account>"],
      async run(ctx) {
        const { invokePermission } = await ctx.importPiece<typeof PolicyModule>("policy.ts");
        const statement = await addPermission(ctx, invokePermission({ functionName: st(ctx).fn.name, bucketName: st(ctx).bucket.name, accountId: ctx.target.account }));
        return { created: [["permission", `statement on ${st(ctx).fn.name}`]], notes: [json(JSON.parse(statement || "{}"))] };
      },
    },
    {
      title: "Save the trigger: uploads/ + .jpg, .jpeg, .png",
      explain:
        'A filter holds one prefix and one suffix, so three image types take three configurations. They do not overlap — S3 refuses overlapping ones — because no key ends with two of these suffixes (".jpeg" does not end with ".jpg"). Filters are case-sensitive: "photo.JPG" is not matched.',
      cli: ["aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration file://notification.json"],
      async run(ctx) {
        const { notificationConfiguration } = await ctx.importPiece<typeof NotificationModule>("notification.ts");
        const config = notificationConfiguration({ functionArn: st(ctx).fn.arn });
        await putNotifications(ctx, st(ctx).bucket.name, config);
        Object.assign(ctx.state, { config });
        return { created: [["notification", `${st(ctx).bucket.name}: uploads/*.{jpg,jpeg,png} → ${st(ctx).fn.name}`]], notes: [json(config)] };
      },
    },
    {
      title: "Upload a photo: thumbnail, metadata item, SNS message",
      explain: `The key "${SAMPLE_KEY}" arrives in the event as "${SAMPLE_KEY.replace(/ /g, "+")}". The function decodes it, makes the thumbnail, writes the item and publishes — and you see all three.`,
      cli: [`aws s3 cp beach.jpg "s3://<bucket>/${SAMPLE_KEY}"`, `aws s3 cp "s3://<bucket>/${expectedThumbnailKey(SAMPLE_KEY)}" thumbnail.jpg`, "aws dynamodb scan --table-name <table>", "aws sqs receive-message --queue-url <queue-url> --wait-time-seconds 10"],
      async run(ctx) {
        const Bucket = st(ctx).bucket.name;
        const photo = await makeImage({ key: SAMPLE_KEY, why: "sample", format: "jpeg", width: 1600, height: 1000, group: "keys" });
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key: SAMPLE_KEY, Body: photo, ContentType: "image/jpeg" }));
        const thumb = await waitForObject(ctx, Bucket, expectedThumbnailKey(SAMPLE_KEY));
        const file = statePath(path.join("lab03", `${ctx.names.namespace}-thumbnail.jpg`));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, thumb.bytes);
        let items = itemsFor(await scanItems(ctx, st(ctx).table.name), SAMPLE_KEY);
        for (let i = 0; i < 40 && items.length === 0; i++) {
          ctx.status("waiting for the metadata item…");
          await new Promise((r) => setTimeout(r, ctx.target.kind === "aws" ? 1000 : 100));
          items = itemsFor(await scanItems(ctx, st(ctx).table.name), SAMPLE_KEY);
        }
        const reader = new AnnouncementReader(ctx, st(ctx).queue.url);
        await reader.until(() => reader.about(SAMPLE_KEY).length > 0);
        const message = reader.about(SAMPLE_KEY)[0];
        Object.assign(ctx.state, { sampleKey: SAMPLE_KEY });
        return {
          created: [["original", `s3://${Bucket}/${SAMPLE_KEY} (${(photo.length / 1024).toFixed(0)} KiB, 1600×1000)`], ["thumbnail", `s3://${Bucket}/${expectedThumbnailKey(SAMPLE_KEY)} (${thumb.bytes.length} bytes)`], ["saved to", file]],
          notes: [
            `open it: ${pc.cyan(process.platform === "darwin" ? `open "${file}"` : process.platform === "win32" ? `start "" "${file}"` : `xdg-open "${file}"`)}`,
            pc.bold("metadata item:"),
            ...(items[0] ? table(items[0]) : [pc.yellow("   no item yet — see the function's log below")]),
            pc.bold("SNS message (as the subscribed queue received it):"),
            message ? json(JSON.parse(message.raw)) : pc.yellow("   no message yet"),
            pc.bold("the function's log:"),
            ...(await recentLogLines(ctx, st(ctx).fn.name, 8)).map((l) => pc.dim(l)),
          ],
        };
      },
    },
    {
      title: "Deliver the same event again: a duplicate is a no-op",
      explain: "S3 delivers at least once: the same event can arrive twice, with the same sequencer. Here the event is sent to the function once more (a direct invoke). The conditional PutItem fails with ConditionalCheckFailedException, the handler treats that as \"already done\": no second item, no second SNS message.",
      cli: ["aws lambda invoke --function-name <fn> --payload fileb://event.json out.json"],
      async run(ctx) {
        const Bucket = st(ctx).bucket.name;
        const [item] = itemsFor(await scanItems(ctx, st(ctx).table.name), SAMPLE_KEY);
        if (!item || typeof item.sequencer !== "string") return { notes: [pc.yellow("the item has no sequencer attribute yet (handler.ts TODO 6), so the event cannot be rebuilt — skipped")] };
        const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket, Key: SAMPLE_KEY }));
        const event = { Records: [s3PutRecord({ region: ctx.target.region, account: ctx.target.account, bucket: Bucket, key: SAMPLE_KEY, size: head.ContentLength ?? 0, eTag: head.ETag ?? "", sequencer: item.sequencer })] };
        const out = await ctx.clients.lambda.send(new InvokeCommand({ FunctionName: st(ctx).fn.name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
        const items = itemsFor(await scanItems(ctx, st(ctx).table.name), SAMPLE_KEY);
        const reader = new AnnouncementReader(ctx, st(ctx).queue.url);
        await reader.receiveOnce(ctx.target.kind === "aws" ? 5 : 1);
        return {
          notes: [
            `the event's key: ${JSON.stringify(event.Records[0]!.s3.object.key)}, sequencer ${item.sequencer}`,
            `invoke: ${out.FunctionError ? pc.red(`failed (${out.FunctionError})`) : pc.green("succeeded")}`,
            `items for the photo: ${items.length} · new SNS messages: ${reader.about(SAMPLE_KEY).length}`,
            ...(await recentLogLines(ctx, st(ctx).fn.name, 3)).map((l) => pc.dim(l)),
          ],
        };
      },
    },
    {
      title: "Clean up: what remains, and how it goes away",
      explain: "Everything above is in the ledger. `npm run cleanup -- 03` removes it in dependency order — the trigger first (so nothing fires while the rest goes), then the permission, function, log group, subscription, topic, queue, the emptied bucket, the table, and the role's policy and role. Running it twice is harmless.",
      cli: ["npm run cleanup -- 03"],
      async run(ctx) {
        const entries = ctx.ledger.list({ target: ctx.target.id, namespace: ctx.names.namespace });
        const order = (t: string) => RESOURCE_TYPES.indexOf(t as (typeof RESOURCE_TYPES)[number]);
        const sorted = [...entries].sort((a, b) => order(a.type) - order(b.type));
        return { notes: [`${entries.length} resources, in the order cleanup deletes them:`, ...sorted.map((e) => pc.dim(`  ${e.type.padEnd(20)} ${e.name}`)), `the thumbnail you saved stays on disk under ${path.dirname(statePath(path.join("lab03", "x")))}`] };
      },
    },
  ],
});
