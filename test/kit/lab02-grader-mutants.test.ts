/**
 * Lab 02's grader against realistic submissions (issue 13, item 7): each
 * wrong one must fail the check about its mistake — first, on its own, not
 * blocked — and each correct alternative must pass. Graded for real (the
 * harness, the SDK, Lambda running the bundled handler on this file's local
 * cloud), one variant at a time. A handler that throws on every record must
 * fail on the function's logged error, not on a timeout.
 */
import { describe, expect, it } from "vitest";
import { chain, edit, expectFailsAt, expectPasses, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip } = await mutantsSession("lab 02's grader mutants", ["s3", "iam", "lambda", "logs", "notifications"]);

const ROLE = "execution role: Lambda may assume it; read uploads/, write reports/ only";
const PERMISSION = "permission lets S3 invoke it, only for this bucket and account";
const NOTIFICATION = "notification sends new uploads/*.csv to the function";
const SUMMARY = "a CSV upload is summarised in reports/";
const KEYS = "nested and encoded keys, CRLF and missing final newline";
const EVERY_NEW = "every new CSV counts: a copy and a multipart upload are summarised too";
const REUPLOAD = "a re-upload replaces the summary";
const BATCH = "every record of an event is summarised";

const reportsStatement = '{ Sid: "WriteReports", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${input.bucketName}/reports/*` },';
const addStatement = (statement: string) => edit(reportsStatement, `${reportsStatement}\n      ${statement},`);

const wrong: Array<[string, Variant, string, RegExp]> = [
  ["GetObject on Resource *", { "role.ts": addStatement('{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }') }, ROLE, /someone-elses-bucket/],
  ["PutObject on the whole bucket", { "role.ts": edit("/reports/*`", "/*`") }, ROLE, /uploads\/x\.csv/],
  ["PutObject on a sub-folder of the trigger", { "role.ts": addStatement('{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/reports/*` }') }, ROLE, /uploads\/reports\/x\.csv/],
  ["a trust policy for EC2", { "role.ts": edit('Principal: { Service: "lambda.amazonaws.com" }', 'Principal: { Service: "ec2.amazonaws.com" }') }, ROLE, /trust policy must allow lambda\.amazonaws\.com/],
  ["a trust policy that also lets anyone assume the role", { "role.ts": edit('Action: "sts:AssumeRole" }]', 'Action: "sts:AssumeRole" }, { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }]') }, ROLE, /role in account 111122223333/],
  ["no SourceAccount", { "permission.ts": edit(/\n\s*SourceAccount: input\.accountId,/, "") }, PERMISSION, /111122223333/],
  ["no SourceArn", { "permission.ts": edit(/\n\s*SourceArn: [^\n]*,/, "") }, PERMISSION, /someone-elses-source/],
  ["ObjectCreated:Put only", { "notification.ts": edit('"s3:ObjectCreated:*"', '"s3:ObjectCreated:Put"') }, NOTIFICATION, /Copy/],
  ["counts the header as a row", { "handler.ts": edit("rows: Math.max(0, lines.length - 1)", "rows: lines.length") }, SUMMARY, /rows 4, expected 3/],
  ["replaces only the first +", { "handler.ts": edit('key.replace(/\\+/g, " ")', 'key.replace("+", " ")') }, KEYS, /failed|a\+b\+c|without writing/],
  ["no key decoding", { "handler.ts": edit('const decodeKey = (key: string) => decodeURIComponent(key.replace(/\\+/g, " "));', "const decodeKey = (key: string) => key;") }, KEYS, /NoSuchKey|failed/],
  ["ObjectCreated:Put events only", { "handler.ts": edit("  for (const record of event.Records) {\n", '  for (const record of event.Records) {\n    if (record.eventName !== "ObjectCreated:Put") continue;\n') }, EVERY_NEW, /without writing/],
  ["remembers keys it has done (a re-upload is skipped)", { "handler.ts": chain(edit("const s3 = new S3Client({});", "const s3 = new S3Client({});\nconst done = new Set<string>();"), edit("    const object = await s3.send(", "    if (done.has(key)) continue;\n    done.add(key);\n    const object = await s3.send(")) }, REUPLOAD, /still summarises the first upload/],
  ["only the first record", { "handler.ts": edit("for (const record of event.Records) {", "for (const record of event.Records.slice(0, 1)) {") }, BATCH, /without writing/],
  // Frozen between invocations (runtime/freeze.ts), as on AWS: a write the handler does not wait for may never happen.
  ["does not await its PutObject", { "handler.ts": edit("    await s3.send(new PutObjectCommand(", "    void s3.send(new PutObjectCommand(") }, SUMMARY, /finished without writing reports\/sales\.json/],
];

const right: Array<[string, Variant]> = [
  [
    "one statement with arrays, an explicit Deny on uploads/, a trust policy with lists",
    {
      "role.ts": chain(
        edit(reportsStatement, `${reportsStatement}\n      { Effect: "Deny", Action: ["s3:PutObject"], Resource: [\`arn:aws:s3:::\${input.bucketName}/uploads/*\`] },`),
        edit('{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }', '{ Sid: "Lambda", Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com"] }, Action: ["sts:AssumeRole"] }'),
      ),
    },
  ],
  ["every created event named one by one", { "notification.ts": edit('Events: ["s3:ObjectCreated:*"]', 'Events: ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload"]') }],
  [
    "URLSearchParams decoding and a line count by hand",
    {
      "handler.ts": chain(
        edit('const decodeKey = (key: string) => decodeURIComponent(key.replace(/\\+/g, " "));', 'const decodeKey = (key: string) => new URLSearchParams(`k=${key}`).get("k") ?? "";'),
        edit('const lines = text.split(/\\r?\\n/).filter((line) => line.trim() !== "");', 'const lines: string[] = [];\n  for (const raw of text.split("\\n")) if (raw.replace(/\\r$/, "").trim()) lines.push(raw.replace(/\\r$/, ""));'),
      ),
    },
  ],
];

describe.skipIf(skip)("lab 02 grader mutants", () => {
  for (const [what, variant, check, message] of wrong) {
    it(`wrong: ${what} → fails "${check}"`, async () => {
      // Every check up to the named one runs (so "no earlier check fails" still holds); nothing after it is needed.
      const report = await gradeVariant(session, "02", variant, { stopAtFirstFailure: true, stopAfter: check });
      if (process.env.MUTANT_TIMES) console.log(what, report.checks.map((c) => `${c.name.slice(0, 20)} ${c.status} ${c.durationMs}`));
      expectFailsAt(report, check, message);
    }, 60_000);
  }
  for (const [what, variant] of right) {
    it(`right: ${what} → passes`, async () => expectPasses(await gradeVariant(session, "02", variant)), 60_000);
  }
  it("a handler that throws on every record fails on its logged error, naming it", async () => {
    const report = await gradeVariant(session, "02", { "handler.ts": edit("    const bucket = record.s3.bucket.name;", '    throw new TypeError("boom: cannot parse " + record.s3.object.key);\n    const bucket = record.s3.bucket.name;') }, { stopAfter: KEYS });
    expectFailsAt(report, SUMMARY, /TypeError: boom: cannot parse uploads\/sales\.csv at handler/);
    const later = report.checks.find((c) => c.name === KEYS)!;
    expect(later.message).toMatch(/probably the same cause as "a CSV upload is summarised in reports\/"/);
  }, 60_000);
});
