/**
 * The grader harness: setup → checks → cleanup, with cleanup always running
 * (workshopper's phases), each check timed and given a status and a hint.
 * The graded code is imported from `sourceDir` — the learner's lab folder, or
 * solutions/ with --solution — and provisioned in a namespace of its own, so
 * grading never touches what the guided run created. Every resource goes
 * through the ledger; cleanup deletes exactly this namespace's entries
 * (kept, with the command to remove them, under --keep).
 *
 * `signal` (Ctrl-C, or --watch cancelling a grade for a newer save): the
 * running phase is abandoned at once, the remaining checks are reported as
 * not run, and cleanup still runs — twice if an abandoned check recorded a
 * resource while the first pass ran.
 *
 * Skips (types.ts has the rule): a check that throws CheckSkipped is "skip";
 * a check that needs a skipped check is skipped too (blockedBy names it) —
 * unless another check it needs failed, which makes it a blocked failure.
 * Learner code cannot skip: callLearner turns its CheckSkipped into a failure.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { Clients } from "../clients.js";
import { cleanupEntries } from "../cleanup.js";
import type { Ledger } from "../ledger.js";
import type { LabDefinition } from "../lab-definition.js";
import { namespaceFor } from "../names.js";
import { repoRoot } from "../paths.js";
import type { Target } from "../target.js";
import { errorMessage } from "../wait.js";
import { typecheckFiles, typeWarnings, type TypecheckResult } from "./typecheck.js";
import { CheckFailed, CheckSkipped, type CheckResult, type GradeContext, type GradeReport, type PhaseResult } from "./types.js";

export interface GradeOptions {
  lab: LabDefinition;
  target: Target;
  clients: Clients;
  ledger: Ledger;
  sourceDir: string;
  source: "learner" | "solution";
  keep?: boolean;
  /** Full log text in failure messages instead of a summary. */
  verbose?: boolean;
  participant?: string;
  /** Called as each check finishes (the terminal reporter prints a line). */
  onCheck?(result: CheckResult): void;
  onStatus?(text: string): void;
  /** Called once with the grader's namespace, before anything is created. */
  onStart?(namespace: string): void;
  /** Abort: stop the checks, then clean up (the report says `interrupted`). */
  signal?: AbortSignal;
  /** Awaited before each check (a test hook holds a grade here to interrupt it deterministically). */
  beforeCheck?(name: string, signal?: AbortSignal): Promise<void>;
  /** Awaited before the ledger cleanup (the same test hook, for a second Ctrl-C). */
  beforeCleanup?(): Promise<void>;
  /**
   * How long to wait, after the checks, for a type check still running (default 1.5 s: it never holds a grade
   * up for long; a type check that did not finish is reported as such).
   */
  typecheckWaitMs?: number;
  /** false: no type check at all (tests that grade many variants). Default true. */
  typecheck?: boolean;
  /** Called for each warning (type errors in the graded files), before the checks when they are known by then. */
  onWarning?(line: string): void;
}

export class GradeInterrupted extends Error {
  constructor() {
    super("stopped (Ctrl-C)");
    this.name = "GradeInterrupted";
  }
}

/** Resolve with `p`, or reject with GradeInterrupted as soon as `signal` aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new GradeInterrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new GradeInterrupted());
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/** Load a graded module fresh: a query string defeats the ESM cache so a re-grade sees edits. */
async function importFresh<T>(file: string): Promise<T> {
  return (await import(`${pathToFileURL(file).href}?grade=${Date.now()}-${Math.random().toString(16).slice(2)}`)) as T;
}

