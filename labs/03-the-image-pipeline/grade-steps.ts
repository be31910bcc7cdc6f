/**
 * Lab 03's grader, its working parts: the grade's state, how long to wait,
 * uploads, reading thumbnails and items back, the notification's filter
 * pairs, direct re-deliveries and the sentinel uploads that prove an absence.
 * grade.ts holds the checks themselves, in the order they run.
 */
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { CheckFailed, type GradeContext } from "../../src/kit/grader/types.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, TimeoutError } from "../../src/kit/wait.js";
import { describeFailure, functionFailures, waitForEvidence } from "../../src/kit/grader/evidence.js";
import { displayedSize, expectedThumbnailKey, IMAGE_SET, inspectThumbnail, makeImage, type TestImage } from "./images.js";
import { AnnouncementReader, itemsFor, recentLogLines, s3PutRecord, scanItems, type Item, type Pipeline } from "./support.js";
import type * as PolicyModule from "./policy.js";
import type * as NotificationModule from "./notification.js";

export interface State extends Pipeline {
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
export function patience(ctx: GradeContext, st: State): number {
  if (ctx.target.kind === "aws") return st.slow ? 15_000 : 90_000;
  return st.slow ? 2_000 : 12_000;
}

/** Run a wait; a timeout marks the grade as slow (see patience). */
export async function timed<T>(st: State, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    if (err instanceof TimeoutError) st.slow = true;
    throw err;
  }
}

export const b = (st: State) => st.bucket.name;
export const byGroup = (group: TestImage["group"]) => IMAGE_SET.filter((i) => i.group === group);

export async function put(ctx: GradeContext, st: State, key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
  await ctx.clients.s3.send(new PutObjectCommand({ Bucket: b(st), Key: key, Body: body, ...(contentType ? { ContentType: contentType } : {}) }));
}

/** Upload the image set once (the first check that needs it starts it; the others wait for it). */
export function ensureUploaded(ctx: GradeContext, st: State): Promise<void> {
  st.uploaded ??= (async () => {
    st.uploadStarted = Date.now();
    await Promise.all(IMAGE_SET.map((img) => put(ctx, st, img.key, st.images.get(img.key)!, img.format === "png" ? "image/png" : "image/jpeg")));
    st.qualifying += IMAGE_SET.length;
  })();
  return st.uploaded;
}

export async function logsHint(ctx: GradeContext, st: State): Promise<string> {
  const lines = await recentLogLines(ctx, st.fn!.name, 6);
  return lines.length ? `; the function's last log lines:\n      ${lines.join("\n      ")}` : "; the function's log is empty (was it invoked at all?)";
}

/**
 * Wait for a result of the image set's round. Conclusive evidence ends it early: every upload of the
 * round has finished its invocation (REPORT lines) — whatever is missing then will not come. A failure
 * of one image does not end it (another image's failure is another check's business); it is named
 * in `failureNote`. Returns undefined when the result did not come.
 */
export async function awaitRound<T>(ctx: GradeContext, st: State, what: string, result: () => Promise<T | undefined>): Promise<T | undefined> {
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
export async function failureNote(ctx: GradeContext, st: State): Promise<string> {
  // The first check that reports a failed invocation owns it; later ones point back to it.
  if (!st.failure && st.lastFailure) st.failure = { check: ctx.currentCheck, summary: st.lastFailure };
  if (st.failure && st.failure.check !== ctx.currentCheck) return `the function failed: ${st.failure.summary} — probably the same cause as "${st.failure.check}"`;
  if (st.failure) return `the function failed: ${st.failure.summary}`;
  return (await logsHint(ctx, st)).slice(2);
}

export async function tryObject(ctx: GradeContext, st: State, key: string): Promise<{ bytes: Uint8Array; contentType?: string } | undefined> {
  try {
    const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: b(st), Key: key }));
    return { bytes: await out.Body!.transformToByteArray(), contentType: out.ContentType };
  } catch (err) {
    if (errorCode(err) === "NoSuchKey" || errorCode(err) === "NotFound") return undefined;
    throw err;
  }
}

export async function thumbnailProblems(ctx: GradeContext, st: State, images: TestImage[]): Promise<string[]> {
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
export async function waitForItems(ctx: GradeContext, st: State, keys: string[]): Promise<Item[]> {
  let last: Item[] = [];
  await awaitRound(ctx, st, "metadata items", async () => {
    last = await scanItems(ctx, st.table.name);
    return keys.every((k) => itemsFor(last, k).length > 0) ? last : undefined;
  });
  return last;
}

export function itemProblems(img: TestImage, item: Item, st: State, size: number): string[] {
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
export function filterPairs(config: NotificationConfiguration, functionArn: string): { pairs: string[]; createdEvents: boolean; others: number } {
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

export async function invokeDirect(ctx: GradeContext, st: State, event: unknown): Promise<{ functionError?: string; payload: string }> {
  st.direct += 1;
  const out = await ctx.clients.lambda.send(new InvokeCommand({ FunctionName: st.fn!.name, InvocationType: "RequestResponse", Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  return { functionError: out.FunctionError, payload: out.Payload ? new TextDecoder().decode(out.Payload) : "" };
}

/** A record for an object as it is now (size and ETag from HeadObject). */
export async function recordFor(ctx: GradeContext, st: State, key: string, sequencer: string) {
  const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: b(st), Key: key }));
  return s3PutRecord({ region: ctx.target.region, account: ctx.target.account, bucket: b(st), key, size: head.ContentLength ?? 0, eTag: head.ETag ?? "", sequencer });
}

export async function listKeys(ctx: GradeContext, st: State, prefix: string): Promise<string[]> {
  const out = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: b(st), Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

/** Upload one good image and wait for its thumbnail and item: everything sent before it has had its chance. */
export async function sentinel(ctx: GradeContext, st: State, name: string): Promise<string> {
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
