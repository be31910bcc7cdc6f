/**
 * Lab 03's grader on correct alternatives to the reference solution (issue
 * 13, item 7): policies written another way (arrays, wildcards that grant no
 * more, an explicit Deny, one statement per service), every created event
 * named, another padding length, another decoding — each must pass every
 * check. Beside lab03-grader-mutants.test.ts, on a cloud of its own.
 */
import { describe, it } from "vitest";
import { chain, edit, expectPasses, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip } = await mutantsSession("lab 03's grader alternatives", ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"]);

const right: Array<[string, Variant]> = [
  [
    "policies with arrays, an explicit Deny on the trigger, SourceArn arn:aws:s3:*:*:<bucket>",
    {
      "policy.ts": chain(
        edit('{ Sid: "ReadUploads", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*` },', '{ Sid: "ReadUploads", Effect: "Allow", Action: ["s3:GetObject"], Resource: [`arn:aws:s3:::${input.bucketName}/uploads/*`] },\n      { Sid: "NeverWriteTheTrigger", Effect: "Deny", Action: "s3:PutObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*` },'),
        edit('Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole"', 'Principal: { Service: ["lambda.amazonaws.com"] }, Action: ["sts:AssumeRole"]'),
        edit("SourceArn: `arn:aws:s3:::${input.bucketName}`,", "SourceArn: `arn:aws:s3:*:*:${input.bucketName}`,"),
      ),
    },
  ],
  [
    "every created event named, sequencers padded to 40",
    {
      "notification.ts": (text) => text.split('Events: ["s3:ObjectCreated:*"]').join('Events: ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload"]'),
      "handler.ts": edit('sequencer.toUpperCase().padEnd(32, "0")', 'sequencer.toUpperCase().padEnd(40, "0")'),
    },
  ],
  [
    "URLSearchParams decoding and records processed with Promise.allSettled",
    {
      "handler.ts": chain(
        edit('export const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\\+/g, " "));', 'export const decodeKey = (key: string): string => new URLSearchParams(`k=${key}`).get("k") ?? "";'),
        edit(/  for \(const record of records\) \{[\s\S]*?\n  \}\n  if \(failures\.length\)/, '  const results = await Promise.allSettled(records.map((record) => processRecord(record)));\n  results.forEach((r, i) => {\n    if (r.status === "rejected") {\n      console.error(`FAILED ${records[i]!.s3?.object?.key}: ${String(r.reason)}`);\n      failures.push(String(r.reason));\n    }\n  });\n  if (failures.length)'),
      ),
    },
  ],
];

describe.skipIf(skip)("lab 03 grader alternatives", () => {
  for (const [what, variant] of right) {
    it(`right: ${what} → passes`, async () => expectPasses(await gradeVariant(session, "03", variant)), 120_000);
  }
});