export async function runGrade(options: GradeOptions): Promise<GradeReport> {
  const { lab, target, clients, ledger } = options;
  const names = namespaceFor(lab.id, options.participant);
  options.onStart?.(names.namespace);
  const startedAt = new Date();
  const ctx: GradeContext = {
    target,
    clients,
    ledger,
    lab: lab.id,
    names,
    by: options.source === "solution" ? "solution" : "grade",
    status: (text) => options.onStatus?.(text),
    log: () => {},
    sourceDir: options.sourceDir,
    source: options.source,
    verbose: options.verbose ?? false,
    currentCheck: "",
    async importCode<T>(file: string): Promise<T> {
      const full = path.join(options.sourceDir, file);
      try {
        return await importFresh<T>(full);
      } catch (err) {
        throw new CheckFailed(`${path.relative(repoRoot, full)} could not be loaded: ${errorMessage(err)}`, "Fix the error in that file (npm run typecheck shows type errors), then grade again.");
      }
    },
    async callLearner<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof CheckFailed) throw err;
        // Not a CheckSkipped pass-through: learner code that skipped would turn its own failure into no failure.
        throw new CheckFailed(`${what} threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      }
    },
  };

  // Type errors are reported, never graded: AWS runs the bundled JavaScript (typecheck.ts).
  const typecheck: Promise<TypecheckResult> =
    options.typecheck === false ? Promise.resolve({ ok: true, errors: [] }) : typecheckFiles(lab.learnerFiles.filter((f) => f.endsWith(".ts")).map((f) => path.join(options.sourceDir, f)));
  const warnings: string[] = [];
  let warned = false;
  const emitWarnings = (lines: string[]) => {
    if (warned) return;
    warned = true;
    warnings.push(...lines);
    for (const w of lines) options.onWarning?.(w);
  };
  void typecheck.then((r) => emitWarnings(typeWarnings(r)));

  const results: CheckResult[] = [];
  let setup: PhaseResult;
  let state: unknown;
  let setupOk = false;
  const t0 = Date.now();
  try {
    options.onStatus?.("setting up…");
    state = await unlessAborted(lab.grader.setup(ctx), options.signal);
    setupOk = true;
    setup = { status: "pass", durationMs: Date.now() - t0 };
  } catch (err) {
    setup = { status: err instanceof CheckFailed ? "fail" : err instanceof CheckSkipped ? "skip" : "error", durationMs: Date.now() - t0, message: err instanceof GradeInterrupted ? "stopped (Ctrl-C)" : errorMessage(err) };
  }

  // Shown first when the checker is done by the end of setup (it usually is: setup packages code); else before the summary.
  await Promise.race([typecheck, new Promise((r) => setImmediate(r))]);
  const passedNames = new Set<string>();
  const skippedNames = new Set<string>();
  for (const check of lab.grader.checks) {
    const started = Date.now();
    let result: CheckResult;
    // A need that failed blocks as a failure; only when every unmet need was skipped is this one skipped.
    const failedNeed = check.needs?.find((n) => !passedNames.has(n) && !skippedNames.has(n));
    const skippedNeed = check.needs?.find((n) => skippedNames.has(n));
    const blocker = !setupOk ? "setup" : failedNeed ?? skippedNeed;
    if (options.signal?.aborted) {
      result = { name: check.name, status: "error", durationMs: 0, message: "not run: the grade was stopped (Ctrl-C)" };
    } else if (blocker === "setup" && setup.status === "skip") {
      result = { name: check.name, status: "skip", durationMs: 0, message: `not run: setup was skipped (${setup.message})`, blockedBy: "setup" };
    } else if (blocker && blocker !== "setup" && !failedNeed) {
      result = { name: check.name, status: "skip", durationMs: 0, message: `not run: needs "${blocker}", which was skipped`, blockedBy: blocker };
    } else if (blocker) {
      result = {
        name: check.name,
        status: setup.status === "error" && !setupOk ? "error" : "fail",
        durationMs: 0,
        message: blocker === "setup" ? `not run: setup did not complete (${setup.message})` : `not run: needs "${blocker}" to pass first`,
        hint: blocker === "setup" ? undefined : check.hint,
        blockedBy: blocker,
      };
    } else {
      options.onStatus?.(check.name);
      ctx.currentCheck = check.name;
      try {
        await options.beforeCheck?.(check.name, options.signal);
        const detail = await unlessAborted(check.run(ctx, state as never), options.signal);
        result = { name: check.name, status: "pass", durationMs: Date.now() - started, ...(detail ? { message: detail } : {}) };
        passedNames.add(check.name);
      } catch (err) {
        result =
          err instanceof GradeInterrupted
            ? { name: check.name, status: "error", durationMs: Date.now() - started, message: "stopped (Ctrl-C) while running" }
            : err instanceof CheckSkipped
            ? { name: check.name, status: "skip", durationMs: Date.now() - started, message: err.reason }
            : err instanceof CheckFailed
            ? { name: check.name, status: "fail", durationMs: Date.now() - started, message: err.message, hint: err.hint ?? check.hint }
            : { name: check.name, status: "error", durationMs: Date.now() - started, message: `${err instanceof Error ? err.name : "Error"}: ${errorMessage(err)}`, hint: check.hint };
      }
    }
    if (result.status === "skip") skippedNames.add(check.name);
    results.push(result);
    options.onCheck?.(result);
  }

  // Cleanup always runs (unless --keep), whatever happened above.
  const c0 = Date.now();
  let cleanup: GradeReport["cleanup"];
  try {
    await lab.grader.teardown?.(ctx, state as never);
  } catch {
    /* teardown is best effort; the ledger cleanup below is what matters */
  }
  let entries = ledger.list({ target: target.id, namespace: names.namespace });
  if (options.keep) {
    cleanup = { status: "pass", durationMs: 0, kept: true, deleted: 0, failed: 0, message: `kept ${entries.length} resources in namespace ${names.namespace}; remove them with: npm run cleanup -- ${lab.id}` };
  } else {
    options.onStatus?.("cleaning up…");
    try {
      await options.beforeCleanup?.();
      let r = await cleanupEntries(clients, ledger, entries);
      // An abandoned (interrupted) check may have recorded more while that ran: one more pass.
      entries = ledger.list({ target: target.id, namespace: names.namespace });
      if (options.signal?.aborted && entries.length && !r.failed.length) {
        const again = await cleanupEntries(clients, ledger, entries);
        r = { deleted: [...r.deleted, ...again.deleted], alreadyGone: [...r.alreadyGone, ...again.alreadyGone], failed: again.failed };
      }
      cleanup = {
        status: r.failed.length ? "error" : "pass",
        durationMs: Date.now() - c0,
        kept: false,
        deleted: r.deleted.length + r.alreadyGone.length,
        failed: r.failed.length,
        ...(r.failed.length ? { message: r.failed.map((f) => `${f.entry.type} ${f.entry.name}: ${f.error}`).join("; ") + ` — retry with: npm run cleanup -- ${lab.id}` } : {}),
      };
    } catch (err) {
      cleanup = { status: "error", durationMs: Date.now() - c0, kept: false, deleted: 0, failed: entries.length, message: errorMessage(err) };
    }
  }

  const late = await Promise.race([typecheck, new Promise<undefined>((r) => setTimeout(() => r(undefined), options.typecheckWaitMs ?? 1500).unref())]);
  emitWarnings(late ? typeWarnings(late) : ["type check did not finish in time — run npm run typecheck to see type errors"]);
  const summary = {
    total: results.length,
    passed: results.filter((r) => r.status === "pass").length,
    failed: results.filter((r) => r.status === "fail").length,
    errored: results.filter((r) => r.status === "error").length,
    skipped: results.filter((r) => r.status === "skip").length,
  };
  return {
    schema: "s3-event-labs/grade-result@1",
    lab: { id: lab.id, slug: lab.slug, title: lab.title },
    source: options.source,
    sourceDir: path.relative(repoRoot, options.sourceDir),
    target: { kind: target.kind, id: target.id, region: target.region, account: target.account, ...(target.endpoint ? { endpoint: target.endpoint } : {}) },
    namespace: names.namespace,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    // Skipped checks neither pass nor fail the grade; a grade that verified nothing is not a pass.
    passed: !options.signal?.aborted && setupOk && summary.failed === 0 && summary.errored === 0 && summary.passed > 0,
    ...(options.signal?.aborted ? { interrupted: true as const } : {}),
    summary,
    setup,
    checks: results,
    ...(warnings.length ? { warnings } : {}),
    cleanup,
  };
}
