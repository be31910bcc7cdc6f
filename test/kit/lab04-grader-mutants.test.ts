/**
 * Lab 04's grader against the five mistakes issue 15 names: each must fail
 * the check about it — first, on its own, not blocked. Graded for real on
 * this file's local cloud (SQS, Lambda running the bundled handler, the Data
 * API on a PGlite cluster). Each grade stops after its named check (the rest
 * would only repeat the solution's passes), and the queue settings are the
 * quickest the grader accepts (visibility = window + function timeout,
 * maxReceiveCount 2), so the poison round takes seconds. (Run at once, the
 * five grades starved each other on a 2-core machine: they run in turn.)
 */
import { describe, it } from "vitest";
import { DescribeDBClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { chain, edit, expectFailsAt, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip: missing } = await mutantsSession("lab 04's grader mutants", ["s3", "sqs", "iam", "lambda", "logs", "notifications"]);
const rds = new RDSClient(session.clients.config);
const noRds = await rds.send(new DescribeDBClustersCommand({})).then(() => false, () => true);
rds.destroy();
if (noRds) console.warn("SKIPPED lab 04's grader mutants: the local cloud does not serve RDS yet.");

const SCHEMA = "schema: one row per file and row_number — a repeated insert is refused";
const QUEUE = "queue: the visibility timeout covers window + function timeout; failed messages go to the DLQ";
const TESTEVENT = "s3:TestEvent is skipped: no crash, deleted from the queue, not in the DLQ";
const AWKWARD = "awkward keys and values (quotes, SQL-looking text, unicode) are stored as written";
const POISON = "a poison file: no partial rows, parked in the DLQ; its batch-mates loaded once, not parked";

const quickQueue = chain(
  edit("String(input.functionTimeoutSeconds + input.batchingWindowSeconds + 1)", "String(input.functionTimeoutSeconds + input.batchingWindowSeconds)"),
  edit("maxReceiveCount: 3", "maxReceiveCount: 2"),
);

// One multi-row INSERT per chunk, its values pasted into the text: quick enough, and wrong for O'Brien.
const stringBuiltLoad = `async function load(key: string, rows: OrderRow[]): Promise<void> {
  const { transactionId } = await withResume(() => rds.send(new BeginTransactionCommand(database)));
  try {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const values = rows.slice(i, i + CHUNK).map((r) => \`('\${key}', \${r.rowNumber}, '\${r.orderId}', '\${r.customer}', \${r.amount}, '\${r.comment}')\`).join(", ");
      await rds.send(new ExecuteStatementCommand({ ...database, transactionId, sql: \`INSERT INTO orders (source_key, row_number, order_id, customer, amount, comment) VALUES \${values} ON CONFLICT (source_key, row_number) DO NOTHING\` }));
    }
    await rds.send(new CommitTransactionCommand({ ...database, transactionId }));
  } catch (err) {
    await rds.send(new RollbackTransactionCommand({ ...database, transactionId })).catch(() => {});
    throw err;
  }
}

async function processMessage(`;

const wrong: Array<[string, Variant, string, RegExp]> = [
  [
    "no idempotency: no key on the table, a plain INSERT",
    { "schema.ts": edit(",\n      -- One row per data row of each file: loading the same file again adds nothing.\n      PRIMARY KEY (source_key, row_number)", ""), "handler.ts": edit("\n                ON CONFLICT (source_key, row_number) DO NOTHING", "") },
    SCHEMA,
    /a second time \(a repeated delivery\) was accepted/,
  ],
  ["a visibility timeout shorter than the function's", { "queue.ts": edit("String(input.functionTimeoutSeconds + input.batchingWindowSeconds + 1)", "String(input.functionTimeoutSeconds - 1)") }, QUEUE, /less than the batching window .* plus the function timeout/],
  [
    "no s3:TestEvent guard (Records taken for granted)",
    { "queue.ts": quickQueue, "handler.ts": chain(edit('if (body.Event === "s3:TestEvent") {', "if (false) {"), edit("body.Records ?? []", "body.Records!")) },
    TESTEVENT,
    /s3:TestEvent/,
  ],
  ["SQL built from the values", { "queue.ts": quickQueue, "handler.ts": chain(edit(/async function load\([\s\S]*?async function processMessage\(/, stringBuiltLoad), edit("  BatchExecuteStatementCommand,\n", "  ExecuteStatementCommand,\n")) }, AWKWARD, /missing: uploads\/awkward\/quotes and sql\.csv/],
  ["one bad file fails the whole batch (throws)", { "queue.ts": quickQueue, "handler.ts": edit("  return { batchItemFailures };", '  if (batchItemFailures.length) throw new Error(`${batchItemFailures.length} message(s) failed`);\n  return { batchItemFailures };') }, POISON, /other files are in the DLQ too/],
];

describe.skipIf(missing || noRds)("lab 04 grader mutants", () => {
  for (const [what, variant, check, message] of wrong) {
    it(`wrong: ${what} → fails "${check}"`, async () => expectFailsAt(await gradeVariant(session, "04", variant, { stopAfter: check }), check, message), 120_000);
  }
});
