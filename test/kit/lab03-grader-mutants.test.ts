/**
 * Lab 03's grader against realistic wrong submissions (issue 13, item 7):
 * each must fail the check about its mistake — first, on its own, not
 * blocked. Graded for real on this file's local cloud (the harness, the SDK,
 * Lambda running the bundled handler with sharp). The correct alternatives
 * are in lab03-grader-alternatives.test.ts, so the two files run in parallel.
 *
 * The naive pipeline — the reference handler with the two lessons left out:
 * no guard for keys outside uploads/ and an unconditional PutItem — passes the
 * thumbnail, metadata, SNS, filter, loop and re-upload checks (it does all of
 * that right) but fails the duplicate and sequencer checks and the trap round.
 */
import { describe, expect, it } from "vitest";
import { chain, edit, expectFailsAt, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip } = await mutantsSession("lab 03's grader mutants", ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"]);

const ROLE = "execution role: Lambda may assume it; least privilege (no wildcards beyond logs)";
const PERMISSION = "permission lets S3 invoke it, scoped by SourceArn and SourceAccount";
const NOTIFICATION = "notifications: uploads/ + .jpg, .jpeg, .png invoke the function";
const KEYS = "thumbnails for keys with spaces, +, unicode and nested folders";
const DUPLICATE = "a duplicate or older event changes nothing: one item, one SNS message";
const REUPLOAD = "a re-upload of a processed image updates its item and is announced again";
const SEQUENCERS = "sequencers compare as padded hex strings (beyond 2^53, different lengths)";
const TRAP = "trap round: with the trigger widened to the whole bucket, your handler's guard stops the loop";
const SNS = "one SNS message per upload with the agreed fields";

const announce = '{ Sid: "Announce", Effect: "Allow", Action: "sns:Publish", Resource: input.topicArn },';
const extra = (statement: string) => edit(announce, `${announce}\n      ${statement},`);
const condition = 'ConditionExpression: "attribute_not_exists(id) OR #sequencer < :sequencer",';

const wrong: Array<[string, Variant, string, RegExp]> = [
  ["sns:Publish on Resource *", { "policy.ts": extra('{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }') }, ROLE, /someone-elses-topic/],
  ["PutObject under a sub-folder of the trigger", { "policy.ts": extra('{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/thumbnails/*` }') }, ROLE, /uploads\/thumbnails\/x\.jpg/],
  ["s3:* on uploads/", { "policy.ts": edit('Action: "s3:GetObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*`', 'Action: "s3:*", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*`') }, ROLE, /loop/],
  ["a trust policy anyone may use", { "policy.ts": edit('Principal: { Service: "lambda.amazonaws.com" }', 'Principal: "*"') }, ROLE, /trust policy allows/],
  ["no SourceAccount on the permission", { "policy.ts": edit(/\n\s*SourceAccount: input\.accountId,/, "") }, PERMISSION, /111122223333/],
  ["no decoding of the key", { "handler.ts": edit('export const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\\+/g, " "));', "export const decodeKey = (key: string): string => key;") }, KEYS, /no thumbnails\/holiday photos|NoSuchKey/],
  ["attribute_not_exists(id) only: a re-upload never updates", { "handler.ts": chain(edit(condition, 'ConditionExpression: "attribute_not_exists(id)",'), edit(/\s*ExpressionAttributeNames: [^\n]*\n\s*ExpressionAttributeValues: [^\n]*\n/, "\n")) }, REUPLOAD, /still describes the first upload/],
  // Numbers already get the older re-delivery wrong (the duplicate check); the sequencer check would catch it next.
  ["sequencers compared as numbers", { "handler.ts": edit('export const normalizeSequencer = (sequencer: string): string => sequencer.toUpperCase().padEnd(32, "0");', 'export const normalizeSequencer = (sequencer: string): string => String(parseInt(sequencer, 16)).padStart(40, "0");') }, DUPLICATE, /overwritten by a duplicate or older event/],
  // Frozen between invocations (runtime/freeze.ts), as on AWS: a Publish the handler does not wait for may never happen.
  ["does not await its Publish", { "handler.ts": edit("  await sns.send(\n    new PublishCommand(", "  void sns.send(\n    new PublishCommand(") }, SNS, /no message about/],
  ["sequencers compared unpadded", { "handler.ts": edit('sequencer.toUpperCase().padEnd(32, "0")', "sequencer.toUpperCase()") }, SEQUENCERS, /one digit longer/],
];

describe.skipIf(skip)("lab 03 grader mutants", () => {
  for (const [what, variant, check, message] of wrong) {
    // Every check up to the named one runs (so "no earlier check fails" still holds); nothing after it is needed.
    it(`wrong: ${what} → fails "${check}"`, async () => expectFailsAt(await gradeVariant(session, "03", variant, { stopAtFirstFailure: true, stopAfter: check }), check, message), 120_000);
  }

  // A full grade: it asserts that every other check passes.
  it("the naive pipeline fails the duplicate, sequencer and trap checks, and only those", async () => {
    const guard = 'if (!key.startsWith("uploads/")) {';
    const report = await gradeVariant(session, "03", { "handler.ts": chain(edit(guard, "if (key.length === 0) {"), edit(/\s*ConditionExpression: [^\n]*\n\s*ExpressionAttributeNames: [^\n]*\n\s*ExpressionAttributeValues: [^\n]*\n/, "\n")) });
    const failing = report.checks.filter((c) => c.status !== "pass");
    expect(failing.map((c) => c.name)).toEqual([DUPLICATE, SEQUENCERS, TRAP]);
    expect(failing.every((c) => c.status === "fail" && !c.blockedBy)).toBe(true);
    expect(failing[0]!.message).toMatch(/overwritten by a duplicate or older event/);
    expect(failing[2]!.message).toMatch(/failed on its own thumbnail.*(AccessDenied|not authorized)/s);
    expect(report.cleanup).toMatchObject({ status: "pass", failed: 0 });
  }, 120_000);

  it("a handler that throws on every record fails on its logged error", async () => {
    const report = await gradeVariant(session, "03", { "handler.ts": edit("  const bucket = record.s3.bucket.name;", '  throw new RangeError("boom " + record.s3.object.key);\n  const bucket = record.s3.bucket.name;') }, { stopAfter: KEYS });
    const first = report.checks.find((c) => c.status !== "pass")!;
    expect(first.name).toBe("thumbnails: ≤ 200×200, aspect ratio kept, valid JPEG, upright, PNG on white");
    expect(first.message).toMatch(/the function failed: .*boom/);
    expect(report.checks.find((c) => c.name === KEYS)!.message).toMatch(/probably the same cause as "thumbnails/);
  }, 120_000);
});
