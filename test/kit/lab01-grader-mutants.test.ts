/**
 * Lab 01's grader against realistic submissions (issue 13, item 7): each
 * wrong one must fail the check about its mistake — first, on its own, not
 * blocked — and each correct alternative must pass. Graded for real (the
 * harness, the SDK, this file's local cloud), one variant at a time.
 */
import { describe, expect, it } from "vitest";
import { chain, edit, expectFailsAt, expectPasses, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip } = await mutantsSession("lab 01's grader mutants", ["s3", "sqs", "notifications"]);

const POLICY = "queue policy lets S3 send, only from this bucket and account";
const NOTIFICATION = "notification configuration sends created and removed events to the queue";
const TEST_EVENT = "S3's test event arrives and your reader skips it";
const KEYS = "your reader decodes keys with spaces, +, = and unicode";
const LIFECYCLE = "your reader tells created from removed (copy, multipart, delete)";
const BATCH = "your reader returns every record of a message, with its sequencer";

const statementEnd = "        },\n      },\n    ],";
const wrong: Array<[string, Variant, string, RegExp]> = [
  ["an extra wide-open statement beside the right one", { "queue-policy.ts": edit(statementEnd, `        },\n      },\n      { Sid: "Debug", Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: input.queueArn },\n    ],`) }, POLICY, /by its statement "Debug"/],
  ["no aws:SourceAccount condition", { "queue-policy.ts": edit(/\n\s*StringEquals: \{ "aws:SourceAccount": input\.accountId \},/, "") }, POLICY, /111122223333/],
  ["a wildcard bucket in aws:SourceArn", { "queue-policy.ts": edit("`arn:aws:s3:::${input.bucketName}`", '"arn:aws:s3:::*"') }, POLICY, /someone-elses/],
  ["Principal AWS * instead of the S3 service", { "queue-policy.ts": edit('Principal: { Service: "s3.amazonaws.com" }', 'Principal: { AWS: "*" }') }, POLICY, /must not: only S3 sends here/],
  ["created events only", { "notification.ts": edit('Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]', 'Events: ["s3:ObjectCreated:*"]') }, NOTIFICATION, /object-removed/],
  ["Put instead of every created event", { "notification.ts": edit('"s3:ObjectCreated:*"', '"s3:ObjectCreated:Put"') }, NOTIFICATION, /object-created/],
  ["reads Records of the test event", { "event-reader.ts": edit('if (message.Event === "s3:TestEvent" || !Array.isArray(message.Records)) return [];', "") }, TEST_EVENT, /threw|returned/],
  ["replaces only the first +", { "event-reader.ts": edit('key.replace(/\\+/g, " ")', 'key.replace("+", " ")') }, KEYS, /key: expected/],
  ["decodes before replacing +", { "event-reader.ts": edit('decodeURIComponent(key.replace(/\\+/g, " "))', 'decodeURIComponent(key).replace(/\\+/g, " ")') }, KEYS, /1\+1=2/],
  ["no decoding at all", { "event-reader.ts": edit('return decodeURIComponent(key.replace(/\\+/g, " "));', "return key;") }, KEYS, /key: expected/],
  ["decodeURI instead of decodeURIComponent", { "event-reader.ts": edit("decodeURIComponent(", "decodeURI(") }, KEYS, /key: expected/],
  ["created means Put only", { "event-reader.ts": edit('if (eventName.startsWith("ObjectCreated:")) return "created";', 'if (eventName === "ObjectCreated:Put") return "created";') }, LIFECYCLE, /change: expected "created"/],
  ["removed means Delete only", { "event-reader.ts": edit('if (eventName.startsWith("ObjectRemoved:")) return "removed";', 'if (eventName === "ObjectRemoved:Delete") return "removed";') }, LIFECYCLE, /DeleteMarkerCreated/],
  ["only the first record", { "event-reader.ts": edit("return message.Records.map(", "return message.Records.slice(0, 1).map(") }, BATCH, /record\(s\)/],
  ["the sequencer as a number", { "event-reader.ts": edit("sequencer: record.s3.object.sequencer,", "sequencer: record.s3.object.sequencer === undefined ? undefined : (parseInt(record.s3.object.sequencer, 16) as unknown as string),") }, BATCH, /sequencer: expected/],
];

const right: Array<[string, Variant]> = [
  [
    "the S3 user guide's form: arn:aws:s3:*:*:<bucket>, arrays, two condition operators",
    { "queue-policy.ts": edit("`arn:aws:s3:::${input.bucketName}`", "[`arn:aws:s3:*:*:${input.bucketName}`]") },
  ],
  [
    "every event named one by one, aws:SourceArn under StringEquals",
    {
      "notification.ts": edit('Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]', 'Events: ["s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated"]'),
      "queue-policy.ts": chain(
        edit("ArnLike: { \"aws:SourceArn\": `arn:aws:s3:::${input.bucketName}` },", ""),
        edit('StringEquals: { "aws:SourceAccount": input.accountId },', 'StringEquals: { "aws:SourceAccount": input.accountId, "aws:SourceArn": `arn:aws:s3:::${input.bucketName}` },'),
      ),
    },
  ],
  [
    "URLSearchParams decoding and a prefix split for the change",
    {
      "event-reader.ts": chain(
        edit('return decodeURIComponent(key.replace(/\\+/g, " "));', 'return new URLSearchParams(`k=${key}`).get("k") ?? "";'),
        edit('if (eventName.startsWith("ObjectCreated:")) return "created";', 'const family = eventName.split(":")[0];\n  if (family === "ObjectCreated") return "created";'),
      ),
    },
  ],
];

describe.skipIf(skip)("lab 01 grader mutants", () => {
  it("type errors are warnings: a type error in a correct reader does not change the grade", async () => {
    const report = await gradeVariant(session, "01", { "event-reader.ts": edit("export function readS3Message(body: string): ObjectChange[] {", 'const unused: number = "not a number";\nexport function readS3Message(body: string): ObjectChange[] {') }, { typecheckWaitMs: 60_000 });
    expectPasses(report);
    expect(report.warnings?.join("\n")).toMatch(/type error .*event-reader\.ts:\d+:\d+ TS2322/);
  }, 60_000);

  for (const [what, variant, check, message] of wrong) {
    it(`wrong: ${what} → fails "${check}"`, async () => expectFailsAt(await gradeVariant(session, "01", variant), check, message), 60_000);
  }
  for (const [what, variant] of right) {
    it(`right: ${what} → passes`, async () => expectPasses(await gradeVariant(session, "01", variant)), 60_000);
  }
});
