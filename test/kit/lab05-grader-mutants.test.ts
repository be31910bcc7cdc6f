/**
 * Lab 05's grader against the mistakes issue 16 names (four, the most
 * important; the untouched starter is graded by labs-self-check.test.ts):
 * each must fail the check about it — first, on its own, not blocked.
 * Graded for real (the harness, the SDK, Lambda running the bundled handler,
 * SNS fanning out to the function, the raw audit queue and the email outbox)
 * on this file's local cloud, one variant at a time.
 */
import { describe, it } from "vitest";
import { edit, expectFailsAt, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip } = await mutantsSession("lab 05's grader mutants", ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"]);

const TOPIC = "topic policy lets S3 publish, only for this bucket and account";
const QUEUE = "audit queue policy lets only this topic send";
const CATALOG = "catalog: every upload once — mixed sizes, prefixes, awkward keys, a re-upload, a copy";
const EMAIL = "email: exactly the large uploads (and the confirmation)";

const wrong: Array<[string, Variant, string, RegExp]> = [
  [
    "the handler reads the SNS event as if it were S3's (no unwrapping)",
    { "handler.ts": edit("const s3Event = JSON.parse(record.Sns.Message) as { Event?: string; Records?: S3EventRecord[] };", "const s3Event = event as unknown as { Event?: string; Records?: S3EventRecord[] };") },
    CATALOG,
    /TypeError/,
  ],
  [
    "a filter on a message attribute S3 never sets",
    { "filter-policy.ts": edit('FilterPolicyScope: "MessageBody",\n    FilterPolicy: { Records: { s3: { object: { size: [{ numeric: [">=", input.minBytes] }] } } } },', 'FilterPolicyScope: "MessageAttributes",\n    FilterPolicy: { size: [{ numeric: [">=", input.minBytes] }] },') },
    EMAIL,
    /no mail arrived for any of the .* large uploads.*sets no message attributes/s,
  ],
  ["a topic policy without aws:SourceArn", { "topic-policy.ts": edit(/\n\s*ArnLike: \{ "aws:SourceArn": [^\n]*\},/, "") }, TOPIC, /someone-elses-source/],
  ["a queue policy open to any topic", { "queue-policy.ts": edit('Condition: { ArnEquals: { "aws:SourceArn": input.topicArn } },', 'Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } },') }, QUEUE, /someone-elses-topic/],
];

describe.skipIf(skip)("lab 05 grader mutants", () => {
  for (const [what, variant, check, message] of wrong) {
    it(`wrong: ${what} → fails "${check}"`, async () => {
      const report = await gradeVariant(session, "05", variant, { stopAtFirstFailure: true });
      if (process.env.MUTANT_TIMES) console.log(what, report.durationMs, report.checks.map((c) => `${c.name.slice(0, 20)} ${c.status} ${c.durationMs}`));
      expectFailsAt(report, check, message);
    }, 60_000);
  }
});
