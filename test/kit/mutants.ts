/**
 * Grading variants of a lab's reference solution (the mutation self-tests):
 * each variant is the solution folder with some files replaced or edited,
 * written to a fresh folder under the repo (so its imports — sharp, the SDK —
 * resolve from node_modules as a learner's would), graded by the real harness
 * against the test file's local cloud, then removed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, expect } from "vitest";
import { startTestCloud } from "../helpers/cloud.js";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { repoRoot } from "../../src/kit/paths.js";
import type { GradeReport } from "../../src/kit/grader/types.js";
import { explainSkip, kitSession, probeFeatures, type Features, type KitTestSession } from "./helpers.js";

/** A mutants file's set-up: its own local cloud and kit session (closed after all), and whether the lab's needs are served (else skip). */
export async function mutantsSession(what: string, needed: Array<keyof Features>, cloudOptions: { timeScale?: number } = {}): Promise<{ session: KitTestSession; skip: boolean }> {
  const cloud = await startTestCloud(cloudOptions);
  const session = kitSession(cloud.endpoint);
  afterAll(async () => {
    session.close();
    await cloud.close();
  });
  const skip = explainSkip(what, await probeFeatures(session.clients), needed);
  return { session, skip };
}

/** A variant: for each file, a replacement text or an edit of the solution's text. */
export type Variant = Record<string, string | ((solution: string) => string)>;

/** Replace `from` (which must occur) with `to` — a mutation that silently does nothing is a bug in the test. */
export function edit(from: string | RegExp, to: string): (text: string) => string {
  return (text) => {
    const found = typeof from === "string" ? text.includes(from) : from.test(text);
    if (!found) throw new Error(`mutation target not found: ${String(from)}`);
    return typeof from === "string" ? text.split(from).join(to) : text.replace(from, to);
  };
}

export function chain(...edits: Array<(text: string) => string>): (text: string) => string {
  return (text) => edits.reduce((t, e) => e(t), text);
}

/**
 * For mutants of long graders: `stopAtFirstFailure` — the checks after the first that does not pass are not run
 * (reported as errors "not run"; cleanup still runs); `only` — run just these checks and the checks they need;
 * `stopAfter` — end the grade once that check has run (for mutants whose named check comes early in a long grade).
 */
export async function gradeVariant(session: KitTestSession, labId: string, variant: Variant, options: { typecheckWaitMs?: number; stopAtFirstFailure?: boolean; only?: string[]; stopAfter?: string } = {}): Promise<GradeReport> {
  const entry = findLab(labId);
  fs.mkdirSync(path.join(repoRoot, ".mutants"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(repoRoot, ".mutants", `lab${labId}-`));
  try {
    for (const f of fs.readdirSync(entry.solutionDir)) fs.copyFileSync(path.join(entry.solutionDir, f), path.join(dir, f));
    for (const [file, change] of Object.entries(variant)) {
      const original = fs.readFileSync(path.join(entry.solutionDir, file), "utf8");
      fs.writeFileSync(path.join(dir, file), typeof change === "string" ? change : change(original));
    }
    const loaded = await loadLab(entry);
    const lab = options.only ? { ...loaded, grader: { ...loaded.grader, checks: withNeeds(loaded.grader.checks, options.only) } } : loaded;
    const stop = new AbortController();
    const onCheck = options.stopAtFirstFailure ? (r: { status: string }) => void (r.status !== "pass" && stop.abort()) : undefined;
    let reached = false;
    const beforeCheck = options.stopAfter
      ? async (name: string) => {
          if (reached) {
            stop.abort();
            throw new Error(`not run: the test stops after "${options.stopAfter}"`);
          }
          reached = name === options.stopAfter;
        }
      : undefined;
    return await runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: dir, source: "learner", participant: "mutant", typecheck: options.typecheckWaitMs !== undefined, typecheckWaitMs: options.typecheckWaitMs, signal: stop.signal, ...(onCheck ? { onCheck } : {}), ...(beforeCheck ? { beforeCheck } : {}) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The named checks and, transitively, the checks they need, in the grader's order. */
function withNeeds<C extends { name: string; needs?: string[] }>(checks: C[], names: string[]): C[] {
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    const check = checks.find((c) => c.name === name);
    if (!check) throw new Error(`no check named ${JSON.stringify(name)}`);
    wanted.add(name);
    for (const n of check.needs ?? []) add(n);
  };
  names.forEach(add);
  return checks.filter((c) => wanted.has(c.name));
}

/** The first check that did not pass must be `check`, failed on its own (not blocked), with a message matching `message`. */
export function expectFailsAt(report: GradeReport, check: string, message?: RegExp): void {
  const failing = report.checks.filter((c) => c.status !== "pass");
  const summary = failing.map((c) => `${c.name}: ${c.status} ${c.message ?? ""}`).join("\n");
  expect(failing[0]?.name, summary || "every check passed").toBe(check);
  expect(failing[0]!.status, summary).toBe("fail");
  expect(failing[0]!.blockedBy, summary).toBeUndefined();
  if (message) expect(failing[0]!.message, summary).toMatch(message);
  expect(report.cleanup.status, report.cleanup.message).toBe("pass");
}

export function expectPasses(report: GradeReport): void {
  const failing = report.checks.filter((c) => c.status !== "pass").map((c) => `${c.name}: ${c.status} ${c.message ?? ""}`);
  expect(failing, JSON.stringify(report.setup)).toEqual([]);
  expect(report.passed).toBe(true);
}
