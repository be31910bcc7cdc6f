/**
 * Graded progress, kept locally (.s3-event-labs/progress.json) so `npm start`
 * and `npm run progress` can mark passed labs. Only grades of the learner's
 * own code count; a run with --solution never marks a lab passed. Every
 * learner grade — from `npm run grade`, the menu or --watch — also stores its
 * full report as last-grade-NN.json, which `npm run hint` reads. A lab whose
 * grade passed with skipped checks is passed (types.ts has the rule); the
 * skips are kept beside the count so the progress list can say so.
 */
import { readJson, statePath, writeFileAtomic } from "./paths.js";
import type { GradeReport } from "./grader/types.js";

export interface LabProgress {
  passed: boolean;
  /** Ever passed (a later failing grade does not take it away). */
  everPassed: boolean;
  lastGradedAt: string;
  target: string;
  passedChecks: number;
  /** Skipped in the latest grade: not verified on that target, neither passed nor failed (absent before skips existed). */
  skippedChecks?: number;
  totalChecks: number;
}

type ProgressFile = { version: 1; labs: Record<string, LabProgress> };

const file = () => statePath("progress.json");
const lastGradeFile = (labId: string) => statePath(`last-grade-${labId}.json`);

export function readProgress(): Record<string, LabProgress> {
  return readJson<ProgressFile>(file(), { version: 1, labs: {} }).labs ?? {};
}

/** The latest grade of the learner's files for a lab, however it was run. */
export function lastGrade(labId: string): GradeReport | undefined {
  return readJson<GradeReport | undefined>(lastGradeFile(labId), undefined);
}

export function recordGrade(report: GradeReport): void {
  if (report.source !== "learner") return;
  writeFileAtomic(lastGradeFile(report.lab.id), JSON.stringify(report, null, 2) + "\n");
  const labs = readProgress();
  const before = labs[report.lab.id];
  labs[report.lab.id] = {
    passed: report.passed,
    everPassed: report.passed || (before?.everPassed ?? false),
    lastGradedAt: report.startedAt,
    target: report.target.id,
    passedChecks: report.summary.passed,
    skippedChecks: report.summary.skipped ?? report.checks.filter((c) => c.status === "skip").length,
    totalChecks: report.summary.total,
  };
  writeFileAtomic(file(), JSON.stringify({ version: 1, labs }, null, 2) + "\n");
}
