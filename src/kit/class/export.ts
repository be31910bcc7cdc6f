/**
 * Exports of a class, in the formats schools use:
 * - CSV, one row per participant and lab (spreadsheets, LMS grade imports;
 *   skipped checks — not verified on that target — are listed apart from failing ones;
 *   last_step, the latest guided step, e.g. "step 5/9: Create the queue (failed)");
 * - per participant and lab, the latest grade as a Classroom 50
 *   `classroom50/result/v1` result.json, beside our own results JSON and
 *   JUnit XML (CI systems and LMS bridges read JUnit):
 *     <dir>/<participant>/lab-NN-slug/{result.json, grade.json, junit.xml}
 * The dashboard offers the same as downloads (the folder as a zip).
 *
 * Cells a spreadsheet would run as a formula (=, +, -, @ first) are quoted
 * with a leading apostrophe: a participant's chosen name is untrusted input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync, strToU8, type Zippable } from "fflate";
import { toClassroom50 } from "../grader/classroom50.js";
import { toJUnit } from "../grader/reporters.js";
import type { ClassStore } from "./store.js";
import { classView, resultsOf, stepLine, type LabInfo } from "./summary.js";

export const CSV_COLUMNS = [
  "participant",
  "lab",
  "lab_title",
  "status",
  "ever_passed",
  "checks_passed",
  "checks_total",
  "attempts",
  "first_activity",
  "last_activity",
  "time_spent_minutes",
  "failing_checks",
  "skipped_checks",
  // Added after the first release, so appended: where the participant is in the lab's guided steps (summary.ts stepLine).
  "last_step",
] as const;

function csvCell(value: string | number | boolean | undefined): string {
  let s = value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function classCsv(store: ClassStore, labs: LabInfo[]): string {
  const view = classView(store, labs);
  const rows = [CSV_COLUMNS.join(",")];
  for (const p of view.participants) {
    for (const lab of view.labs) {
      const c = p.labs[lab.id]!;
      const failing = (c.latest?.checks ?? []).filter((x) => x.status !== "pass" && x.status !== "skip").map((x) => x.name).join("; ");
      const skipped = (c.latest?.checks ?? []).filter((x) => x.status === "skip").map((x) => x.name).join("; ");
      rows.push(
        [p.name, lab.id, lab.title, c.status, c.everPassed, c.passedChecks, c.totalChecks, c.attempts, c.firstActivity, c.lastActivity, (c.timeSpentMs / 60_000).toFixed(1), failing, skipped, c.step ? stepLine(c.step) : ""]
          .map(csvCell)
          .join(","),
      );
    }
  }
  return rows.join("\r\n") + "\r\n";
}

/** A participant's name as a folder name: safe on every OS, unique within the class. */
function folderOf(name: string, id: string): string {
  const base = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 30) || "participant";
  return `${base}-${id.slice(0, 6)}`;
}

/** Every file of the Classroom 50 export, by relative path. */
export function classroom50Files(store: ClassStore, labs: LabInfo[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const p of store.participants) {
    for (const lab of labs) {
      const results = resultsOf(store, p.id, lab.id);
      const latest = results[results.length - 1];
      if (!latest) continue;
      const dir = `${folderOf(p.name, p.id)}/lab-${lab.id}-${latest.report.lab.slug}`;
      files.set(`${dir}/result.json`, JSON.stringify(toClassroom50(latest.report, { classroom: store.name, owner: p.name }, {}), null, 2) + "\n");
      files.set(`${dir}/grade.json`, JSON.stringify(latest.report, null, 2) + "\n");
      files.set(`${dir}/junit.xml`, toJUnit(latest.report));
    }
  }
  return files;
}

export function writeClassroom50Dir(store: ClassStore, labs: LabInfo[], dir: string): number {
  const files = classroom50Files(store, labs);
  for (const [rel, text] of files) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return files.size;
}

export function classroom50Zip(store: ClassStore, labs: LabInfo[]): Uint8Array {
  const tree: Zippable = {};
  for (const [rel, text] of classroom50Files(store, labs)) tree[rel] = strToU8(text);
  return zipSync(tree);
}
