/**
 * Lab 05 — the grader's test data (not a learner file). What the README says
 * each subscriber must do, and the case here that proves it:
 *
 * | claim (README)                                        | produced by                                             |
 * |-------------------------------------------------------|---------------------------------------------------------|
 * | every upload is catalogued once, whatever its prefix  | UPLOADS: uploads/, archive/, the bucket's root          |
 * | keys arrive URL-encoded inside S3's event             | UPLOADS: spaces, two in a row, several "+", "%", the    |
 * |   inside SNS's envelope (decode after two unwraps)    |   text "%2F" beside real "/", 4-byte UTF-8 (emoji)       |
 * | a re-upload updates its item, not a second one        | REUPLOAD: the same key twice                            |
 * | every new object counts, copies too                   | COPY: CopyObject of a large upload (ObjectCreated:Copy)  |
 * | the audit queue gets S3's event itself (raw delivery) | every upload: one body {"Records":[…]} per upload        |
 * | ops get email for large uploads only (≥ LARGE_BYTES)  | sizes 0, 1, LARGE_BYTES − 1 (small) and LARGE_BYTES,    |
 * |                                                       |   LARGE_BYTES + 1, 2 MiB, the copy (large)              |
 * | the catalog copes with S3's s3:TestEvent              | a direct invoke with SNS's envelope around it           |
 * | one failing subscriber does not affect the others     | POISON: a key the grader's own extra subscriber fails on |
 * |                                                       |   (retried, then its dead-letter queue)                 |
 */

/** "Large" for the ops team: 1 MiB. */
export const LARGE_BYTES = 1_048_576;

export interface Upload {
  key: string;
  size: number;
  why: string;
}

export const UPLOADS: Upload[] = [
  { key: "uploads/report.csv", size: 120, why: "a plain key, small" },
  { key: "uploads/holiday photos/beach+sunset  2024.jpg", size: LARGE_BYTES + 1, why: 'spaces, two in a row, a "+" — large' },
  { key: "uploads/a+b+c=d.txt", size: 1, why: 'several "+" (each is a plus, not a space)' },
  { key: "uploads/100% done/a%2Fb.txt", size: LARGE_BYTES - 1, why: '"%" and the text "%2F" — one byte below large' },
  { key: "uploads/ünïcødé/😀 smile.png", size: LARGE_BYTES, why: "4-byte UTF-8 — exactly large" },
  { key: "archive/2024/old.log", size: 2 * LARGE_BYTES, why: "another prefix — every upload counts, large" },
  { key: "empty-at-root", size: 0, why: "the bucket's root, zero bytes" },
];

/** Uploaded twice: first small, then large — one item, two audit events, one mail. */
export const REUPLOAD = { key: "uploads/again.bin", first: 10, second: LARGE_BYTES + 5 };

/** A copy of a large upload: ObjectCreated:Copy, large. */
export const COPY = { source: "archive/2024/old.log", key: "uploads/copies/old copy.log", size: 2 * LARGE_BYTES };

/** The key the grader's own extra subscriber fails on (small, so no mail). */
export const POISON = { key: "uploads/poison/bad apple.txt", size: 42 };

export const isLarge = (size: number) => size >= LARGE_BYTES;

/** Every object event the main round makes, in order: key and size. */
export function roundEvents(): Array<{ key: string; size: number }> {
  return [...UPLOADS.map((u) => ({ key: u.key, size: u.size })), { key: REUPLOAD.key, size: REUPLOAD.first }, { key: REUPLOAD.key, size: REUPLOAD.second }, { key: COPY.key, size: COPY.size }];
}

/** A body of `size` bytes (repeating text: cheap to make, compresses nowhere it matters). */
export function bodyOf(size: number): Uint8Array {
  return new Uint8Array(size).fill(0x61);
}
