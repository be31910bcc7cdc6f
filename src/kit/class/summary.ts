/**
 * What the dashboard and the exports show, derived from the stored results
 * (never stored itself): participants × labs with status, checks passed,
 * attempts and time spent; per lab, the checks most participants are failing
 * now, with their hint (level 1: the concept, never the answer) — what the
 * instructor should explain to the room.
 *
 * Time spent on a lab: from the start of the participant's first grade of it
 * to the end of their first passing grade (or of their latest grade while it
 * is not passed). Grades are the only signal the class server gets; time
 * spent reading before the first grade is not seen.
 *
 * Guided steps (`npm run lab`, the menu) send where the participant is: the
 * latest step of each lab rides along in its cell (`step`), so a participant
 * who is building but has not graded yet is not shown as idle, and it counts
 * as activity (the cell's and the participant's last activity). It does not
 * change the cell's status, which stays the grade's.
 *
 * A skipped check (not verifiable on the participant's target, e.g. lab 05's
 * email on AWS) is neither passed nor failing: it is counted apart in the
 * cell and never listed among the checks participants are stuck on.
 */
import type { CheckResult } from "../grader/types.js";
import type { ClassStore, StoredResult } from "./store.js";
import { CLASS_SCHEMA, type StepProgress } from "./protocol.js";

export interface LabInfo {
  id: string;
  title: string;
  checks: string[];
  /** Level-1 hint per check (hints.json). */
  hints: Record<string, string>;
}

export type CellStatus = "passed" | "failing" | "not started";

export interface Cell {
  status: CellStatus;
  everPassed: boolean;
  passedChecks: number;
  /** Checks skipped in the latest grade (not verified there; not failing either). */
  skippedChecks: number;
  totalChecks: number;
  attempts: number;
  firstActivity?: string;
  lastActivity?: string;
  timeSpentMs: number;
  latest?: { startedAt: string; durationMs: number; target: string; checks: CheckResult[] };
  /** The latest guided step the participant's kit reported; `afterLatestGrade`: it is newer than the latest grade (or there is none). */
  step?: StepProgress & { afterLatestGrade: boolean };
}

export interface ParticipantView {
  id: string;
  name: string;
  joinedAt: string;
  left: boolean;
  lastActivity?: string;
  labs: Record<string, Cell>;
}

export interface HardCheck {
  check: string;
  failing: number;
  of: number;
  hint?: string;
}

export interface ClassView {
  schema: typeof CLASS_SCHEMA;
  name: string;
  generatedAt: string;
  results: number;
  labs: Array<{ id: string; title: string; checks: number }>;
  participants: ParticipantView[];
  /** Per lab: the checks failing in participants' latest grades, most first. */
  hardest: Record<string, HardCheck[]>;
}

const end = (r: StoredResult) => Date.parse(r.report.startedAt) + r.report.durationMs;

export function cellFor(results: StoredResult[], totalChecks: number): Cell {
  if (results.length === 0) return { status: "not started", everPassed: false, passedChecks: 0, skippedChecks: 0, totalChecks, attempts: 0, timeSpentMs: 0 };
  const sorted = [...results].sort((a, b) => Date.parse(a.report.startedAt) - Date.parse(b.report.startedAt));
  const first = sorted[0]!;
  const latest = sorted[sorted.length - 1]!;
  const firstPass = sorted.find((r) => r.report.passed);
  const until = firstPass ?? latest;
  return {
    status: latest.report.passed ? "passed" : "failing",
    everPassed: Boolean(firstPass),
    passedChecks: latest.report.summary?.passed ?? latest.report.checks.filter((c) => c.status === "pass").length,
    skippedChecks: latest.report.checks.filter((c) => c.status === "skip").length,
    totalChecks: latest.report.checks.length || totalChecks,
    attempts: sorted.length,
    firstActivity: first.report.startedAt,
    lastActivity: new Date(end(latest)).toISOString(),
    timeSpentMs: Math.max(0, end(until) - Date.parse(first.report.startedAt)),
    latest: { startedAt: latest.report.startedAt, durationMs: latest.report.durationMs, target: latest.report.target?.kind ?? "?", checks: latest.report.checks },
  };
}

/** A step as the CSV says it: "step 5/9: Create the queue", with " (failed)" or " (done)" after it. */
export function stepLine(p: StepProgress): string {
  return `step ${p.step}/${p.steps}: ${p.title}${p.state === "started" ? "" : ` (${p.state})`}`;
}

/** A cell with the latest guided step added (it counts as activity). */
export function withStep(cell: Cell, progress: StepProgress | undefined): Cell {
  if (!progress) return cell;
  const afterLatestGrade = !cell.lastActivity || progress.at > cell.lastActivity;
  return { ...cell, step: { ...progress, afterLatestGrade }, lastActivity: afterLatestGrade ? progress.at : cell.lastActivity };
}

export function classView(store: ClassStore, labs: LabInfo[]): ClassView {
  const byParticipantLab = new Map<string, StoredResult[]>();
  for (const r of store.allResults) {
    const key = `${r.participantId}/${r.report.lab.id}`;
    const list = byParticipantLab.get(key) ?? [];
    list.push(r);
    byParticipantLab.set(key, list);
  }
  const participants: ParticipantView[] = store.participants.map((p) => {
    const cells: Record<string, Cell> = {};
    let last: string | undefined;
    for (const lab of labs) {
      const cell = withStep(cellFor(byParticipantLab.get(`${p.id}/${lab.id}`) ?? [], lab.checks.length), store.latestProgress(p.id, lab.id)?.progress);
      cells[lab.id] = cell;
      if (cell.lastActivity && (!last || cell.lastActivity > last)) last = cell.lastActivity;
    }
    return { id: p.id, name: p.name, joinedAt: p.joinedAt, left: Boolean(p.leftAt), lastActivity: last, labs: cells };
  });
  const hardest: Record<string, HardCheck[]> = {};
  for (const lab of labs) {
    const started = participants.filter((p) => p.labs[lab.id]!.latest);
    const counts = new Map<string, { failing: number; hint?: string }>();
    for (const p of started) {
      for (const c of p.labs[lab.id]!.latest!.checks) {
        if (c.status === "pass" || c.status === "skip") continue;
        const entry = counts.get(c.name) ?? { failing: 0, hint: lab.hints[c.name] ?? c.hint };
        entry.failing++;
        counts.set(c.name, entry);
      }
    }
    hardest[lab.id] = [...counts.entries()]
      .map(([check, v]) => ({ check, failing: v.failing, of: started.length, hint: v.hint }))
      .sort((a, b) => b.failing - a.failing || a.check.localeCompare(b.check));
  }
  return {
    schema: CLASS_SCHEMA,
    name: store.name,
    generatedAt: new Date().toISOString(),
    results: store.allResults.length,
    labs: labs.map((l) => ({ id: l.id, title: l.title, checks: l.checks.length })),
    participants,
    hardest,
  };
}

/** The results of one participant and lab, oldest first (exports write the latest). */
export function resultsOf(store: ClassStore, participantId: string, labId: string): StoredResult[] {
  return store.allResults
    .filter((r) => r.participantId === participantId && r.report.lab.id === labId)
    .sort((a, b) => Date.parse(a.report.startedAt) - Date.parse(b.report.startedAt));
}
