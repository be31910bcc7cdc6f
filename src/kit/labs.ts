/**
 * The lab catalogue: every labs/NN-slug/ folder with a lab.ts. A lab is named
 * on the command line by its number ("1", "01") or its slug.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { labsDir, readJson, solutionsDir } from "./paths.js";
import type { LabDefinition } from "./lab-definition.js";

export interface LabEntry {
  id: string;
  folder: string;
  dir: string;
  solutionDir: string;
}

export function listLabs(): LabEntry[] {
  if (!fs.existsSync(labsDir)) return [];
  return fs
    .readdirSync(labsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^\d\d-/.test(d.name) && fs.existsSync(path.join(labsDir, d.name, "lab.ts")))
    .map((d) => ({ id: d.name.slice(0, 2), folder: d.name, dir: path.join(labsDir, d.name), solutionDir: path.join(solutionsDir, d.name) }))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The folder a grade reads the learner files from: the reference (--solution), another copy (--files), or labs/NN-slug/. */
export function gradedDir(entry: LabEntry, opts: { solution?: boolean; files?: string }): string {
  return opts.solution ? entry.solutionDir : opts.files ? path.resolve(opts.files) : entry.dir;
}

export function findLab(name: string): LabEntry {
  const labs = listLabs();
  const wanted = /^\d+$/.test(name) ? name.padStart(2, "0") : name;
  const lab = labs.find((l) => l.id === wanted || l.folder === wanted || l.folder.slice(3) === wanted);
  if (!lab) throw new Error(`No lab "${name}". Labs: ${labs.map((l) => `${l.id} (${l.folder})`).join(", ") || "none found in labs/"}.`);
  return lab;
}

/**
 * Load a lab's definition. A check's `hint` (shown in the checklist and the
 * results JSON) becomes level 1 of its entry in the lab's hints.json — the
 * concept, not the code; `npm run hint` gives the next levels (hints.ts).
 */
export async function loadLab(entry: LabEntry): Promise<LabDefinition> {
  const mod = (await import(pathToFileURL(path.join(entry.dir, "lab.ts")).href)) as { default: LabDefinition };
  const lab = mod.default;
  const levels = readHints(entry);
  for (const check of lab.grader.checks) {
    const first = levels[check.name]?.[0];
    if (first) check.hint = first;
  }
  return lab;
}

/** Hint levels per check name: labs/NN-slug/hints.json (hints.ts). */
export type HintLevels = Record<string, string[]>;

/** A lab's hints.json, or no levels when it has none. */
export function readHints(entry: LabEntry): HintLevels {
  const file = path.join(entry.dir, "hints.json");
  if (!fs.existsSync(file)) return {};
  return readJson<{ checks?: HintLevels }>(file, {}).checks ?? {};
}
