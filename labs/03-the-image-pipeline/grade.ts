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
 * happens" windows that proving an absence needs (support.ts).
 */
import { GetPolicyCommand, InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand, type AddPermissionCommandInput } from "@aws-sdk/client-lambda";
import { GetBucketNotificationConfigurationCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutObjectCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { CheckFailed, defineGrader, type GradeContext } from "../../src/kit/grader/types.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage, pollUntil, TimeoutError } from "../../src/kit/wait.js";
import { describeFailure, functionFailures, waitForEvidence } from "../../src/kit/grader/evidence.js";
import { orderChecks } from "./grade-sequencers.js";
import { pace } from "../../src/kit/context.js";
import { corruptBytes, displayedSize, expectedThumbnailKey, IMAGE_SET, inspectThumbnail, makeImage, makeImageSet, NEGATIVE_UPLOADS, type TestImage } from "./images.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { executionPolicyTable, invokePermissionTable, trustPolicyTable } from "./policy-requests.js";
import {
  AnnouncementReader,
  countInvocations,
  createExecutionRole,
  createTableTopicAndQueue,
  deployFunction,
  itemsFor,
  olderSequencer,
  packageImageHandler,
  recentLogLines,
  s3PutRecord,
  scanItems,
  settledInvocations,
  waitForObject,
  type Item,
  type Pipeline,
} from "./support.js";
import type * as PolicyModule from "./policy.js";
import type * as NotificationModule from "./notification.js";

interface State extends Pipeline {
  policy: typeof PolicyModule;
  notification: typeof NotificationModule;
  pkg: PackagedFunction;
  images: Map<string, Buffer>;
  reader: AnnouncementReader;
  roleArn?: string;
  fn?: { name: string; arn: string };
  config?: NotificationConfiguration;
  uploaded?: Promise<void>;
  /** Uploads that must invoke the function once each (for the loop check). */
  qualifying: number;
  /** Direct invokes the grader made (re-deliveries). */
  direct: number;
  /** Set once a wait timed out: the function is not producing results, so later waits are short. */
  slow: boolean;
  /** When the image set's upload started: the evidence waits read the function's log from here on. */
  uploadStarted?: number;
  /** The first failed invocation seen by a check, and that check: later checks say "probably the same cause". */
  failure?: { check: string; summary: string };
  /** The last failed invocation an evidence wait saw (not yet reported by a check). */
  lastFailure?: string;

}

/**
 * How long to wait for a result. Locally results appear within a second or
 * two (a cold start with sharp included); once one wait has timed out, the
 * function is evidently not producing that result, and every later check
 * would only wait the same way — so later waits are short.
 */
function patience(ctx: GradeContext, st: State): number {
  if (ctx.target.kind === "aws") return st.slow ? 15_000 : 90_000;
  return st.slow ? 2_000 : 12_000;
}

/** Run a wait; a timeout marks the grade as slow (see patience). */
async function timed<T>(st: State, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    if (err instanceof TimeoutError) st.slow = true;
    throw err;
  }
}

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

const b = (st: State) => st.bucket.name;
const byGroup = (group: TestImage["group"]) => IMAGE_SET.filter((i) => i.group === group);

async function put(ctx: GradeContext, st: State, key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
  await ctx.clients.s3.send(new PutObjectCommand({ Bucket: b(st), Key: key, Body: body, ...(contentType ? { ContentType: contentType } : {}) }));
}

/** Upload the image set once (the first check that needs it starts it; the others wait for it). */
function ensureUploaded(ctx: GradeContext, st: State): Promise<void> {
  st.uploaded ??= (async () => {
    st.uploadStarted = Date.now();
    await Promise.all(IMAGE_SET.map((img) => put(ctx, st, img.key, st.images.get(img.key)!, img.format === "png" ? "image/png" : "image/jpeg")));
    st.qualifying += IMAGE_SET.length;
  })();
  return st.uploaded;
}

