/**
 * Hints in levels (issue 14). Each lab keeps its hints as data in
 * labs/NN-slug/hints.json — `{ "checks": { "<check name>": [concept, API or
 * field, code] } }` — not in the starters, so a learner sees only as much as
 * they ask for. The grader's checklist shows level 1; `npm run hint -- NN`
 * (and the menu's "Show a hint") shows the next level for the first failing
 * check of the latest grade, however that grade was run (CLI, menu, --watch:
 * every learner grade is recorded by progress.ts), `--all` every level.
 * Levels already shown are remembered per check in .s3-event-labs/hint-levels.json.
 */
import pc from "picocolors";
import type { GradeReport } from "./grader/types.js";
import type { LabDefinition } from "./lab-definition.js";
import { listLabs, readHints, type HintLevels, type LabEntry } from "./labs.js";
import { readJson, statePath, writeFileAtomic } from "./paths.js";
import { lastGrade } from "./progress.js";

export { readHints, type HintLevels };

/** The levels for one check: the lab's data, else the grader's own one-line hint. */
export function levelsFor(hints: HintLevels, lab: LabDefinition, check: string): string[] {
  const data = hints[check];
  if (data?.length) return data;
  const fallback = lab.grader.checks.find((c) => c.name === check)?.hint;
  return fallback ? [fallback] : [];
}

type SeenFile = Record<string, Record<string, number>>;
const seenFile = () => statePath("hint-levels.json");

export function levelsSeen(labId: string, check: string): number {
  return readJson<SeenFile>(seenFile(), {})[labId]?.[check] ?? 0;
}

function markSeen(labId: string, check: string, level: number): void {
  const all = readJson<SeenFile>(seenFile(), {});
  all[labId] = { ...all[labId], [check]: Math.max(level, all[labId]?.[check] ?? 0) };
  writeFileAtomic(seenFile(), JSON.stringify(all, null, 2) + "\n");
}

/**
 * The check a hint is about: the first one that failed (or errored) and is not merely blocked by another.
 * A skipped check is never a target: it was not verified here, so there is nothing to fix in it.
 */
export function firstFailing(report: GradeReport): GradeReport["checks"][number] | undefined {
  const wrong = report.checks.filter((c) => c.status !== "pass" && c.status !== "skip");
  return wrong.find((c) => !c.blockedBy) ?? wrong[0];
}

export interface HintOutcome {
  kind: "not-graded" | "passed" | "setup" | "hint";
  check?: string;
  level?: number;
  levels?: number;
  lines: string[];
}

/** What `npm run hint` prints (as lines), and the level it recorded as shown. */
export function nextHint(entry: LabEntry, lab: LabDefinition, opts: { all?: boolean } = {}): HintOutcome {
  const report = lastGrade(lab.id);
  const hints = readHints(entry);
  if (!report) {
    const first = lab.grader.checks[0]!;
    return { kind: "not-graded", lines: [pc.dim(`Lab ${lab.id} has not been graded yet: ${pc.cyan(`npm run grade -- ${lab.id}`)} — then a hint is about what failed.`), `The first check: ${pc.bold(first.name)}`, `  ${levelsFor(hints, lab, first.name)[0] ?? ""}`] };
  }
  const when = `${pc.dim(`latest grade ${new Date(report.startedAt).toLocaleString()}, ${report.summary.passed}/${report.summary.total} checks passed`)}`;
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  const skipNote = skipped ? [pc.dim(`${skipped} check(s) were skipped — not verified on ${report.target.kind}; the grade's checklist says how to check them yourself.`)] : [];
  if (report.passed) return { kind: "passed", lines: [when, pc.green(skipped ? "It passed every check that could run — no hint needed." : "It passed every check — no hint needed."), ...skipNote, nextLabLine(lab.id)] };
  const failing = report.setup.status === "pass" ? firstFailing(report) : undefined;
  if (!failing && report.setup.status === "pass") return { kind: "setup", lines: [when, "Nothing failed, but nothing was verified either: every check was skipped.", ...skipNote] };
  if (!failing) return { kind: "setup", lines: [when, `Setup did not complete: ${report.setup.message ?? ""}`, "Fix what the message says (often a file that does not load: `npm run typecheck`), then grade again."] };
  const levels = levelsFor(hints, lab, failing.name);
  const head = [when, `${pc.bold(failing.name)}`, ...(failing.message ? [`  ${failing.message}`] : [])];
  if (opts.all) {
    markSeen(lab.id, failing.name, levels.length);
    return { kind: "hint", check: failing.name, level: levels.length, levels: levels.length, lines: [...head, ...levels.map((t, i) => `${pc.cyan(`hint ${i + 1}/${levels.length}:`)} ${t}`)] };
  }
  const level = Math.min(levelsSeen(lab.id, failing.name) + 1, levels.length);
  markSeen(lab.id, failing.name, level);
  const more = level < levels.length ? pc.dim(`Run ${pc.cyan(`npm run hint -- ${lab.id}`)} again for hint ${level + 1}/${levels.length}, or ${pc.cyan("--all")}.`) : pc.dim(`That was the last level; the reference is in solutions/${entry.folder}/ — try writing it yourself first.`);
  return { kind: "hint", check: failing.name, level, levels: levels.length, lines: [...head, `${pc.cyan(`hint ${level}/${levels.length}:`)} ${levels[level - 1] ?? "(no hint for this check)"}`, more] };
}

/** "next: lab 02 — …" after a pass, or the end of the course. */
export function nextLabLine(labId: string): string {
  const labs = listLabs();
  const i = labs.findIndex((l) => l.id === labId);
  const next = i >= 0 ? labs[i + 1] : undefined;
  return next ? `${pc.green("next: lab " + next.id)} — ${pc.cyan(`npm run lab -- ${next.id}`)} (guided) or read labs/${next.folder}/README.md` : pc.green("That was the last lab — well done. `npm run progress` shows them all.");
}
