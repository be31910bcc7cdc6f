/**
 * `npm run hint -- <lab>`: the next level of the hint for the first failing
 * check of the lab's latest grade (src/kit/hints.ts); `--all` every level.
 */
import { findLab, loadLab } from "../labs.js";
import { nextHint } from "../hints.js";

export async function hintCommand(labName: string, opts: { all?: boolean }): Promise<number> {
  const entry = findLab(labName);
  const lab = await loadLab(entry);
  for (const line of nextHint(entry, lab, opts).lines) console.log(line);
  return 0;
}