async function logsHint(ctx: GradeContext, st: State): Promise<string> {
  const lines = await recentLogLines(ctx, st.fn!.name, 6);
  return lines.length ? `; the function's last log lines:\n      ${lines.join("\n      ")}` : "; the function's log is empty (was it invoked at all?)";
}

/**
 * Wait for a result of the image set's round. Conclusive evidence ends it early: every upload of the
 * round has finished its invocation (REPORT lines) — whatever is missing then will not come. A failure
 * of one image does not end it (another image's failure is another check's business); it is named
 * in `failureNote`. Returns undefined when the result did not come.
 */
async function awaitRound<T>(ctx: GradeContext, st: State, what: string, result: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await waitForEvidence(ctx, {
      functionName: st.fn!.name, since: st.uploadStarted ?? 0, timeoutMs: patience(ctx, st), what, invocations: IMAGE_SET.length, failFast: false, verbose: ctx.verbose, result,
      notProduced: (f) => {
        if (f) st.lastFailure = describeFailure(f, ctx.verbose);
        return "";
      },
    });
  } catch (err) {
    if (!(err instanceof CheckFailed) && !(err instanceof TimeoutError)) throw err;
    st.slow = true;
    // Out of time before the round finished: still name a failure the log already shows.
    const failures = await functionFailures(ctx, st.fn!.name, st.uploadStarted ?? 0).catch(() => []);
    if (failures.length && !st.lastFailure) st.lastFailure = describeFailure(failures[failures.length - 1]!, ctx.verbose);
    return undefined;
  }
}

/** "; the function failed: …" / "probably the same cause as …" for a check that found results missing. */
async function failureNote(ctx: GradeContext, st: State): Promise<string> {
  // The first check that reports a failed invocation owns it; later ones point back to it.
  if (!st.failure && st.lastFailure) st.failure = { check: ctx.currentCheck, summary: st.lastFailure };
  if (st.failure && st.failure.check !== ctx.currentCheck) return `the function failed: ${st.failure.summary} — probably the same cause as "${st.failure.check}"`;
  if (st.failure) return `the function failed: ${st.failure.summary}`;
  return (await logsHint(ctx, st)).slice(2);
}

async function tryObject(ctx: GradeContext, st: State, key: string): Promise<{ bytes: Uint8Array; contentType?: string } | undefined> {
  try {
    const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: b(st), Key: key }));
    return { bytes: await out.Body!.transformToByteArray(), contentType: out.ContentType };
  } catch (err) {
    if (errorCode(err) === "NoSuchKey" || errorCode(err) === "NotFound") return undefined;
    throw err;
  }
}

async function thumbnailProblems(ctx: GradeContext, st: State, images: TestImage[]): Promise<string[]> {
  const problems: string[] = [];
  const found = new Map<string, { bytes: Uint8Array; contentType?: string }>();
  await awaitRound(ctx, st, "the thumbnails", async () => {
    for (const img of images) {
      const key = expectedThumbnailKey(img.key);
      if (found.has(key)) continue;
      const got = await tryObject(ctx, st, key);
      if (got) found.set(key, got);
    }
    return found.size === images.length ? true : undefined;
  });
  for (const img of images) {
    const key = expectedThumbnailKey(img.key);
    const got = found.get(key);
    if (!got) problems.push(`no ${key} appeared for "${img.key}" (${img.why})`);
    else for (const p of await inspectThumbnail(img, got.bytes, got.contentType)) problems.push(`${key} (${img.why}) ${p}`);
  }
  if (problems.some((p) => p.startsWith("no "))) problems.push(await failureNote(ctx, st));
  return problems;
}

/** Wait until the table has an item for each key (or the round is over); returns the items. */
async function waitForItems(ctx: GradeContext, st: State, keys: string[]): Promise<Item[]> {
  let last: Item[] = [];
  await awaitRound(ctx, st, "metadata items", async () => {
    last = await scanItems(ctx, st.table.name);
    return keys.every((k) => itemsFor(last, k).length > 0) ? last : undefined;
  });
  return last;
}

