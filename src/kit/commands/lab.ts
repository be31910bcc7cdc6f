/**
 * `npm run lab -- <lab>`: the guided steps of one lab (--solution: build it
 * with the reference pieces only; --show-solution: print what the reference
 * pieces return for the files not written yet).
 */
import { findLab, loadLab } from "../labs.js";
import { confirmAwsPlan, openSession, type CommonOptions } from "../session.js";
import { runGuided } from "../steps.js";

export async function labCommand(labName: string, opts: CommonOptions & { solution?: boolean; showSolution?: boolean }): Promise<number> {
  const entry = findLab(labName);
  const lab = await loadLab(entry);
  const session = await openSession(opts);
  try {
    if (!(await confirmAwsPlan(session, lab.creates, opts))) return 1;
    const r = await runGuided(lab, entry, session, { participant: opts.participant, solution: opts.solution, showSolution: opts.showSolution || opts.solution });
    return r.ok ? 0 : 1;
  } finally {
    session.close();
  }
}
