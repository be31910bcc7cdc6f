/**
 * Lab 03's grader tells a naive pipeline from a correct one: the reference
 * handler with the two lessons left out — no guard for keys outside uploads/
 * and an unconditional PutItem — passes the thumbnail, metadata, SNS, filter
 * and loop checks (it does all of that right) but fails exactly the
 * duplicate check (the item is overwritten) and the trap round (with IAM
 * enforced, the function fails on its own thumbnail instead of skipping it),
 * each with a message that says why. On a local cloud, through the real SDK.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTestCloud } from "../helpers/cloud.js";
import { explainSkip, kitSession, probeFeatures } from "./helpers.js";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { repoRoot } from "../../src/kit/paths.js";

const cloud = await startTestCloud();
const session = kitSession(cloud.endpoint);
const features = await probeFeatures(session.clients);
const skip = explainSkip("lab 03's grader mutants", features, ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"]);
// Under the repo so the handler's `sharp` import resolves from node_modules, as for a learner's file.
const dir = fs.mkdtempSync(path.join(repoRoot, "node_modules", ".cache", "lab03-mutant-"));
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  session.close();
  await cloud.close();
});

describe.skipIf(skip)("lab 03 grader on a naive handler", () => {
  it("fails the duplicate check and the trap round, and only those", async () => {
    const entry = findLab("03");
    for (const f of ["policy.ts", "notification.ts"]) fs.copyFileSync(path.join(entry.solutionDir, f), path.join(dir, f));
    let handler = fs.readFileSync(path.join(entry.solutionDir, "handler.ts"), "utf8");
    const guard = 'if (!key.startsWith("uploads/")) {';
    const condition = /\s*ConditionExpression: [^\n]*\n\s*ExpressionAttributeNames: [^\n]*\n\s*ExpressionAttributeValues: [^\n]*\n/;
    expect(handler).toContain(guard);
    expect(handler).toMatch(condition);
    handler = handler.replace(guard, "if (key.length === 0) {").replace(condition, "\n");
    fs.writeFileSync(path.join(dir, "handler.ts"), handler);

    const lab = await loadLab(entry);
    const report = await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: dir, source: "learner", participant: "mutant" });
    const failing = report.checks.filter((c) => c.status !== "pass");
    expect(failing.map((c) => c.name)).toEqual(["a duplicate or older event changes nothing: one item, one SNS message", "trap round: with the trigger widened to the whole bucket, your handler's guard stops the loop"]);
    expect(failing.every((c) => c.status === "fail" && !c.blockedBy)).toBe(true);
    expect(failing[0]!.message).toMatch(/overwritten by a duplicate or older event/);
    expect(failing[1]!.message).toMatch(/failed on its own thumbnail.*(AccessDenied|not authorized)/s);
    expect(report.cleanup).toMatchObject({ status: "pass", failed: 0 });
  }, 120_000);
});