function itemProblems(img: TestImage, item: Item, st: State, size: number): string[] {
  const problems: string[] = [];
  const shown = displayedSize(img);
  const expect = (field: string, ok: boolean, want: string) => {
    if (!ok) problems.push(`${field} is ${JSON.stringify(item[field])}, expected ${want}`);
  };
  expect("id", typeof item.id === "string" && item.id.length > 0, "a non-empty string (the table's key)");
  expect("bucket", item.bucket === b(st), JSON.stringify(b(st)));
  expect("format", item.format === img.format, JSON.stringify(img.format));
  const dimsOk = (item.width === shown.width && item.height === shown.height) || (item.width === img.width && item.height === img.height);
  expect("width", dimsOk, `${shown.width} (× height ${shown.height}) — the original's size, as numbers`);
  if (!dimsOk) expect("height", false, String(shown.height));
  expect("size", item.size === size, `${size} (bytes of the original)`);
  expect("thumbnailKey", item.thumbnailKey === expectedThumbnailKey(img.key), JSON.stringify(expectedThumbnailKey(img.key)));
  expect("processedAt", typeof item.processedAt === "string" && !Number.isNaN(Date.parse(item.processedAt)), "an ISO-8601 time");
  expect("sequencer", typeof item.sequencer === "string" && /^[0-9A-Fa-f]+$/.test(item.sequencer), "the event's sequencer (hex)");
  return problems;
}

/** The learner's configurations aimed at this function, as "prefix|suffix" pairs. */
function filterPairs(config: NotificationConfiguration, functionArn: string): { pairs: string[]; createdEvents: boolean; others: number } {
  const mine = (config.LambdaFunctionConfigurations ?? []).filter((c) => c.LambdaFunctionArn === functionArn);
  const pairs = mine.map((c) => {
    const rules = Object.fromEntries((c.Filter?.Key?.FilterRules ?? []).map((r) => [String(r.Name).toLowerCase(), r.Value]));
    return `${rules.prefix ?? ""}|${rules.suffix ?? ""}`;
  });
  // Every new image counts (README): s3:ObjectCreated:* or all four created events, as in lab 02.
  const createdEvents = mine.every((c) => {
    const events: string[] = c.Events ?? [];
    return events.includes("s3:ObjectCreated:*") || ["Put", "Post", "Copy", "CompleteMultipartUpload"].every((e) => events.includes(`s3:ObjectCreated:${e}`));
  });
  const others = (config.QueueConfigurations ?? []).length + (config.TopicConfigurations ?? []).length + (config.LambdaFunctionConfigurations ?? []).length - mine.length;
  return { pairs, createdEvents, others };
}

async function invokeDirect(ctx: GradeContext, st: State, event: unknown): Promise<{ functionError?: string; payload: string }> {
  st.direct += 1;
  const out = await ctx.clients.lambda.send(new InvokeCommand({ FunctionName: st.fn!.name, InvocationType: "RequestResponse", Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  return { functionError: out.FunctionError, payload: out.Payload ? new TextDecoder().decode(out.Payload) : "" };
}

/** A record for an object as it is now (size and ETag from HeadObject). */
async function recordFor(ctx: GradeContext, st: State, key: string, sequencer: string) {
  const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: b(st), Key: key }));
  return s3PutRecord({ region: ctx.target.region, account: ctx.target.account, bucket: b(st), key, size: head.ContentLength ?? 0, eTag: head.ETag ?? "", sequencer });
}

