/**
 * Lab 02 — the grader's test data (not a learner file). What the README says
 * the function must handle, and the case here that proves it:
 *
 * | claim (README)                                  | produced by                                          |
 * |-------------------------------------------------|------------------------------------------------------|
 * | a new CSV under uploads/ is summarised          | SAMPLES[0] (PutObject)                                |
 * | keys are URL-encoded in the event               | SAMPLES: spaces, one and several "+", two spaces in a |
 * |                                                 |   row, "%", "=", unicode, nested folders              |
 * | CRLF, no final newline, empty lines             | SAMPLES[1..3]                                         |
 * | EVERY new CSV (s3:ObjectCreated:*)              | EVERY_NEW: a CopyObject and a multipart upload        |
 * | a re-upload replaces the summary                | REUPLOAD: the same key twice, different row counts    |
 * | every record of an event                        | BATCH: one direct invoke with two records             |
 * | only uploads/*.csv (case-sensitive filters)     | NEGATIVES, then a sentinel upload                     |
 *
 * Each check uploads keys of its own (sentinel folders below uploads/), so a
 * mistake fails the check about it; the summary checks read only their reports.
 */

export interface Sample {
  key: string;
  body: string;
  rows: number;
  columns: string[];
}

/** Sample files: key, content, expected summary. */
export const SAMPLES: Sample[] = [
  { key: "uploads/sales.csv", body: "region,amount\nnorth,10\nsouth,20\neast,5\n", rows: 3, columns: ["region", "amount"] },
  { key: "uploads/2024/q1/regional sales+eu.csv", body: "country,units,price\r\nfr,3,9.5\r\nde,4,8\r\n", rows: 2, columns: ["country", "units", "price"] },
  { key: "uploads/deep/a/b/no-trailing-newline.csv", body: "id,name\n1,ada\n2,grace\n3,linus\n4,barbara", rows: 4, columns: ["id", "name"] },
  { key: "uploads/unicode/café=ok.csv", body: "item\n\u00e9clair\n\n", rows: 1, columns: ["item"] },
  { key: "uploads/odd/a+b+c  two  spaces 100%.csv", body: "x,y\n1,2\n3,4\n", rows: 2, columns: ["x", "y"] },
];

/** New CSVs that are not PutObject uploads: S3 names them ObjectCreated:Copy and ObjectCreated:CompleteMultipartUpload. */
export const EVERY_NEW = {
  copySource: "uploads/every-new/source.csv",
  copy: { key: "uploads/every-new/copied.csv", body: "a,b\n1,2\n3,4\n5,6\n", rows: 3, columns: ["a", "b"] },
  /** A 5 MiB first part (S3's minimum) and a short last part. */
  multipart: { key: "uploads/every-new/multipart.csv", rows: 0, columns: ["n"] },
};

export const REUPLOAD = {
  key: "uploads/reupload/orders.csv",
  first: { body: "order\n1\n2\n", rows: 2 },
  second: { body: "order\n1\n2\n3\n4\n5\n", rows: 5 },
  columns: ["order"],
};

/** Two objects delivered in one event (S3 sends one record per event; the format allows more). */
export const BATCH: Sample[] = [
  { key: "uploads/batch/first.csv", body: "k\n1\n", rows: 1, columns: ["k"] },
  { key: "uploads/batch/second one.csv", body: "k\n1\n2\n", rows: 2, columns: ["k"] },
];

/** Uploads that must NOT invoke the function: wrong suffix, wrong prefix, suffix not at the end, capitalised prefix. */
export const NEGATIVES = ["uploads/notes.txt", "other/sales.csv", "uploads/sales.csv.bak", "Uploads/capital.csv"];

/** The multipart CSV: a header, then enough rows to fill the 5 MiB first part; returns [part 1, part 2, row count]. */
export function multipartCsv(): [Buffer, Buffer, number] {
  const row = "1234567\n";
  const first = "n\n" + row.repeat(Math.ceil((5 * 1024 * 1024 - 2) / row.length));
  const second = row.repeat(3);
  return [Buffer.from(first), Buffer.from(second), (first.length - 2) / row.length + 3];
}
