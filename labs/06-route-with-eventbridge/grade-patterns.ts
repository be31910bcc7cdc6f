/**
 * Lab 06 — judging the learner's event patterns before any traffic: each
 * pattern is saved as a rule (EventBridge validates it: InvalidEventPatternException
 * names the problem) and run through TestEventPattern — the same API on AWS —
 * against events in S3's EventBridge shape that it must and must not match.
 * A pattern is judged by what it matches, never by how it is written, so
 * every equivalent form passes.
 */
import { TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import type { KitContext } from "../../src/kit/context.js";
import { CSVS, DELETIONS, IMAGES, MIN_IMAGE_BYTES, processedKeyFor } from "./test-data.js";

export interface S3EventInput {
  bucket: string;
  detailType: "Object Created" | "Object Deleted";
  key: string;
  size?: number;
  reason?: string;
}

/** An S3 event as EventBridge delivers it (aws-behavior.md §4): the key is not URL-encoded, deletions carry no size. */
export function s3BridgeEvent(ctx: KitContext, e: S3EventInput): Record<string, unknown> {
  const created = e.detailType === "Object Created";
  return {
    version: "0",
    id: "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": e.detailType,
    source: "aws.s3",
    account: ctx.target.account,
    time: "2026-06-01T12:00:00Z",
    region: ctx.target.region,
    resources: [`arn:aws:s3:::${e.bucket}`],
    detail: {
      version: "0",
      bucket: { name: e.bucket },
      object: created ? { key: e.key, size: e.size ?? 100, etag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "0062E99A88DC407460" } : { key: e.key, sequencer: "0062E99A88DC407461" },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: ctx.target.account,
      "source-ip-address": "203.0.113.15",
      reason: e.reason ?? (created ? "PutObject" : "DeleteObject"),
      ...(created ? {} : { "deletion-type": "Permanently Deleted" }),
    },
  };
}

export interface PatternCase {
  event: S3EventInput;
  match: boolean;
  why: string;
}

const created = (bucket: string, key: string, size: number, reason = "PutObject"): S3EventInput => ({ bucket, detailType: "Object Created", key, size, reason });
const deleted = (bucket: string, key: string): S3EventInput => ({ bucket, detailType: "Object Deleted", key });
const OTHER_BUCKET = (bucket: string) => `${bucket}-other`;

export function imagePatternCases(bucket: string): PatternCase[] {
  return [
    ...IMAGES.positives.map((i) => ({ event: created(bucket, i.key, i.size, i.copyOf ? "CopyObject" : "PutObject"), match: true, why: i.why })),
    { event: created(bucket, "uploads/photos/big.png", 5_000_000, "CompleteMultipartUpload"), match: true, why: "a multipart upload of 5 MB" },
    ...IMAGES.negatives.map((i) => ({ event: created(bucket, i.key, i.size), match: false, why: i.why })),
    { event: created(bucket, processedKeyFor("uploads/photos/beach.png"), 4096), match: false, why: "the workflow's own output under processed/ (a pattern that matches it runs the workflow on its own results)" },
    { event: deleted(bucket, "uploads/photos/beach.png"), match: false, why: "a deletion, not a new image" },
    { event: created(OTHER_BUCKET(bucket), "uploads/photos/beach.png", 4096), match: false, why: "another bucket's upload (the default bus carries every bucket's events)" },
  ];
}

export function csvPatternCases(bucket: string): PatternCase[] {
  return [
    ...CSVS.positives.map((c) => ({ event: created(bucket, c.key, c.body.length || 40, c.copyOf ? "CopyObject" : "PutObject"), match: true, why: c.copyOf ? "a copy" : "a CSV under imports/" })),
    { event: created(bucket, CSVS.scratch.key, 4), match: true, why: "a CSV under imports/" },
    ...CSVS.negatives.map((key) => ({ event: created(bucket, key, 40), match: false, why: key.endsWith(".csv") ? "a .csv, but not under imports/" : "under imports/, but not a .csv" })),
    { event: created(bucket, "uploads/report.csv", 40), match: false, why: "a .csv outside imports/ (prefix AND suffix, not prefix OR suffix)" },
    { event: deleted(bucket, "imports/sales.csv"), match: false, why: "a deletion, not a new file" },
    { event: created(OTHER_BUCKET(bucket), "imports/sales.csv", 40), match: false, why: "another bucket's file" },
  ];
}

export function deletionPatternCases(bucket: string): PatternCase[] {
  return [
    ...DELETIONS.notified.map((key) => ({ event: deleted(bucket, key), match: true, why: "a deletion outside processed/" })),
    { event: deleted(bucket, "imports/sales.csv"), match: true, why: "a deletion outside processed/" },
    ...DELETIONS.silent.map((key) => ({ event: deleted(bucket, key), match: false, why: "a deletion of the workflow's own output under processed/ (housekeeping, not news)" })),
    { event: created(bucket, "uploads/trash/old photo.png", 100), match: false, why: "a new object, not a deletion" },
    { event: deleted(OTHER_BUCKET(bucket), "uploads/trash/old photo.png"), match: false, why: "another bucket's deletion" },
  ];
}

export function archivePatternCases(bucket: string): PatternCase[] {
  return [
    { event: created(bucket, "imports/sales.csv", 40), match: true, why: "this bucket's new file" },
    { event: created(bucket, "uploads/photos/beach.png", 4096), match: true, why: "this bucket's new image" },
    { event: deleted(bucket, "notes/todo list+draft.txt"), match: true, why: "this bucket's deletion" },
    { event: created(OTHER_BUCKET(bucket), "imports/sales.csv", 40), match: false, why: "another bucket's event (the archive is for this bucket)" },
  ];
}

/** Run the pattern over every case; returns one line per wrong decision (at most `limit`). */
export async function patternProblems(ctx: KitContext, name: string, pattern: unknown, cases: PatternCase[], limit = 4): Promise<string[]> {
  const text = JSON.stringify(pattern);
  const problems: string[] = [];
  for (const c of cases) {
    const out = await ctx.clients.events.send(new TestEventPatternCommand({ EventPattern: text, Event: JSON.stringify(s3BridgeEvent(ctx, c.event)) }));
    if (out.Result === c.match) continue;
    const what = `${c.event.detailType} ${c.event.key}${c.event.size !== undefined && c.event.detailType === "Object Created" ? ` (${c.event.size} bytes)` : ""}${c.event.bucket.endsWith("-other") ? " in another bucket" : ""}`;
    problems.push(`${name} ${c.match ? "does not match" : "matches"} ${what} — ${c.why}`);
  }
  return problems.length > limit ? [...problems.slice(0, limit), `… and ${problems.length - limit} more`] : problems;
}

export { MIN_IMAGE_BYTES };
