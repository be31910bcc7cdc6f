/**
 * Lab 03 — the grader. Builds the learner's role (their trust and execution
 * policies), function (their handler, bundled with sharp), invoke permission
 * and notification configuration around a bucket, an on-demand table and an
 * SNS topic watched by an SQS queue, all in a fresh namespace. Then it
 * uploads a generated image set and checks thumbnails, metadata items and
 * SNS messages; proves the filters, the absence of a loop (invocations
 * counted from the function's REPORT log lines — the same on AWS), duplicate
 * and out-of-order deliveries (a rebuilt copy of S3's event, invoked
 * directly), a trap round with the trigger widened to the whole bucket, and
 * bad images. Checks poll; the only waits are the short "nothing more
 * happens" windows that proving an absence needs (support.ts). The checks'
 * working parts (state, waits, uploads, read-backs) are in grade-steps.ts.
 */
import { GetPolicyCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand, type AddPermissionCommandInput } from "@aws-sdk/client-lambda";
import { GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { CheckFailed, defineGrader } from "../../src/kit/grader/types.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage, pollUntil, TimeoutError } from "../../src/kit/wait.js";
import { orderChecks } from "./grade-sequencers.js";
import { pace } from "../../src/kit/context.js";
import { corruptBytes, displayedSize, expectedThumbnailKey, IMAGE_SET, makeImageSet, NEGATIVE_UPLOADS } from "./images.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { executionPolicyTable, invokePermissionTable, trustPolicyTable } from "./policy-requests.js";
import { AnnouncementReader, countInvocations, createExecutionRole, createTableTopicAndQueue, deployFunction, itemsFor, olderSequencer, packageImageHandler, scanItems, settledInvocations, waitForObject } from "./support.js";
import type * as PolicyModule from "./policy.js";
import type * as NotificationModule from "./notification.js";
import { type State, patience, timed, b, byGroup, put, ensureUploaded, logsHint, failureNote, thumbnailProblems, waitForItems, itemProblems, filterPairs, invokeDirect, recordFor, listKeys, sentinel } from "./grade-steps.js";

const ROLE = "execution role: Lambda may assume it; least privilege (no wildcards beyond logs)";
const FUNCTION = "function (your handler, bundled with sharp) is created and Active";
const PERMISSION = "permission lets S3 invoke it, scoped by SourceArn and SourceAccount";
const NOTIFICATION = "notifications: uploads/ + .jpg, .jpeg, .png invoke the function";
const THUMBNAILS = "thumbnails: ≤ 200×200, aspect ratio kept, valid JPEG, upright, PNG on white";
const KEYS = "thumbnails for keys with spaces, +, unicode and nested folders";
const METADATA = "one metadata item per upload with the agreed fields";
const SNS = "one SNS message per upload with the agreed fields";
const FILTERS = "uploads/notes.txt, other/photo.jpg and uploads/photo.gif produce nothing";
const LOOP = "no loop: invocations equal qualifying uploads; nothing under thumbnails/thumbnails/";

export default defineGrader<State>({
  async setup(ctx) {
    const policy = await ctx.importCode<typeof PolicyModule>("policy.ts");
    const notification = await ctx.importCode<typeof NotificationModule>("notification.ts");
    let pkg: PackagedFunction;
    try {
      pkg = await packageImageHandler(ctx.sourceDir);
    } catch (err) {
      throw new CheckFailed(errorMessage(err), "Fix handler.ts so it compiles (npm run typecheck).");
    }
    const [bucket, rest, images] = await Promise.all([createBucket(ctx, ctx.names.resource("images")), createTableTopicAndQueue(ctx), makeImageSet()]);
    return { policy, notification, pkg, images, bucket, ...rest, reader: new AnnouncementReader(ctx, rest.queue.url), qualifying: 0, direct: 0, slow: false };
  },
  checks: [
    {
      name: ROLE,
      async run(ctx, st) {
        const trust = await ctx.callLearner("trustPolicy", () => st.policy.trustPolicy());
        const roleArn = `arn:aws:iam::${ctx.target.account}:role/${ctx.names.resource("thumbnailer-role")}`;
        const trustProblems = policyProblems(trust, trustPolicyTable({ roleArn, account: ctx.target.account, service: "lambda.amazonaws.com", why: "Lambda runs the function as this role" }));
        if (trustProblems.length) throw new CheckFailed(trustProblems.join("\n    "));
        const targets = { bucketName: b(st), tableArn: st.table.arn, topicArn: st.topic.arn, functionName: ctx.names.resource("thumbnailer"), region: ctx.target.region, accountId: ctx.target.account };
        const permissions = await ctx.callLearner("executionPolicy", () => st.policy.executionPolicy(targets));
        const problems = policyProblems(permissions, executionPolicyTable(targets));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        try {
          const role = await createExecutionRole(ctx, trust, permissions);
          st.roleArn = role.arn;
          return role.arn;
        } catch (err) {
          throw new CheckFailed(`IAM refused the role or its policy: ${errorCode(err)}: ${errorMessage(err)}`);
        }
      },
    },
    {
      name: FUNCTION,
      needs: [ROLE],
      async run(ctx, st) {
        try {
          st.fn = await deployFunction(ctx, st.roleArn!, st.pkg, st);
          // No automatic retries for the grader's function: each failure is evidence for the check whose upload caused
          // it, not a late surprise for whichever check runs when the retry comes.
          await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: st.fn.name, MaximumRetryAttempts: 0 }));
          // Locally every execution environment is a process on this machine: nine concurrent cold starts of sharp on
          // two busy cores can exceed Lambda's 10 s init limit. Three environments process the image set in turn.
          // (Not on AWS: a new account's concurrency quota does not allow reservations.)
          if (ctx.target.kind !== "aws") await ctx.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: st.fn.name, ReservedConcurrentExecutions: 3 }));
        } catch (err) {
          throw new CheckFailed(`Lambda refused the function: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return `${st.fn.name} (${(st.pkg.zip.length / 1024 / 1024).toFixed(1)} MiB zip with sharp for linux-x64)`;
      },
    },
    {
      name: PERMISSION,
      needs: [FUNCTION],
      async run(ctx, st) {
        const input = await ctx.callLearner("invokePermission", () => st.policy.invokePermission({ functionName: st.fn!.name, bucketName: b(st), accountId: ctx.target.account }));
        try {
          await addPermission(ctx, { ...(input as AddPermissionCommandInput), FunctionName: st.fn!.name });
        } catch (err) {
          throw new CheckFailed(`Lambda refused the permission: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        const policy = JSON.parse((await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: st.fn!.name }))).Policy!) as { Statement: Array<Record<string, any>> };
        const problems = policyProblems(policy, invokePermissionTable({ functionArn: st.fn!.arn, bucketName: b(st), accountId: ctx.target.account }));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return "read back with GetPolicy: allows exactly S3 for this bucket and account (evaluated against the request table)";
      },
    },
    {
      name: NOTIFICATION,
      needs: [PERMISSION],
      async run(ctx, st) {
        const config = await ctx.callLearner("notificationConfiguration", () => st.notification.notificationConfiguration({ functionArn: st.fn!.arn }));
        const { pairs, createdEvents, others } = filterPairs(config, st.fn!.arn);
        const want = ["uploads/|.jpg", "uploads/|.jpeg", "uploads/|.png"];
        const missing = want.filter((w) => !pairs.includes(w));
        const extra = pairs.filter((p) => !want.includes(p));
        const problems: string[] = [];
        if (missing.length) problems.push(`missing ${missing.map((m) => `prefix "uploads/" + suffix "${m.split("|")[1]}"`).join(", ")}`);
        if (extra.length) problems.push(`unexpected filter(s) ${extra.map((e) => `prefix ${JSON.stringify(e.split("|")[0])} suffix ${JSON.stringify(e.split("|")[1])}`).join(", ")} — every image must match exactly one configuration`);
        if (!createdEvents) problems.push('every configuration needs Events ["s3:ObjectCreated:*"]: every new image counts — copies and multipart uploads too, not only Put');
        if (others) problems.push(`${others} configuration(s) for other destinations — this bucket has one consumer`);
        if (problems.length) throw new CheckFailed(problems.join("; "));
        try {
          await putNotifications(ctx, b(st), config);
        } catch (err) {
          throw new CheckFailed(`S3 rejected the configuration: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        const saved = await ctx.clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: b(st) }));
        if ((saved.LambdaFunctionConfigurations ?? []).length !== 3) throw new CheckFailed(`S3 saved ${(saved.LambdaFunctionConfigurations ?? []).length} Lambda configurations, expected 3`);
        st.config = config;
        return "S3 validated the destination and saved three non-overlapping filters";
      },
    },
    {
      name: THUMBNAILS,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        const problems = await thumbnailProblems(ctx, st, byGroup("shapes"));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return `${byGroup("shapes").length} thumbnails correct (incl. EXIF-rotated, transparent PNG, 6000×4000)`;
      },
    },
    {
      name: KEYS,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        const problems = await thumbnailProblems(ctx, st, byGroup("keys"));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return byGroup("keys").map((i) => JSON.stringify(i.key.slice("uploads/".length))).join(", ");
      },
    },
    {
      name: METADATA,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        const items = await waitForItems(ctx, st, IMAGE_SET.map((i) => i.key));
        const problems: string[] = [];
        for (const img of IMAGE_SET) {
          const mine = itemsFor(items, img.key);
          if (mine.length === 0) problems.push(`no item with key ${JSON.stringify(img.key)}`);
          else if (mine.length > 1) problems.push(`${mine.length} items for ${JSON.stringify(img.key)}: one upload, one item (use id "<bucket>/<key>")`);
          else for (const p of itemProblems(img, mine[0]!, st, st.images.get(img.key)!.length)) problems.push(`${img.key}: ${p}`);
        }
        if (problems.length) throw new CheckFailed(problems.slice(0, 8).join("\n    ") + (items.length === 0 ? `\n    ${await failureNote(ctx, st)}` : ""));
        return `${IMAGE_SET.length} items`;
      },
    },
    {
      name: SNS,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        const all = (seen: unknown[]) => IMAGE_SET.every((img) => st.reader.about(img.key).length > 0) || seen.length >= IMAGE_SET.length * 3;
        await st.reader.untilOrSettled(all, { functionName: st.fn!.name, since: st.uploadStarted ?? 0, invocations: IMAGE_SET.length, timeoutMs: patience(ctx, st) });
        if (!all(st.reader.seen)) st.slow = true;
        await st.reader.receiveOnce(1); // late duplicates, if any
        const problems: string[] = [];
        for (const img of IMAGE_SET) {
          const got = st.reader.about(img.key);
          if (got.length === 0) {
            problems.push(`no message about ${JSON.stringify(img.key)}`);
            continue;
          }
          if (got.length > 1) problems.push(`${got.length} messages about ${JSON.stringify(img.key)}: publish once per upload`);
          const m = got[0]!.message as Record<string, unknown>;
          const shown = displayedSize(img);
          if (m.bucket !== b(st)) problems.push(`${img.key}: bucket is ${JSON.stringify(m.bucket)}`);
          if (m.thumbnailKey !== expectedThumbnailKey(img.key)) problems.push(`${img.key}: thumbnailKey is ${JSON.stringify(m.thumbnailKey)}, expected ${JSON.stringify(expectedThumbnailKey(img.key))}`);
          if (m.format !== img.format) problems.push(`${img.key}: format is ${JSON.stringify(m.format)}, expected ${JSON.stringify(img.format)}`);
          const dimsOk = (m.width === shown.width && m.height === shown.height) || (m.width === img.width && m.height === img.height);
          if (!dimsOk) problems.push(`${img.key}: width × height is ${JSON.stringify(m.width)} × ${JSON.stringify(m.height)}, expected ${shown.width} × ${shown.height}`);
        }
        if (problems.length) {
          const unreadable = st.reader.seen.filter((a) => typeof a.message !== "object").length;
          throw new CheckFailed(problems.slice(0, 8).join("\n    ") + (unreadable ? `\n    (${unreadable} message(s) were not JSON: Message must be JSON.stringify({ … }))` : ""));
        }
        return `${IMAGE_SET.length} messages read from ${st.queue.name}`;
      },
    },
    {
      name: FILTERS,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        const jpeg = st.images.get("uploads/landscape.jpg")!;
        const gif = await sharp(st.images.get("uploads/a+b=c.png")!).gif().toBuffer();
        await put(ctx, st, "uploads/notes.txt", "not an image\n", "text/plain");
        await put(ctx, st, "other/photo.jpg", jpeg, "image/jpeg");
        await put(ctx, st, "uploads/photo.gif", gif, "image/gif");
        await sentinel(ctx, st, "after-negatives");
        const thumbs = await listKeys(ctx, st, "thumbnails/");
        const negativeThumbs = thumbs.filter((k) => /notes|photo\.gif|^thumbnails\/photo\.jpg$|other/.test(k));
        const items = await scanItems(ctx, st.table.name);
        const negativeItems = NEGATIVE_UPLOADS.filter((n) => itemsFor(items, n.key).length > 0).map((n) => n.key);
        await st.reader.receiveOnce(1);
        const negativeMessages = NEGATIVE_UPLOADS.filter((n) => st.reader.about(n.key).length > 0).map((n) => n.key);
        const problems = [
          ...negativeThumbs.map((k) => `thumbnail ${k} exists`),
          ...negativeItems.map((k) => `an item for ${k} exists`),
          ...negativeMessages.map((k) => `an SNS message about ${k} was sent`),
        ];
        if (problems.length) throw new CheckFailed(`${problems.join("; ")} — something outside uploads/ + .jpg/.jpeg/.png invoked the function`);
        return `${NEGATIVE_UPLOADS.length} non-matching uploads ignored`;
      },
    },
    {
      name: LOOP,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        const count = await settledInvocations(ctx, st.fn!.name, st.qualifying, undefined, patience(ctx, st));
        const nested = await listKeys(ctx, st, "thumbnails/thumbnails/");
        if (nested.length) throw new CheckFailed(`found ${nested.slice(0, 3).join(", ")}: the function processed its own thumbnails`);
        if (count.invocations > st.qualifying) throw new CheckFailed(`${count.invocations} invocations for ${st.qualifying} qualifying uploads${count.errors ? ` (${count.errors} failed and were retried: ${count.errorLines.slice(-1)[0] ?? ""})` : ": something invokes the function more than once per upload"}`);
        if (count.invocations < st.qualifying) throw new CheckFailed(`only ${count.invocations} REPORT lines in /aws/lambda/${st.fn!.name} for ${st.qualifying} uploads — are the function's logs written? (the role needs logs:CreateLogStream and logs:PutLogEvents)`);
        return `${count.invocations} invocations for ${st.qualifying} uploads (REPORT lines in CloudWatch Logs)`;
      },
    },
    {
      name: "a duplicate or older event changes nothing: one item, one SNS message",
      needs: [METADATA, SNS],
      async run(ctx, st) {
        const key = "uploads/landscape.jpg";
        const [before] = itemsFor(await scanItems(ctx, st.table.name), key);
        if (!before || typeof before.sequencer !== "string") throw new CheckFailed(`the item for ${key} has no sequencer attribute; store the event's s3.object.sequencer — it is what tells a duplicate from a new upload`);
        const record = await recordFor(ctx, st, key, before.sequencer);
        const older = await recordFor(ctx, st, key, olderSequencer(before.sequencer));
        const outcomes = [await invokeDirect(ctx, st, { Records: [record] }), await invokeDirect(ctx, st, { Records: [record] }), await invokeDirect(ctx, st, { Records: [older] })];
        const failed = outcomes.find((o) => o.functionError);
        if (failed) throw new CheckFailed(`re-delivering the event made the function fail: ${failed.payload.slice(0, 200)} — a duplicate is not an error: catch ConditionalCheckFailedException`);
        const items = itemsFor(await scanItems(ctx, st.table.name), key);
        if (items.length !== 1) throw new CheckFailed(`${items.length} items for ${key} after re-delivering its event twice and once with an older sequencer — key the item on bucket + key and compare sequencers`);
        if (items[0]!.processedAt !== before.processedAt || items[0]!.sequencer !== before.sequencer) throw new CheckFailed(`the item for ${key} was overwritten by a duplicate or older event (processedAt ${before.processedAt} → ${items[0]!.processedAt}) — make the PutItem conditional`);
        await sentinel(ctx, st, "after-duplicates");
        await st.reader.until(() => st.reader.about("uploads/zz-after-duplicates.jpg").length > 0, patience(ctx, st));
        const messages = st.reader.about(key).length;
        if (messages !== 1) throw new CheckFailed(`${messages} SNS messages about ${key}: publish only when the conditional write succeeded`);
        return "3 re-deliveries (2 duplicates, 1 older): still 1 item, 1 message";
      },
    },
    ...orderChecks<State>(
      {
        fn: (st) => st.fn!.name,
        table: (st) => st.table.name,
        reader: (st) => st.reader,
        patience,
        put,
        redeliver: async (ctx, st, key, sequencer) => invokeDirect(ctx, st, { Records: [await recordFor(ctx, st, key, sequencer)] }),
        countQualifying: (st) => void (st.qualifying += 1),
      },
      [METADATA, SNS],
    ),
    {
      name: "trap round: with the trigger widened to the whole bucket, your handler's guard stops the loop",
      needs: [LOOP, THUMBNAILS],
      async run(ctx, st) {
        // A settled baseline first: log lines of earlier invocations may still be on their way.
        const before = await settledInvocations(ctx, st.fn!.name, st.qualifying + st.direct, undefined, patience(ctx, st));
        const key = "uploads/trap/loop.jpg";
        await putNotifications(ctx, b(st), { LambdaFunctionConfigurations: [{ Id: "trap-whole-bucket", LambdaFunctionArn: st.fn!.arn, Events: ["s3:ObjectCreated:*"] }] });
        try {
          await put(ctx, st, key, st.images.get("uploads/landscape.jpg")!, "image/jpeg");
          try {
            await timed(st, waitForObject(ctx, b(st), expectedThumbnailKey(key), patience(ctx, st)));
          } catch (err) {
            if (!(err instanceof TimeoutError)) throw err;
            throw new CheckFailed(`no ${expectedThumbnailKey(key)} appeared for ${key}, so the trap could not be sprung: the round needs a handler that writes thumbnails${await logsHint(ctx, st)}`);
          }
          const after = await settledInvocations(ctx, st.fn!.name, before.invocations + 2, undefined, patience(ctx, st));
          const count = { invocations: after.invocations - before.invocations, errors: after.errors - before.errors, errorLines: after.errorLines.slice(before.errorLines.length) };
          const nested = await listKeys(ctx, st, "thumbnails/thumbnails/");
          if (nested.length) throw new CheckFailed(`the function made ${nested.slice(0, 2).join(", ")}${nested.length > 2 ? "…" : ""} from its own thumbnails — a loop (Lambda's recursion detection would stop it only after ~16 rounds, on AWS billed)`);
          if (count.errors) throw new CheckFailed(`the function failed on its own thumbnail instead of skipping it: ${count.errorLines.slice(-1)[0] ?? `${count.errors} failed invocation(s)`}`);
          if (count.invocations > 2) throw new CheckFailed(`${count.invocations} invocations for one upload with the trigger widened: the thumbnail should cause exactly one more, which the guard skips`);
          return `${count.invocations} invocations: the upload, then its thumbnail — skipped by the guard`;
        } finally {
          await putNotifications(ctx, b(st), st.config!).catch(() => {});
        }
      },
    },
    {
      name: "a corrupt .jpg and a zero-byte .png fail loudly without blocking other uploads or records",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const before = await countInvocations(ctx, st.fn!.name);
        await put(ctx, st, "uploads/bad/corrupt.jpg", corruptBytes(), "image/jpeg");
        await put(ctx, st, "uploads/bad/empty.png", new Uint8Array(0), "image/png");
        await sentinel(ctx, st, "after-bad");
        const p = pace(ctx);
        const failuresSince = async () => {
          const c = await countInvocations(ctx, st.fn!.name);
          return { errors: c.errors - before.errors, lines: c.errorLines.slice(before.errorLines.length) };
        };
        const count = await pollUntil(async () => {
          const c = await failuresSince();
          return c.errors >= 2 ? c : undefined;
        }, { timeoutMs: patience(ctx, st), intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs, what: "the failures in the log" }).catch(failuresSince);
        const problems: string[] = [];
        const thumbs = await listKeys(ctx, st, "thumbnails/bad/");
        if (thumbs.length) problems.push(`thumbnails were written for bad images: ${thumbs.join(", ")}`);
        const items = await scanItems(ctx, st.table.name);
        for (const k of ["uploads/bad/corrupt.jpg", "uploads/bad/empty.png"]) if (itemsFor(items, k).length) problems.push(`an item was stored for ${k}`);
        if (count.errors < 2) problems.push(`the log shows ${count.errors} failed invocation(s) for 2 bad images: the error must not be swallowed — throw after logging`);
        if (problems.length) throw new CheckFailed(problems.join("; "));

        // One event with a bad record first and a good one second (S3 sends one record per event; other sources batch).
        await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: b(st), NotificationConfiguration: {} }));
        try {
          await put(ctx, st, "uploads/batch/broken.jpg", corruptBytes(4096), "image/jpeg");
          await put(ctx, st, "uploads/batch/fine.jpg", st.images.get("uploads/landscape.jpg")!, "image/jpeg");
          const event = { Records: [await recordFor(ctx, st, "uploads/batch/broken.jpg", "0000000000000000A1"), await recordFor(ctx, st, "uploads/batch/fine.jpg", "0000000000000000A1")] };
          const out = await invokeDirect(ctx, st, event);
          const fine = itemsFor(await scanItems(ctx, st.table.name), "uploads/batch/fine.jpg");
          const fineThumb = (await listKeys(ctx, st, "thumbnails/batch/")).includes("thumbnails/batch/fine.jpg");
          if (!fine.length || !fineThumb) throw new CheckFailed(`in one event [broken, fine], the good record was not processed (${fine.length ? "" : "no item"}${!fine.length && !fineThumb ? ", " : ""}${fineThumb ? "" : "no thumbnail"}): one bad record poisoned the batch`);
          if (!out.functionError) throw new CheckFailed("the event with a broken record succeeded: the failure was swallowed — throw after processing the other records");
        } finally {
          await putNotifications(ctx, b(st), st.config!).catch(() => {});
        }
        return `2 bad uploads failed (${count.errors} failed invocations incl. retries), the next upload and the good record of a mixed batch were processed`;
      },
    },
  ],
});
