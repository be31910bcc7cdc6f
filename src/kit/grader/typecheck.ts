/**
 * Type errors in the learner's files (issue 13, item 6): grading runs the
 * TypeScript checker on the graded files — with the project's tsconfig, in a
 * worker thread so the grader's waits are not stalled — and the harness
 * shows each error as a warning line. The grade itself is unchanged: AWS runs
 * the JavaScript esbuild makes, type errors or not.
 *
 * `typescript` is a devDependency; `npm ci` installs it. Where it is missing
 * (an install with --omit=dev) the check is skipped and says so.
 * S3_EVENT_LABS_TYPECHECK=off skips it.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { repoRoot } from "../paths.js";

export interface TypeError {
  file: string;
  line: number;
  column: number;
  code: number;
  message: string;
}

export type TypecheckResult = { ok: true; errors: TypeError[] } | { ok: false; reason: string };

/** Start checking `files` (absolute paths); resolves with the errors in those files only. */
export function typecheckFiles(files: string[]): Promise<TypecheckResult> {
  if (process.env.S3_EVENT_LABS_TYPECHECK === "off") return Promise.resolve({ ok: true, errors: [] });
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./typecheck-worker.mjs", import.meta.url), { workerData: { files, tsconfig: path.join(repoRoot, "tsconfig.json") } });
    } catch (err) {
      resolve({ ok: false, reason: err instanceof Error ? err.message : String(err) });
      return;
    }
    worker.once("message", (m: TypecheckResult) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", (err) => resolve({ ok: false, reason: err.message }));
    worker.once("exit", (code) => resolve({ ok: false, reason: `the checker stopped (exit ${code})` }));
  });
}

/** One warning line per error: "handler.ts:12:5 TS2345 Argument of type …". */
export function typeWarnings(result: TypecheckResult): string[] {
  if (!result.ok) return [`type check skipped: ${result.reason}`];
  return result.errors.map((e) => `type error ${path.relative(repoRoot, e.file)}:${e.line}:${e.column} TS${e.code} ${e.message}`);
}
