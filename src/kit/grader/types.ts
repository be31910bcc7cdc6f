/**
 * The grader's vocabulary (issue 6, item 6). A lab's grade.ts exports a
 * LabGrader: `setup` provisions the learner's own infrastructure code in a
 * fresh namespace, then named checks run in order, each with a hint shown
 * when it fails; cleanup always runs afterwards (harness.ts).
 *
 * Statuses: "pass"; "fail" — the learner's work is not right yet (a check
 * threw CheckFailed, learner code threw, or a check it needs did not pass:
 * then `blockedBy` names that check); "error" — the grader itself could not
 * run the check (the cloud was unreachable, an unexpected exception);
 * "skip" — the check could not be verified on this target and says why (a
 * check threw CheckSkipped, or a check it needs was skipped: `blockedBy`),
 * e.g. lab 05's email checks on AWS when nobody confirms the subscription
 * from the inbox the grader cannot read.
 *
 * The rule (a grader is a promise: green means right): a skipped check never
 * counts as passed — summary.passed excludes it and it is never shown green —
 * but it does not fail the grade either. `passed` is true when setup passed,
 * no check failed or errored, and at least one check passed (a grade that
 * verified nothing is not a pass). Only grader code may skip: CheckSkipped
 * thrown by learner code (through callLearner or importCode) is a failure.
 */
import type { KitContext } from "../context.js";

export type CheckStatus = "pass" | "fail" | "error" | "skip";

export class CheckFailed extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "CheckFailed";
  }
}

/** Thrown by a check that cannot be verified here; `reason` says what was not checked and how to check it. */
export class CheckSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "CheckSkipped";
  }
}

export interface GradeContext extends KitContext {
  /** Folder the graded code comes from: labs/NN-… (the learner's) or solutions/NN-…. */
  sourceDir: string;
  source: "learner" | "solution";
  /** --verbose: failures quote the function's full log text instead of a one-line summary. */
  verbose: boolean;
  /** The name of the check that is running ("" during setup), for "probably the same cause as …". */
  currentCheck: string;
  /** Import one of the graded files (e.g. "queue-policy.ts"); a load error is a CheckFailed. */
  importCode<T = Record<string, unknown>>(file: string): Promise<T>;
  /** Call learner code; anything it throws becomes a CheckFailed that says so. */
  callLearner<T>(what: string, fn: () => T | Promise<T>): Promise<T>;
}

export interface Check<S> {
  name: string;
  /**
   * Shown when the check fails, unless the failure carries a more precise hint.
   * A lab's checks leave it out: level 1 of the check's entry in its
   * hints.json is set here by loadLab (labs.ts), so the hint is data, written once.
   */
  hint?: string;
  /** Names of earlier checks that must pass first; otherwise this one fails as blocked (or is skipped, if they were). */
  needs?: string[];
  /** Throw CheckFailed on a wrong result, CheckSkipped when it cannot be verified here; return an optional one-line detail on success. */
  run(ctx: GradeContext, state: S): Promise<string | void>;
}

export interface LabGrader<S> {
  /** Load the graded code and provision what does not depend on it being right. */
  setup(ctx: GradeContext): Promise<S>;
  checks: Array<Check<S>>;
  /** Optional extra teardown before the ledger cleanup (e.g. close pollers). */
  teardown?(ctx: GradeContext, state: S | undefined): Promise<void>;
}

export interface CheckResult {
  name: string;
  status: CheckStatus;
  durationMs: number;
  /** Success detail, the failure message, or why it was skipped. */
  message?: string;
  hint?: string;
  blockedBy?: string;
  /** A failing check on a local cloud: the console's trace of the last object it uploaded. */
  traceUrl?: string;
}

export interface PhaseResult {
  status: CheckStatus;
  durationMs: number;
  message?: string;
}

/** Results JSON, schema "s3-event-labs/grade-result@1" (documented in docs/kit.md). */
export interface GradeReport {
  schema: "s3-event-labs/grade-result@1";
  lab: { id: string; slug: string; title: string };
  source: "learner" | "solution";
  sourceDir: string;
  target: { kind: string; id: string; region: string; account: string; endpoint?: string };
  namespace: string;
  startedAt: string;
  durationMs: number;
  passed: boolean;
  /** Present when the grade was stopped (Ctrl-C, or --watch cancelling it for a newer save). */
  interrupted?: true;
  /** `skipped` is always written since skips exist; reports of earlier kits lack it (read it as 0). */
  summary: { total: number; passed: number; failed: number; errored: number; skipped?: number };
  setup: PhaseResult;
  checks: CheckResult[];
  /** Type errors in the graded files (one line each); they do not change the grade. */
  warnings?: string[];
  cleanup: PhaseResult & { kept: boolean; deleted: number; failed: number };
}

export function defineGrader<S>(grader: LabGrader<S>): LabGrader<S> {
  return grader;
}
