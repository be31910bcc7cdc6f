/**
 * Lab 06 — the grader's test data (not a learner file). What the README says
 * the routing must do, and the case here that proves it:
 *
 * | claim (README)                                        | produced by                                                  |
 * |-------------------------------------------------------|--------------------------------------------------------------|
 * | PNG/JPEG of ≥ 2 KiB under uploads/ → the workflow      | IMAGES.positives: .png, .jpg, .jpeg, nested, spaces, "+",     |
 * |                                                       |   4-byte UTF-8, exactly 2048 bytes, a CopyObject               |
 * | … on the branch of its file type                       | IMAGES.positives[].branch (PngThumbnail / JpegThumbnail)       |
 * | smaller images, other types, other prefixes: nothing   | IMAGES.negatives: 2047 bytes, .gif, other/, .PNG, .png.txt     |
 * | the workflow's own outputs (processed/…) start nothing | the processed/ copies the positives produce; grade-patterns.ts |
 * | new .csv under imports/ → the import function          | CSVS.positives: nested, spaces, "+", "%", CRLF, a copy         |
 * | a re-upload is a new import                            | CSVS.reupload (same key, new content, new sequencer)           |
 * | other files, other prefixes, deletions: nothing        | CSVS.negatives (.txt, other/, .csv.bak, Imports/), CSVS.scratch |
 * |                                                       |   deleted after its import                                      |
 * | deletions (not under processed/) → a readable message  | DELETIONS: uploads/ with spaces, notes/, processed/ (none)     |
 * | a transient error is retried with backoff              | FLAKY (fails ThumbnailServiceBusy twice, then succeeds)        |
 * | a permanent error goes straight to the Catch           | BROKEN (not an image: UnsupportedImage)                         |
 * | a replay re-delivers, the totals do not change         | every CSV event of the CSVS round, replayed into the CSV rule   |
 * |                                                       |   (scratch's object is gone by then: a replay can point at      |
 * |                                                       |   deleted objects)                                              |
 *
 * Each check uses keys of its own (a folder per check), so a mistake fails
 * the check about it.
 */

export const MIN_IMAGE_BYTES = 2048;

/** Bytes that start like a PNG or a JPEG (the task function only sniffs the magic bytes), padded to `size`. */
export function imageBytes(format: "png" | "jpeg", size: number): Uint8Array {
  const magic = format === "png" ? [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] : [0xff, 0xd8, 0xff, 0xe0];
  const bytes = new Uint8Array(size);
  bytes.set(magic.slice(0, size));
  for (let i = magic.length; i < size; i++) bytes[i] = (i * 31) & 0xff;
  return bytes;
}

export interface ImageCase {
  key: string;
  format: "png" | "jpeg";
  size: number;
  branch?: "PngThumbnail" | "JpegThumbnail";
  why: string;
  /** Made by CopyObject from this key (ObjectCreated, reason CopyObject). */
  copyOf?: string;
}

export const IMAGES: { positives: ImageCase[]; negatives: ImageCase[] } = {
  positives: [
    { key: "uploads/photos/beach.png", format: "png", size: 4096, branch: "PngThumbnail", why: "a PNG" },
    { key: "uploads/photos/city night+lights.jpg", format: "jpeg", size: 3000, branch: "JpegThumbnail", why: "a .jpg with a space and a +" },
    { key: "uploads/photos/2024/06/portrait.jpeg", format: "jpeg", size: 2500, branch: "JpegThumbnail", why: "a nested .jpeg" },
    { key: "uploads/photos/exactly-2048.png", format: "png", size: MIN_IMAGE_BYTES, branch: "PngThumbnail", why: "exactly 2048 bytes (at least 2 KiB)" },
    { key: "uploads/photos/smile 😀.png", format: "png", size: 3100, branch: "PngThumbnail", why: "4-byte UTF-8 in the key" },
    { key: "uploads/photos/beach-copy.png", format: "png", size: 4096, branch: "PngThumbnail", why: "a copy (CopyObject)", copyOf: "uploads/photos/beach.png" },
  ],
  negatives: [
    { key: "uploads/photos/icon.png", format: "png", size: MIN_IMAGE_BYTES - 1, why: "2047 bytes: below 2 KiB" },
    { key: "uploads/photos/anim.gif", format: "png", size: 4096, why: "a .gif" },
    { key: "other/photo.png", format: "png", size: 4096, why: "not under uploads/" },
    { key: "uploads/photos/LOUD.PNG", format: "png", size: 4096, why: "an upper-case .PNG (patterns are case-sensitive)" },
    { key: "uploads/photos/beach.png.txt", format: "png", size: 4096, why: "ends with .txt" },
  ],
};

/** What the thumbnail task writes for an upload. */
export const processedKeyFor = (key: string) => `processed/${key.slice("uploads/".length)}`;

export interface CsvCase {
  key: string;
  body: string;
  rows: number;
  copyOf?: string;
}

export const CSVS = {
  positives: [
    { key: "imports/sales.csv", body: "region,amount\nnorth,10\nsouth,20\neast,5\n", rows: 3 },
    { key: "imports/2024/q1/regional sales+eu.csv", body: "country,units\r\nfr,3\r\nde,4\r\n", rows: 2 },
    { key: "imports/odd/a+b  100%.csv", body: "x,y\n1,2\n3,4", rows: 2 },
    { key: "imports/copies/sales-copy.csv", body: "", rows: 3, copyOf: "imports/sales.csv" },
  ] as CsvCase[],
  /** Uploaded again once the first round is counted: a new upload of the same key is a new import. */
  reupload: { key: "imports/sales.csv", body: "region,amount\nnorth,10\nsouth,20\neast,5\nwest,1\nmid,2\n", rows: 5 },
  /** Imported, then deleted: the deletion must not invoke the function; its replayed creation finds no object. */
  scratch: { key: "imports/tmp/scratch.csv", body: "a\n1\n", rows: 1 },
  negatives: ["imports/readme.txt", "other/data.csv", "imports/data.csv.bak", "Imports/upper.csv"],
};

export const DELETIONS = {
  notified: ["uploads/trash/old photo.png", "notes/todo list+draft.txt"],
  silent: ["processed/stale.png"],
};

export const FLAKY: ImageCase = { key: "uploads/flaky/busy.png", format: "png", size: 3000, branch: "PngThumbnail", why: "busy twice, then fine" };
export const BROKEN = { key: "uploads/broken/corrupt.png", size: 3000, why: "not an image at all" };
export const BROKEN_BYTES = (size: number) => new Uint8Array(size).fill(0x42);

/** The deletion message, as the README defines it (the time is the event's, to the second). */
export const deletionText = (key: string, bucket: string) => new RegExp(`^File ${escapeRegExp(key)} was deleted from bucket ${escapeRegExp(bucket)} at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\.$`);
export const exampleDeletionText = (key: string, bucket: string) => `File ${key} was deleted from bucket ${bucket} at 2026-06-01T12:00:00Z.`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
