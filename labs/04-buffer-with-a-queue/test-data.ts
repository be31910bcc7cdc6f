/**
 * Lab 04 — the grader's test data (not a learner file). What the README says
 * the handler must handle, and the case here that proves it:
 *
 * | claim (README)                                       | produced by                                        |
 * |------------------------------------------------------|----------------------------------------------------|
 * | many files at once, each row loaded exactly once     | BULK: 200 files uploaded together (load check)     |
 * | a file large enough for a multipart upload           | multipartCsv(): 5 MiB + a last part, ~530 rows     |
 * | keys are URL-encoded in the event                    | AWKWARD: spaces, one and several "+", two spaces   |
 * |                                                      |   in a row, "%", "=", the text %2F, 4-byte UTF-8   |
 * | values are stored as written (parameters, not SQL)   | AWKWARD rows: O'Brien, a DROP TABLE look-alike,    |
 * |                                                      |   ":name", a backslash, unicode, an emoji          |
 * | CRLF, no final newline, empty lines                  | AWKWARD[1..3]                                      |
 * | the same S3 event delivered twice adds nothing       | DUPLICATE: S3's own event, then one batch holding  |
 * |                                                      |   the same event twice (a direct invoke)           |
 * | a bad file is refused whole, its batch-mates are not | POISON: a bad amount in row 3; MATES: 4 good files |
 * | s3:TestEvent is skipped                              | S3's own, when the notification is saved, + one    |
 * |                                                      |   the grader sends                                 |
 * | after the fix, a redrive loads the file              | POISON.fixed, then StartMessageMoveTask            |
 * | DatabaseResumingException is retried                 | RESUME: one file after the database auto-paused    |
 *
 * Each check uploads keys of its own (a folder per check under uploads/) and
 * reads only its own rows (WHERE source_key LIKE 'uploads/<folder>/%').
 */

export interface Order {
  orderId: string;
  customer: string;
  amount: string;
  comment: string;
}

export interface CsvFile {
  key: string;
  body: string;
  /** The rows the table must hold for this file, in row_number order. */
  rows: Order[];
}

export const HEADER = "order_id,customer,amount,comment";

function csv(rows: Order[], eol = "\n", finalNewline = true): string {
  const lines = [HEADER, ...rows.map((r) => [r.orderId, r.customer, r.amount, r.comment].join(","))];
  return lines.join(eol) + (finalNewline ? eol : "");
}

const CUSTOMERS = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances"];

/** 200 small files: 1–6 rows each, deterministic. */
export function bulkFiles(count = 200): CsvFile[] {
  return Array.from({ length: count }, (_, i) => {
    const n = 1 + ((i * 7) % 6);
    const rows = Array.from({ length: n }, (_, j) => ({
      orderId: `B${String(i).padStart(3, "0")}-${j + 1}`,
      customer: CUSTOMERS[(i + j) % CUSTOMERS.length]!,
      amount: `${(i * 13 + j * 7) % 500}.${String((i + j) % 100).padStart(2, "0")}`,
      // Order ids repeat across files on purpose: they are not the idempotency key.
      comment: j === 0 ? "" : `line ${j + 1}`,
    }));
    return { key: `uploads/load/batch-${String(i).padStart(3, "0")}.csv`, body: csv(rows), rows };
  });
}

/**
 * The multipart file: a 5 MiB first part (S3's minimum) and a short last part. Long comments keep
 * the row count modest (~530), so loading it is quick even through the Data API.
 */
export function multipartCsv(key = "uploads/load/large/multipart.csv"): CsvFile & { parts: [Buffer, Buffer] } {
  const rows: Order[] = [];
  let size = HEADER.length + 1;
  for (let i = 0; size < 5 * 1024 * 1024 + 20_000; i++) {
    const r = { orderId: `L${i}`, customer: CUSTOMERS[i % CUSTOMERS.length]!, amount: `${i % 1000}.50`, comment: `bulk ${i} ${"x".repeat(9_900)}` };
    rows.push(r);
    size += [r.orderId, r.customer, r.amount, r.comment].join(",").length + 1;
  }
  const body = Buffer.from(csv(rows));
  const cut = 5 * 1024 * 1024;
  return { key, body: body.toString(), rows, parts: [body.subarray(0, cut), body.subarray(cut)] };
}

