/**
 * `npm run reset -- <lab>`: put a lab's learner files back to their starters
 * as shipped (starters.ts). Asks first (@inquirer/prompts; `--yes` skips),
 * and copies the current files to .s3-event-labs/backups/<lab>-<time>/ so
 * nothing written is lost. Resources in the cloud are not touched
 * (`npm run cleanup -- <lab>` does that).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import pc from "picocolors";
import { confirm } from "@inquirer/prompts";
import { findLab, loadLab } from "../labs.js";
import { labsDir, statePath } from "../paths.js";
import { isInteractive } from "../session.js";
import { starterContent, starterState } from "../starters.js";

/** `root`: the folder holding the lab folders (labs/; tests use a copy). */
export async function resetCommand(labName: string, opts: { yes?: boolean; root?: string }): Promise<number> {
  const entry = findLab(labName);
  const lab = await loadLab(entry);
  const root = opts.root ?? labsDir;
  const dir = path.join(root, entry.folder);
  const changed = lab.learnerFiles.filter((f) => starterState(entry.folder, f, root) !== "untouched");
  if (!changed.length) {
    console.log(`Lab ${lab.id}'s files are already the starters; nothing to reset.`);
    return 0;
  }
  // Read every starter before touching anything: without git, stop with nothing changed.
  const starters = new Map(changed.map((f) => [f, starterContent(entry.folder, f)]));
  console.log(`This puts back the starters of ${changed.map((f) => path.relative(process.cwd(), path.join(dir, f))).join(", ")}.`);
  if (!opts.yes) {
    if (!isInteractive(opts)) {
      console.error("Not resetting without confirmation: re-run with --yes.");
      return 1;
    }
    if (!(await confirm({ message: "Reset these files? (a backup is kept)", default: false }))) return 1;
  }
  const backup = statePath(path.join("backups", `${lab.id}-${new Date().toISOString().replace(/[:.]/g, "-")}`));
  for (const file of changed) {
    const mine = path.join(dir, file);
    if (fs.existsSync(mine)) {
      fs.mkdirSync(path.dirname(path.join(backup, file)), { recursive: true });
      fs.copyFileSync(mine, path.join(backup, file));
    }
    fs.mkdirSync(path.dirname(mine), { recursive: true });
    fs.writeFileSync(mine, starters.get(file)!);
    console.log(`${pc.green("↺")} ${path.relative(process.cwd(), mine)}`);
  }
  console.log(`Your previous files are in ${pc.cyan(path.relative(process.cwd(), backup) || backup)}.`);
  return 0;
}
