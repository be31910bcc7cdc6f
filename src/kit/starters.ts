/**
 * The starters as shipped. `labs/starters.json` records, for every learner
 * file, the git blob id of its content as the kit ships it (LF line endings).
 * From that the kit can tell, without git and whatever the learner has
 * committed since:
 * - whether a learner's file is "done" — it differs from its starter (a
 *   finished file may keep its `// TODO` comment lines);
 * - the starter's own content (`git cat-file blob <id>`: the object is in every
 *   clone) — for `npm run reset` and for the self-check, which grades the
 *   starters as shipped, not the working copy a learner has been editing.
 * `npx tsx scripts/update-starters.ts` rewrites the manifest after a starter
 * changes (commit the starter first, then the manifest).
 *
 * By design: without git (a zip download), "done" still works (hashes only);
 * reset and the self-check's starter grading need git and say so.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { labsDir, readJson, repoRoot, writeFileAtomic } from "./paths.js";

export const manifestFile = path.join(labsDir, "starters.json");

/** "01-anatomy-of-an-s3-event/event-reader.ts" → git blob id. */
export type StarterManifest = Record<string, string>;

export function readManifest(): StarterManifest {
  return readJson<{ files?: StarterManifest }>(manifestFile, {}).files ?? {};
}

/** Git's blob id of a text, line endings normalised (a Windows checkout with autocrlf is not an edit). */
export function blobId(text: string | Buffer): string {
  const body = Buffer.from(String(text).replace(/\r\n/g, "\n"), "utf8");
  return crypto.createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

const key = (folder: string, file: string) => `${folder}/${file.split(path.sep).join("/")}`;

export type FileState = "untouched" | "edited" | "missing" | "unknown";

/** Is this learner file still the starter as shipped? "unknown": the manifest does not list it. `root` holds the lab folders (default labs/). */
export function starterState(folder: string, file: string, root = labsDir): FileState {
  const full = path.join(root, folder, file);
  if (!fs.existsSync(full)) return "missing";
  const shipped = readManifest()[key(folder, file)];
  if (!shipped) return "unknown";
  return blobId(fs.readFileSync(full)) === shipped ? "untouched" : "edited";
}

/**
 * The learner has written this file: it differs from the starter (leftover
 * `// TODO` comments do not matter). A file the manifest does not know falls
 * back to "no // TODO left".
 */
export function isDone(folder: string, file: string, root = labsDir): boolean {
  const s = starterState(folder, file, root);
  if (s === "unknown") return !/\/\/\s*TODO/.test(fs.readFileSync(path.join(root, folder, file), "utf8"));
  return s === "edited";
}

function git(args: string[]): { ok: boolean; out: Buffer; err: string } {
  const r = spawnSync("git", args, { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout ?? Buffer.alloc(0), err: r.error ? r.error.message : String(r.stderr ?? "").trim() };
}

/** The starter's content as shipped; throws with a readable reason when git cannot give it. */
export function starterContent(folder: string, file: string): Buffer {
  const id = readManifest()[key(folder, file)];
  if (!id) throw new Error(`labs/starters.json does not list ${key(folder, file)}.`);
  const r = git(["cat-file", "blob", id]);
  if (!r.ok) throw new Error(`git could not give the starter of ${key(folder, file)} (${r.err || "not a git clone?"}). Restore it from a fresh copy of the repository.`);
  return r.out;
}

/** Write the starters of one lab into `dest` (same relative paths). */
export function materializeStarters(folder: string, files: string[], dest: string): void {
  for (const file of files) {
    const out = path.join(dest, file);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, starterContent(folder, file));
  }
}

/** Rebuild the manifest from the files as committed at HEAD (kit authors, after editing a starter). */
export function manifestFromHead(labs: Array<{ folder: string; learnerFiles: string[] }>): StarterManifest {
  const files: StarterManifest = {};
  for (const lab of labs) {
    for (const file of lab.learnerFiles) {
      const r = git(["rev-parse", `HEAD:labs/${key(lab.folder, file)}`]);
      if (!r.ok) throw new Error(`labs/${key(lab.folder, file)} is not committed: commit the starter first (${r.err}).`);
      files[key(lab.folder, file)] = r.out.toString().trim();
    }
  }
  return files;
}

export function writeManifest(files: StarterManifest): void {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  writeFileAtomic(manifestFile, JSON.stringify({ comment: "git blob ids of the learner files as shipped — npx tsx scripts/update-starters.ts", files: sorted }, null, 2) + "\n");
}