async function listKeys(ctx: GradeContext, st: State, prefix: string): Promise<string[]> {
  const out = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: b(st), Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** Upload one good image and wait for its thumbnail and item: everything sent before it has had its chance. */
async function sentinel(ctx: GradeContext, st: State, name: string): Promise<string> {
  const key = `uploads/zz-${name}.jpg`;
  const since = Date.now();
  await put(ctx, st, key, await makeImage({ key, why: "sentinel", format: "jpeg", width: 320, height: 240, group: "shapes" }), "image/jpeg");
  st.qualifying += 1;
  try {
    await waitForEvidence(ctx, {
      functionName: st.fn!.name, since, timeoutMs: patience(ctx, st), what: expectedThumbnailKey(key), invocations: 1, verbose: ctx.verbose,
      result: async () => ((await tryObject(ctx, st, expectedThumbnailKey(key))) && itemsFor(await scanItems(ctx, st.table.name), key).length ? true : undefined),
      failed: (f) => `a good upload (${key}) was not processed: ${describeFailure(f, ctx.verbose)}${st.failure ? ` — probably the same cause as "${st.failure.check}"` : ""}`,
      notProduced: () => `a good upload (${key}) was not processed: the function finished without its thumbnail and item${st.failure ? ` — probably the same cause as "${st.failure.check}"` : ""}`,
    });
  } catch (err) {
    if (err instanceof TimeoutError) throw new CheckFailed(`a good upload (${key}) was not processed any more${await logsHint(ctx, st)}`);
    throw err;
  }
  return key;
}

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
      hint: "policy.ts: executionPolicy() needs s3:GetObject on arn:aws:s3:::<bucket>/uploads/*, s3:PutObject on arn:aws:s3:::<bucket>/thumbnails/*, dynamodb:PutItem on input.tableArn and sns:Publish on input.topicArn — one named action per statement, no \"*\" except in the logs statement.",
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
      hint: "handler.ts must export `handler` and compile; the function is created with your role — if Lambda says the role cannot be assumed, fix trustPolicy().",
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
      hint: 'policy.ts: invokePermission() returns Action "lambda:InvokeFunction", Principal "s3.amazonaws.com", SourceArn "arn:aws:s3:::<bucket>" and SourceAccount "<account id>".',
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
      hint: 'notification.ts: three LambdaFunctionConfigurations for your function, Events ["s3:ObjectCreated:*"], each with FilterRules prefix "uploads/" and one suffix: ".jpg", ".jpeg", ".png".',
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
      hint: 'handler.ts: sharp(bytes).rotate().resize({ width: 200, height: 200, fit: "inside" }).flatten({ background: "#ffffff" }).jpeg(), written to thumbnailKeyFor(key) with ContentType "image/jpeg".',
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
      hint: 'handler.ts: the key in the event is URL-encoded — decodeURIComponent(key.replace(/\\+/g, " ")) before GetObject; keep the folders under uploads/ in the thumbnail key.',
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
      hint: "handler.ts: PutItemCommand into process.env.TABLE_NAME with id, bucket, key (decoded), format, width, height, size (numbers as { N }), thumbnailKey, processedAt and sequencer.",
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
      hint: "handler.ts: after a successful PutItem, PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: JSON.stringify({ id, bucket, key, thumbnailKey, format, width, height, size, processedAt }) }).",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        await ensureUploaded(ctx, st);
        if (!(await st.reader.until((seen) => IMAGE_SET.every((img) => st.reader.about(img.key).length > 0) || seen.length >= IMAGE_SET.length * 3, patience(ctx, st)))) st.slow = true;
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
      hint: "notification.ts: only prefix \"uploads/\" with the suffixes .jpg, .jpeg and .png — no configuration without a filter, none for .gif or .txt.",
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
      hint: "Never write where you are triggered: thumbnails go to thumbnails/, the trigger is uploads/ only, and the role may not PutObject on uploads/*. More invocations than uploads also come from retries of failed invocations — see the function's log.",
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
      hint: 'handler.ts: PutItem with ConditionExpression "attribute_not_exists(id) OR #sequencer < :sequencer" (sequencers padded to one length); on ConditionalCheckFailedException return quietly — no error, no second item, no publish.',
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
      hint: 'handler.ts: right after decoding the key, `if (!key.startsWith("uploads/")) return;` — then a thumbnail written to thumbnails/ invokes the function once more, and it stops there without an error.',
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
      hint: "handler.ts: process each record in its own try/catch, console.error the failure, and throw once after the loop if any record failed — the good records are still done, the invocation still fails (and is logged).",
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
