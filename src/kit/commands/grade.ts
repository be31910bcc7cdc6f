/**
 * `npm run grade -- <lab>`: grade the learner's files (or the reference with
 * --solution, or another folder with --files) end to end, print the
 * checklist, write --json / --junit / --classroom50 reports, store progress and the latest
 * grade (progress.ts: `npm run hint` reads it), exit 0 only when every check
 * passes. A pass ends with the next lab; a failure with how to get a hint.
 *
 * Ctrl-C during a grade: the first stops the checks, runs the cleanup and
 * says what it removed (exit 130); a second exits at once and prints what is
 * left in the ledger and the command that removes it.
 *
 * --watch (watch.ts) re-grades in a fresh child process on every save.
 */
import * as path from "node:path";
import { spinner as makeSpinner } from "../spinner.js";
import pc from "picocolors";
import { findLab, gradedDir, loadLab } from "../labs.js";
import { runGrade } from "../grader/harness.js";
import { formatCheckLine, formatSummary, formatWarning, writeJsonReport, writeJUnitReport } from "../grader/reporters.js";
import type { GradeReport } from "../grader/types.js";
import { nextLabLine } from "../hints.js";
import { recordGrade } from "../progress.js";
import { writeClassroom50 } from "../grader/classroom50.js";
import { reportToClass } from "../class/client.js";
import { confirmAwsPlan, openSession, type CommonOptions, type Session } from "../session.js";
import { watchGrade } from "./watch.js";

export interface GradeCommandOptions extends CommonOptions {
  solution?: boolean;
  /** Grade the learner files in this folder instead of labs/NN-slug/ (a submission, a copy). */
  files?: string;
  watch?: boolean;
  json?: string;
  junit?: string;
  /** Write a Classroom 50 result file (classroom50/result/v1). */
  classroom50?: string;
  keep?: boolean;
  verbose?: boolean;
}

/** Test hook: hold the grade before the named check until it is interrupted (a deterministic Ctrl-C test). */
const HOLD = process.env.S3_EVENT_LABS_TEST_HOLD_BEFORE_CHECK;

/** Grade once within an open session; returns the report (used by the menu too). */
export async function gradeOnce(labName: string, opts: GradeCommandOptions, session: Session): Promise<GradeReport | undefined> {
  const entry = findLab(labName);
  const lab = await loadLab(entry);
  if (!(await confirmAwsPlan(session, lab.creates.map((c) => `${c} (temporary: the grader deletes it afterwards)`), opts))) return undefined;
  const sourceDir = gradedDir(entry, opts);
  console.log(`\n${pc.bold(`Grading lab ${lab.id} — ${lab.title}`)} ${pc.dim(`(${opts.solution ? "reference solution" : path.relative(process.cwd(), sourceDir) || sourceDir})`)}`);
  const spinner = makeSpinner("setting up…");
  const stop = new AbortController();
  let namespace: string | undefined;
  let presses = 0;
  const onSigint = () => {
    presses++;
    if (presses === 1) {
      stop.abort();
      spinner.stop();
      console.log(pc.yellow("\nStopping the checks and cleaning up what the grader created… (Ctrl-C again to exit at once)"));
      spinner.start();
      spinner.text = "cleaning up…";
      return;
    }
    spinner.stop();
    const left = namespace ? session.ledger.list({ target: session.target.id, namespace }) : [];
    console.log(pc.yellow(`\nExited before the cleanup finished. ${left.length} resource(s) left in the ledger:`));
    for (const e of left) console.log(`  ${e.type.padEnd(26)} ${e.name}`);
    console.log(`Remove them with ${pc.cyan(`npm run cleanup -- ${lab.id}`)}.`);
    process.exit(130);
  };
  process.on("SIGINT", onSigint);
  let report: GradeReport;
  try {
    report = await runGrade({
      lab,
      target: session.target,
      clients: session.clients,
      ledger: session.ledger,
      sourceDir,
      source: opts.solution ? "solution" : "learner",
      keep: opts.keep,
      verbose: opts.verbose,
      participant: opts.participant,
      signal: stop.signal,
      onStart: (ns) => (namespace = ns),
      onStatus: (t) => (spinner.text = t),
      onWarning: (w) => {
        spinner.stop();
        console.log(formatWarning(w));
        spinner.start();
      },
      onCheck: (r) => {
        spinner.stop();
        console.log(formatCheckLine(r));
        spinner.start();
      },
      beforeCheck: HOLD
        ? async (name, signal) => {
            if (name !== HOLD || !signal) return;
            console.log(`(test hook: holding before "${name}")`);
            const keepAlive = setInterval(() => {}, 1000); // a bare pending promise would let Node exit
            await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
            clearInterval(keepAlive);
          }
        : undefined,
      beforeCleanup: HOLD && process.env.S3_EVENT_LABS_TEST_HOLD_CLEANUP === "1"
        ? async () => {
            console.log("(test hook: holding before the cleanup)");
            setInterval(() => {}, 1000); // held until the second Ctrl-C exits the process
            await new Promise<void>(() => {});
          }
        : undefined,
    });
  } finally {
    process.off("SIGINT", onSigint);
    spinner.stop();
  }
  console.log(formatSummary(report));
  if (opts.json) writeJsonReport(report, opts.json);
  if (opts.junit) writeJUnitReport(report, opts.junit);
  if (opts.classroom50) writeClassroom50(report, opts.classroom50, { owner: opts.participant });
  if (report.interrupted) {
    const left = session.ledger.list({ target: session.target.id, namespace: report.namespace });
    console.log(left.length ? pc.yellow(`Stopped. ${left.length} resource(s) could not be removed: ${pc.cyan(`npm run cleanup -- ${lab.id}`)}`) : pc.yellow(`Stopped. The checks did not finish; cleanup done: ${report.cleanup.deleted} resource(s) removed, nothing left.`));
    process.exitCode = 130;
    return report; // an interrupted grade is not the latest grade: hints stay about the last complete one
  }
  recordGrade(report);
  await reportToClass(report); // in a class: queued, then sent within ~1.5 s; never fails the grade
  if (report.source === "learner") console.log(report.passed ? nextLabLine(lab.id) : pc.dim(`Stuck? ${pc.cyan(`npm run hint -- ${lab.id}`)} gives a hint for the first failing check, one level at a time.`));
  return report;
}

export async function gradeCommand(labName: string, opts: GradeCommandOptions): Promise<number> {
  if (opts.watch) return watchGrade(labName, opts);
  const session = await openSession(opts);
  try {
    const report = await gradeOnce(labName, opts, session);
    return report?.interrupted ? 130 : report?.passed ? 0 : 1;
  } finally {
    session.close();
  }
}