/** Awkward keys and values; the table must hold the values exactly. */
export const AWKWARD: CsvFile[] = [
  {
    key: "uploads/awkward/quotes and sql.csv",
    rows: [
      { orderId: "Q1", customer: "O'Brien & Sons", amount: "12.50", comment: "it's \"quoted\"" },
      { orderId: "Q2", customer: "Robert'); DROP TABLE orders;--", amount: "0.99", comment: "-- not a comment" },
      { orderId: "Q3", customer: "back\\slash", amount: "-3", comment: ":name and $1 and %s" },
    ],
    body: "",
  },
  { key: "uploads/awkward/2026/q1/regional sales+eu.csv", rows: [{ orderId: "K1", customer: "Zoë Ångström", amount: "7.00", comment: "crlf" }, { orderId: "K2", customer: "Łukasz", amount: "8", comment: "" }], body: "" },
  { key: "uploads/awkward/café=ok 100% 🚀.csv", rows: [{ orderId: "K3", customer: "José 🚀", amount: "1000000.01", comment: "no final newline" }], body: "" },
  { key: "uploads/awkward/a+b+c  two  spaces %2F not a slash.csv", rows: [{ orderId: "K4", customer: "漢字", amount: "5.5", comment: "empty lines around" }], body: "" },
];
AWKWARD[0]!.body = csv(AWKWARD[0]!.rows);
AWKWARD[1]!.body = csv(AWKWARD[1]!.rows, "\r\n");
AWKWARD[2]!.body = csv(AWKWARD[2]!.rows, "\n", false);
AWKWARD[3]!.body = `\n${csv(AWKWARD[3]!.rows)}\n\n`;

export const DUPLICATE: CsvFile = (() => {
  const rows = [
    { orderId: "D1", customer: "Ada", amount: "10.00", comment: "" },
    { orderId: "D2", customer: "Grace", amount: "20.00", comment: "" },
    { orderId: "D3", customer: "Linus", amount: "30.00", comment: "" },
  ];
  return { key: "uploads/duplicate/orders.csv", body: csv(rows), rows };
})();

/** The poison file: rows 1–2 are fine, row 3's amount is not a number (so a loader without a transaction leaves 2 rows). */
export const POISON = (() => {
  const good = [
    { orderId: "P1", customer: "Ada", amount: "1.00", comment: "" },
    { orderId: "P2", customer: "Grace", amount: "2.00", comment: "" },
  ];
  const fixedRows = [...good, { orderId: "P3", customer: "Ken", amount: "3.00", comment: "fixed" }];
  return {
    key: "uploads/poison/broken.csv",
    body: `${csv(good)}P3,Ken,three euros,broken\n`,
    fixed: { key: "uploads/poison/broken.csv", body: csv(fixedRows), rows: fixedRows } as CsvFile,
  };
})();

/** Good files uploaded together with the poison file: they share its batch and must be loaded once, not dead-lettered. */
export const MATES: CsvFile[] = Array.from({ length: 4 }, (_, i) => {
  const rows = [{ orderId: `M${i}`, customer: CUSTOMERS[i]!, amount: `${i}.25`, comment: "batch-mate" }];
  return { key: `uploads/poison/mate-${i}.csv`, body: csv(rows), rows };
});

export const RESUME: CsvFile = (() => {
  const rows = [{ orderId: "R1", customer: "Margaret", amount: "42.00", comment: "after the pause" }];
  return { key: "uploads/resume/after-pause.csv", body: csv(rows), rows };
})();

/** The message S3 sends to a queue when a notification configuration is saved (aws-behavior.md §2). */
export function testEventBody(bucket: string): string {
  return JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: new Date().toISOString(), Bucket: bucket, RequestId: "GRADERTESTEVENT", HostId: "grader/test-event" });
}
