/**
 * A grade as a Classroom 50 result file (`classroom50/result/v1`, the
 * `result.json` contract of foundation50/classroom50's autograders), so a
 * course that moved there from GitHub Classroom can collect our grades:
 * one test per check, 1 point each, score = checks passed. A skipped check
 * (it could not be verified on this target, types.ts) is a test with
 * passed false, score 0 and max-score 0 and `skipped: true` (Classroom 50
 * keeps extra fields): it neither scores nor costs a point.
 *
 * The identity fields come from the Classroom 50 runner's environment when
 * the grade runs inside it (CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, OWNER or
 * USERNAME, COMMIT_URL, RELEASE_URL, REVIEW_URL); outside it (a laptop, the
 * class server's export) they are filled from what we know — the class, the
 * lab, the participant and the grade's namespace — so the file still
 * validates (every field a non-empty string). `datetime` is when the graded
 * work was submitted: the grade's start; `graded_at` when it finished.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { GradeReport } from "./types.js";

export interface Classroom50Test {
  "test-name": string;
  passed: boolean;
  score: number;
  "max-score": number;
  /** Extra diagnostic fields are preserved by Classroom 50. */
  message?: string;
  hint?: string;
  /** The check was skipped (not verified here); `message` says why. */
  skipped?: true;
}

export interface Classroom50Result {
  schema: "classroom50/result/v1";
  classroom: string;
  assignment: string;
  assignment_type: "individual";
  owner: string;
  submission: string;
  commit: string;
  release: string;
  review: string;
  datetime: string;
  graded_at: string;
  score: number;
  "max-score": number;
  tests: Classroom50Test[];
}

export interface Classroom50Identity {
  classroom?: string;
  owner?: string;
}

/** UTC ISO 8601 to the second, as Classroom 50 writes it. */
const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export function toClassroom50(report: GradeReport, identity: Classroom50Identity = {}, env: NodeJS.ProcessEnv = process.env): Classroom50Result {
  const tests: Classroom50Test[] = report.checks.map((c) => ({
    "test-name": c.name,
    passed: c.status === "pass",
    score: c.status === "pass" ? 1 : 0,
    "max-score": c.status === "skip" ? 0 : 1,
    ...(c.status === "skip" ? { skipped: true as const } : {}),
    ...(c.status !== "pass" && c.message ? { message: c.message } : {}),
    ...(c.status !== "pass" && c.hint ? { hint: c.hint } : {}),
  }));
  const started = Date.parse(report.startedAt);
  const local = `s3-event-labs:${report.namespace}`;
  const commit = env.COMMIT_URL || local;
  return {
    schema: "classroom50/result/v1",
    classroom: env.CLASSROOM || identity.classroom || "s3-event-labs",
    assignment: env.ASSIGNMENT || `lab-${report.lab.id}-${report.lab.slug}`,
    assignment_type: "individual",
    owner: env.OWNER || env.USERNAME || identity.owner || report.namespace.split("-")[1] || "learner",
    submission: env.SUBMISSION_TAG || local,
    commit,
    release: env.RELEASE_URL || local,
    review: env.REVIEW_URL || commit,
    datetime: utc(started),
    graded_at: utc(started + report.durationMs),
    score: tests.reduce((n, t) => n + t.score, 0),
    "max-score": tests.reduce((n, t) => n + t["max-score"], 0),
    tests,
  };
}

/** The checks a consumer of result/v1 relies on; returns the problems (empty when valid). */
export function classroom50Problems(r: unknown): string[] {
  const problems: string[] = [];
  const o = r as Record<string, unknown>;
  if (!o || typeof o !== "object") return ["not an object"];
  if (o.schema !== "classroom50/result/v1") problems.push("schema is not classroom50/result/v1");
  for (const f of ["classroom", "assignment", "owner", "submission", "commit", "release", "review", "datetime"]) {
    if (typeof o[f] !== "string" || !(o[f] as string)) problems.push(`${f} must be a non-empty string`);
  }
  if (typeof o.datetime === "string" && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(o.datetime)) problems.push("datetime must be UTC ISO 8601 (…Z)");
  const tests = o.tests as Classroom50Test[];
  if (!Array.isArray(tests)) return [...problems, "tests must be an array"];
  if (!Number.isInteger(o.score) || !Number.isInteger(o["max-score"])) problems.push("score and max-score must be integers");
  if (tests.reduce((n, t) => n + t.score, 0) !== o.score) problems.push("score is not the sum of the tests' scores");
  if (tests.reduce((n, t) => n + t["max-score"], 0) !== o["max-score"]) problems.push("max-score is not the sum of the tests' max-scores");
  for (const t of tests) if (typeof t["test-name"] !== "string" || typeof t.passed !== "boolean") problems.push("every test needs test-name and passed");
  for (const t of tests) if (!Number.isInteger(t.score) || !Number.isInteger(t["max-score"]) || t.score < 0 || t.score > t["max-score"]) problems.push(`test ${JSON.stringify(t["test-name"])}: score must be an integer from 0 to its max-score`);
  return problems;
}

export function writeClassroom50(report: GradeReport, file: string, identity?: Classroom50Identity): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(toClassroom50(report, identity), null, 2) + "\n");
}
