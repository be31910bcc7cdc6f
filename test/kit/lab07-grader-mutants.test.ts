/**
 * Lab 07's grader against five realistic wrong submissions (edits of the
 * reference solution), each of which must fail the check about its mistake
 * first, on its own: retries set to 0, a handler that swallows errors, a
 * dedupe keyed on the eTag alone, an Errors alarm with a day-long period, and
 * TreatMissingData that leaves the alarm without data instead of OK. Each
 * grade stops at its first failing check (cleanup still runs). The cloud keeps
 * the default time scale (1/60: a retry wait or an alarm period is a second);
 * at 1/600 the per-100-ms metric buckets cost more CPU than they save.
 * The reference solution passing is the self-check's job (labs-self-check).
 */
import { describe, it } from "vitest";
import { edit, expectFailsAt, gradeVariant, mutantsSession, type Variant } from "./mutants.js";
import { ASYNC, ERRORS_ALARM, ONCE, POISON } from "../../labs/07-when-things-go-wrong/grade-state.js";

const { session, skip } = await mutantsSession("lab 07's grader mutants", ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"]);

const MUTANTS: Array<[string, Variant, string, RegExp]> = [
  ["MaximumRetryAttempts 0", { "async-config.ts": edit("MaximumRetryAttempts: 1,", "MaximumRetryAttempts: 0,") }, ASYNC, /never be tried again/],
  ["a handler that catches and logs every error", { "handler.ts": edit('error: (err as Error).message });\n      throw err;', "error: (err as Error).message });") }, POISON, /returned normally/],
  ["a dedupe keyed on the eTag alone", { "handler.ts": edit("return `${record.s3.bucket.name}/${o.key}#${o.versionId ?? o.sequencer}`;", "return o.eTag ?? o.sequencer;") }, ONCE, /less than its orders/],
  ["an Errors alarm with a day-long period", { "alarms.ts": edit(/Period: 60,/, "Period: 86400,") }, ERRORS_ALARM, /Period is 86400 s/],
  ["an Errors alarm with TreatMissingData missing", { "alarms.ts": edit('TreatMissingData: "notBreaching",', 'TreatMissingData: "missing",') }, ERRORS_ALARM, /no OK notification[\s\S]*INSUFFICIENT_DATA/],
];

const run = ([what, variant, check, message]: (typeof MUTANTS)[number]) =>
  it(`wrong: ${what} → fails "${check}"`, async () => expectFailsAt(await gradeVariant(session, "07", variant, { stopAtFirstFailure: true }), check, message), 90_000);

describe.skipIf(skip)("lab 07 grader mutants", () => {
  for (const m of MUTANTS.filter(([, , check]) => check !== ERRORS_ALARM)) run(m);
  // The two alarm mutants mostly wait for a notification that never comes: they wait together.
  describe.concurrent("alarms", () => {
    for (const m of MUTANTS.filter(([, , check]) => check === ERRORS_ALARM)) run(m);
  });
});
