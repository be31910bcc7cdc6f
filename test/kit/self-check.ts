/**
 * The self-check (rustlings' "unsolved fails, solved passes"), on a local
 * cloud started here, through the real SDK clients:
 * - every lab's grader passes on its reference solution;
 * - every untouched starter fails, with the expected checks failing and the
 *   expected hints;
 * - the grader cleans up after itself: the ledger is empty and the cloud holds
 *   none of the grader's resources;
 * - solutions/ mirrors each lab's learner files path for path.
 * Labs whose cloud services have not landed are skipped with a printed reason.
 * The labs are split over two test files (labs-self-check*.test.ts) so that
 * the parallel workers share them; each file starts its own cloud.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { startTestCloud } from "../helpers/cloud.js";
import { listLabs, loadLab } from "../../src/kit/labs.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { repoRoot } from "../../src/kit/paths.js";
import { blobId, materializeStarters, readManifest } from "../../src/kit/starters.js";
import { readHints } from "../../src/kit/hints.js";
import { explainSkip, kitSession, probeFeatures } from "./helpers.js";

/** Define the self-check of the labs `which` selects, on a cloud of its own. */
export async function defineSelfCheck(which: (labId: string) => boolean): Promise<void> {
  const cloud = await startTestCloud();
  const session = kitSession(cloud.endpoint);
  const features = await probeFeatures(session.clients);
  // The starters as shipped (labs/starters.json → git), not the working copy a learner may have solved:
  // written inside the repository so their imports resolve against its node_modules.
  const shippedRoot = fs.mkdtempSync(path.join(repoRoot, ".s3-event-labs-tmp-selfcheck-"));
  afterAll(async () => {
    session.close();
    await cloud.close();
    fs.rmSync(shippedRoot, { recursive: true, force: true });
  });
  const hasTodo = (file: string) => /\/\/\s*TODO/.test(fs.readFileSync(file, "utf8"));

  const labs = listLabs().filter((l) => which(l.id));

  describe("lab layout", () => {
    it(`finds the labs (${labs.map((l) => l.id).join(", ")})`, () => {
      expect(labs.length).toBeGreaterThan(0);
    });
    for (const entry of labs) {
      it(`lab ${entry.folder}: solutions mirror the learner files, shipped starters carry TODOs, solutions none`, async () => {
        const lab = await loadLab(entry);
        expect(lab.id).toBe(entry.id);
        expect(lab.learnerFiles.length).toBeGreaterThan(0);
        const manifest = readManifest();
        const dir = path.join(shippedRoot, entry.folder);
        materializeStarters(entry.folder, lab.learnerFiles, dir);
        for (const file of lab.learnerFiles) {
          expect(manifest[`${entry.folder}/${file}`], `labs/starters.json lists ${entry.folder}/${file} (npx tsx scripts/update-starters.ts)`).toBeTruthy();
          expect(blobId(fs.readFileSync(path.join(dir, file)))).toBe(manifest[`${entry.folder}/${file}`]);
          expect(fs.existsSync(path.join(entry.solutionDir, file)), `solutions/${entry.folder}/${file}`).toBe(true);
          expect(hasTodo(path.join(dir, file)), `${file} has a // TODO`).toBe(true);
          expect(hasTodo(path.join(entry.solutionDir, file)), `solution ${file} has no // TODO`).toBe(false);
        }
        expect(fs.existsSync(path.join(entry.dir, "README.md"))).toBe(true);
        expect(lab.grader.checks.every((c) => (c.hint ?? "").length > 20)).toBe(true);
        // Hints in levels: one entry per check (by its stable name), 1–3 levels, level 1 is what the checklist shows.
        const levels = readHints(entry);
        expect(Object.keys(levels).sort()).toEqual(lab.grader.checks.map((c) => c.name).sort());
        for (const c of lab.grader.checks) {
          expect(levels[c.name]!.length, c.name).toBeGreaterThanOrEqual(1);
          expect(levels[c.name]!.length, c.name).toBeLessThanOrEqual(3);
          expect(c.hint).toBe(levels[c.name]![0]);
        }
      });
    }
  });

  /** What each untouched starter must fail on, and words its (level-1, hints.json) hints must contain. */
  const STARTER_EXPECTATIONS: Record<string, { failing: string[]; hintIncludes: Record<string, string> }> = {
    "01": {
      failing: ["queue policy lets S3 send, only from this bucket and account"],
      hintIncludes: { "queue policy lets S3 send, only from this bucket and account": "principal" },
    },
    "02": {
      failing: ["execution role: Lambda may assume it; read uploads/, write reports/ only"],
      hintIncludes: { "execution role: Lambda may assume it; read uploads/, write reports/ only": "trust policy" },
    },
    "03": {
      failing: ["execution role: Lambda may assume it; least privilege (no wildcards beyond logs)"],
      hintIncludes: { "execution role: Lambda may assume it; least privilege (no wildcards beyond logs)": "Least privilege" },
    },
    "04": {
      failing: ["schema: one row per file and row_number — a repeated insert is refused", "queue: the visibility timeout covers window + function timeout; failed messages go to the DLQ"],
      hintIncludes: {
        "schema: one row per file and row_number — a repeated insert is refused": "at least once",
        "queue: the visibility timeout covers window + function timeout; failed messages go to the DLQ": "visibility timeout",
      },
    },
    "05": {
      failing: ["topic policy lets S3 publish, only for this bucket and account", "audit queue policy lets only this topic send"],
      hintIncludes: { "topic policy lets S3 publish, only for this bucket and account": "access policy", "audit queue policy lets only this topic send": "service principal" },
    },
    "06": {
      failing: ["the bucket sends every event to EventBridge", "image pattern: new PNG/JPEG of at least 2 KiB under uploads/, not the workflow's outputs", "EventBridge's role: assumed by EventBridge, may start this workflow only"],
      hintIncludes: {
        "the bucket sends every event to EventBridge": "default event bus",
        "image pattern: new PNG/JPEG of at least 2 KiB under uploads/, not the workflow's outputs": "own outputs",
        "EventBridge's role: assumed by EventBridge, may start this workflow only": "role",
      },
    },
    "07": {
      failing: ["async invocation: one retry at least, a maximum event age, failures to the failure queue", "two alarms notify the ops topic: the function's Errors and the failure queue's depth", "200 orders, 20 % delivered twice and out of order: every balance is exact"],
      hintIncludes: {
        "async invocation: one retry at least, a maximum event age, failures to the failure queue": "asynchronously",
        "two alarms notify the ops topic: the function's Errors and the failure queue's depth": "SNS topic",
        "200 orders, 20 % delivered twice and out of order: every balance is exact": "idempotency",
      },
    },
  };

  const NEEDS: Record<string, Array<keyof typeof features>> = {
    "01": ["s3", "sqs", "notifications"],
    "02": ["s3", "iam", "lambda", "logs", "notifications"],
    "03": ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"],
    "04": ["s3", "sqs", "iam", "lambda", "logs", "notifications"],
    "05": ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"],
    "06": ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "events", "stepfunctions", "archives"],
    "07": ["s3", "sqs", "sns", "dynamodb", "iam", "lambda", "logs", "notifications"],
  };

  /** Per-lab time limits: lab 03 packages sharp and processes a 6000×4000 image (its target is ≤ 45 s); lab 04 waits out a poison file's retries. */
  const TIMEOUT_MS: Record<string, number> = { "03": 120_000, "04": 120_000, "06": 90_000, "07": 120_000 };

  for (const entry of labs) {
    const skip = explainSkip(`the self-check of lab ${entry.id}`, features, NEEDS[entry.id] ?? ["s3", "sqs", "iam", "lambda"]);
    describe.skipIf(skip)(`lab ${entry.folder} self-check`, () => {
      it("the reference solution passes every check, and the grader leaves nothing behind", async () => {
        const lab = await loadLab(entry);
        const report = await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: entry.solutionDir, source: "solution", participant: "selfcheck" });
        const failing = report.checks.filter((c) => c.status !== "pass").map((c) => `${c.name}: ${c.status} ${c.message ?? ""}`);
        expect(failing, JSON.stringify(report.setup)).toEqual([]);
        expect(report.setup.status).toBe("pass");
        expect(report.passed).toBe(true);
        expect(report.cleanup).toMatchObject({ status: "pass", kept: false, failed: 0 });
        expect(session.ledger.list({ namespace: report.namespace })).toEqual([]);
        // Nothing of the grader's namespace is left in the cloud.
        const buckets = (await session.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
        expect(buckets.map((b) => b.Name).filter((n) => n?.startsWith(report.namespace))).toEqual([]);
        if (features.sqs) {
          const queues = (await session.clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: report.namespace }))).QueueUrls ?? [];
          expect(queues).toEqual([]);
        }
        if (features.lambda) {
          const fns = (await session.clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? [];
          expect(fns.map((f) => f.FunctionName).filter((n) => n?.startsWith(report.namespace))).toEqual([]);
        }
        if (features.iam) {
          const roles = (await session.clients.iam.send(new ListRolesCommand({}))).Roles ?? [];
          expect(roles.map((r) => r.RoleName).filter((n) => n?.startsWith(report.namespace))).toEqual([]);
        }
      }, TIMEOUT_MS[entry.id] ?? 60_000);

      it("the starter as shipped fails with the expected hints", async () => {
        const lab = await loadLab(entry);
        const dir = path.join(shippedRoot, `${entry.folder}-graded`);
        materializeStarters(entry.folder, lab.learnerFiles, dir);
        const report = await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: dir, source: "learner", participant: "selfcheck" });
        expect(report.passed).toBe(false);
        expect(report.checks.filter((c) => c.status === "error"), "no check may error: a starter must fail cleanly").toEqual([]);
        const expected = STARTER_EXPECTATIONS[entry.id];
        expect(expected, `add starter expectations for lab ${entry.id}`).toBeDefined();
        for (const name of expected!.failing) {
          const check = report.checks.find((c) => c.name === name);
          expect(check?.status, name).toBe("fail");
          expect(check?.blockedBy).toBeUndefined();
          expect(check?.hint).toContain(expected!.hintIncludes[name]);
        }
        // Every failing check carries a hint (blocked ones name what blocks them).
        for (const c of report.checks.filter((x) => x.status === "fail")) expect(c.hint ?? c.blockedBy).toBeTruthy();
        expect(report.cleanup.status).toBe("pass");
        expect(session.ledger.list({ namespace: report.namespace })).toEqual([]);
      }, TIMEOUT_MS[entry.id] ?? 60_000);
    });
  }
}
