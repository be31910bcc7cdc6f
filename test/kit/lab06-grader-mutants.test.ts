/**
 * Lab 06's grader against the five mistakes issue 17 names: each must fail
 * the check about it — first, on its own, not blocked. Graded for real on
 * this file's local cloud (the harness, the SDK, EventBridge routing to Step
 * Functions, Lambda and SNS); each grade runs only the check in question and
 * the checks it needs, and stops at its first failure (cleanup still runs),
 * so the file stays quick. The correct alternatives
 * and the untouched starter are the self-check's business.
 */
import { describe, expect, it } from "vitest";
import { chain, edit, expectFailsAt, gradeVariant, mutantsSession, type Variant } from "./mutants.js";

const { session, skip } = await mutantsSession("lab 06's grader mutants", ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "events"]);
// Step Functions and archives/replays came in a later wave: the mutants that need them say so when skipped.
const { skip: noWorkflow } = await import("./helpers.js").then(async (h) => ({ skip: h.explainSkip("lab 06's workflow mutants", await h.probeFeatures(session.clients), ["stepfunctions"]) }));
const { skip: noReplay } = await import("./helpers.js").then(async (h) => ({ skip: h.explainSkip("lab 06's replay mutant", await h.probeFeatures(session.clients), ["stepfunctions", "archives"]) }));

const IMAGE_PATTERN = "image pattern: new PNG/JPEG of at least 2 KiB under uploads/, not the workflow's outputs";
const CSV_PATTERN = "CSV pattern: new .csv files under imports/ (prefix and suffix together)";
const IMAGE_TARGET = "the image rule's target: the workflow, started with EventBridge's role";
const PERMANENT = "a broken image is not retried: the Catch path notifies the failure and the execution fails";
const REPLAY = "a replay re-delivers the CSV events (replay-name) to the CSV rule only; the totals do not change";

const imageKeys = 'key: [{ wildcard: "uploads/*.png" }, { wildcard: "uploads/*.jpg" }, { wildcard: "uploads/*.jpeg" }],';

// Each grade runs only the check the mutant must fail and the checks it needs, and stops at the first failure.
const wrong: Array<[string, Variant, string, RegExp, boolean]> = [
  ["an image pattern on the suffix alone (it also matches the workflow's outputs)", { "patterns.ts": edit(imageKeys, 'key: [{ suffix: ".png" }, { suffix: ".jpg" }, { suffix: ".jpeg" }],') }, IMAGE_PATTERN, /matches Object Created processed\/photos\/beach\.png/, false],
  ["prefix OR suffix on the CSV key", { "patterns.ts": edit('object: { key: [{ wildcard: "imports/*.csv" }] },', 'object: { key: [{ prefix: "imports/" }, { suffix: ".csv" }] },') }, CSV_PATTERN, /matches Object Created (other\/data\.csv|imports\/readme\.txt)/, false],
  ["no RoleArn on the Step Functions target", { "targets.ts": edit("Arn: input.stateMachineArn, RoleArn: input.roleArn }", "Arn: input.stateMachineArn }") }, IMAGE_TARGET, /no RoleArn/, !!noWorkflow],
  ["a Retry on States.ALL", { "workflow.ts": edit('Retry: [{ ErrorEquals: ["ThumbnailServiceBusy"],', 'Retry: [{ ErrorEquals: ["States.ALL"],') }, PERMANENT, /UnsupportedImage was retried 3 time/, !!noWorkflow],
  [
    "a consumer that counts every delivery (replays double the totals)",
    { "consumer.ts": chain(edit('ADD #files :one, #rows :rows, #seen :upload",', 'ADD #files :one, #rows :rows",'), edit(/\n\s*ConditionExpression: [^\n]*\n/, "\n"), edit(', "#seen": "seen"', ""), edit(', ":upload": { SS: [uploadId] }, ":uploadId": { S: uploadId }', "")) },
    REPLAY,
    /counted replayed events again/,
    !!noReplay,
  ],
];

const EVENTS_ROLE = "EventBridge's role: assumed by EventBridge, may start this workflow only";
const CSV_PERMISSION = "the import function's permission: only the CSV rule may invoke it";
const TOPIC_POLICY = "the deletions topic's policy: only the deletion rule may publish";

// Equivalent forms pass: patterns and policies are judged by what they decide, not how they are written.
const alternative: Variant = {
  "patterns.ts": chain(edit('size: [{ numeric: [">=", input.minImageBytes] }],', 'size: [{ numeric: [">", input.minImageBytes - 1] }],'), edit('object: { key: [{ "anything-but": { prefix: "processed/" } }] },', '$or: [{ object: { key: [{ prefix: "uploads/" }] } }, { object: { key: [{ "anything-but": { prefix: "processed/" } }] } }],')),
  "permissions.ts": chain(
    edit('Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }', 'Principal: { Service: ["events.amazonaws.com"] }, Action: ["sts:AssumeRole"], Condition: { StringEquals: { "aws:SourceAccount": "000000000000" } } }'),
    edit("    SourceArn: input.ruleArn,\n  };", '    SourceArn: input.ruleArn,\n    SourceAccount: "000000000000",\n  };'),
    edit('Condition: { ArnEquals: { "aws:SourceArn": input.ruleArn } },', 'Condition: { ArnLike: { "aws:SourceArn": input.ruleArn }, StringEquals: { "aws:SourceAccount": "000000000000" } },'),
  ),
};

describe.skipIf(skip)("lab 06 grader mutants", () => {
  it("right: numeric > 2047, an $or deletion pattern, conditions on aws:SourceAccount → pass", async () => {
    const report = await gradeVariant(session, "06", alternative, { only: [IMAGE_PATTERN, CSV_PERMISSION, TOPIC_POLICY, EVENTS_ROLE] });
    expect(report.checks.filter((c) => c.status !== "pass").map((c) => `${c.name}: ${c.message}`)).toEqual([]);
  }, 60_000);
  for (const [what, variant, check, message, skipThis] of wrong) {
    it.skipIf(skipThis)(`wrong: ${what} → fails "${check}"`, async () => expectFailsAt(await gradeVariant(session, "06", variant, { stopAtFirstFailure: true, only: [check] }), check, message), 90_000);
  }
});
