/**
 * `npm run progress` (`--json`): every lab with its status, checks passed in
 * the latest grade, which learner files are written (differ from the starter
 * as shipped) and the next step.
 */
import pc from "picocolors";
import { listLabs, loadLab } from "../labs.js";
import { readProgress } from "../progress.js";
import { isDone } from "../starters.js";

export interface LabStatus {
  id: string;
  folder: string;
  title: string;
  status: "not started" | "in progress" | "passed" | "passed before";
  checksPassed: number | null;
  checksTotal: number;
  filesWritten: string[];
  filesToWrite: string[];
  lastGradedAt: string | null;
  next: string;
}

/** `root`: the folder holding the learner's lab folders (labs/; tests use a copy). */
export async function labStatuses(root?: string): Promise<LabStatus[]> {
  const progress = readProgress();
  const out: LabStatus[] = [];
  for (const entry of listLabs()) {
    const lab = await loadLab(entry);
    const p = progress[lab.id];
    const written = lab.learnerFiles.filter((f) => isDone(entry.folder, f, root));
    const toWrite = lab.learnerFiles.filter((f) => !written.includes(f));
    const status: LabStatus["status"] = p?.passed ? "passed" : p?.everPassed ? "passed before" : p || written.length ? "in progress" : "not started";
    const next =
      status === "passed"
        ? "done"
        : !p && !written.length
          ? `npm run lab -- ${lab.id} (guided), then write ${toWrite.join(", ")}`
          : toWrite.length
            ? `write ${toWrite.join(", ")}, then npm run grade -- ${lab.id}`
            : p && !p.passed
              ? `fix what failed (npm run hint -- ${lab.id}), then npm run grade -- ${lab.id}`
              : `npm run grade -- ${lab.id}`;
    out.push({ id: lab.id, folder: entry.folder, title: lab.title, status, checksPassed: p ? p.passedChecks : null, checksTotal: lab.grader.checks.length, filesWritten: written, filesToWrite: toWrite, lastGradedAt: p?.lastGradedAt ?? null, next });
  }
  return out;
}

export async function progressCommand(opts: { json?: boolean }): Promise<number> {
  const labs = await labStatuses();
  const progress = readProgress();
  if (opts.json) {
    process.stdout.write(JSON.stringify({ schema: "s3-event-labs/progress@1", labs }, null, 2) + "\n");
    return 0;
  }
  const mark = (s: LabStatus["status"]) => (s === "passed" ? pc.green("✔") : s === "passed before" ? pc.yellow("✔") : s === "in progress" ? pc.yellow("…") : pc.dim("·"));
  const width = Math.max(0, ...labs.map((l) => l.title.length));
  for (const l of labs) {
    const skipped = progress[l.id]?.skippedChecks;
    const checks = l.checksPassed === null ? pc.dim("not graded") : `${l.checksPassed}/${l.checksTotal} checks${skipped ? pc.dim(` (${skipped} skipped)`) : ""}`;
    console.log(`${mark(l.status)} ${l.id}  ${l.title.padEnd(width)} ${l.status.padEnd(13)} ${checks}`);
    if (l.status !== "passed") console.log(pc.dim(`     next: ${l.next}`));
  }
  const firstOpen = labs.find((l) => l.status !== "passed");
  console.log(firstOpen ? `\nnext: lab ${firstOpen.id} — ${firstOpen.next}` : pc.green("\nEvery lab passed."));
  return 0;
}
