/**
 * `npm run grade -- <lab>`: grade the learner's files (or the reference with
 * --solution) end to end, print the checklist, write --json / --junit
 * reports, store progress, exit 0 only when every check passes. --watch
 * re-grades whenever a learner file changes; each run is a fresh child
 * process, so edited modules (and whatever they import) are always reloaded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { spinner as makeSpinner } from "../spinner.js";
import pc from "picocolors";
import { findLab, loadLab } from "../labs.js";
import { runGrade } from "../grader/harness.js";
import { formatCheckLine, formatSummary, formatWarning, writeJsonReport, writeJUnitReport } from "../grader/reporters.js";
import type { GradeReport } from "../grader/types.js";
import { recordGrade } from "../progress.js";
import { confirmAwsPlan, openSession, type CommonOptions, type Session } from "../session.js";

export interface GradeCommandOptions extends CommonOptions {
  solution?: boolean;
  watch?: boolean;
  json?: string;
  junit?: string;
  keep?: boolean;
  verbose?: boolean;
}

/** Grade once within an open session; returns the report (used by the menu too). */
export async function gradeOnce(labName: string, opts: GradeCommandOptions, session: Session): Promise<GradeReport | undefined> {
  const entry = findLab(labName);
  const lab = await loadLab(entry);
  if (!(await confirmAwsPlan(session, lab.creates.map((c) => `${c} (temporary: the grader deletes it afterwards)`), opts))) return undefined;
  const sourceDir = opts.solution ? entry.solutionDir : entry.dir;
  console.log(`\n${pc.bold(`Grading lab ${lab.id} — ${lab.title}`)} ${pc.dim(`(${opts.solution ? "reference solution" : path.relative(process.cwd(), sourceDir) || sourceDir})`)}`);
  const spinner = makeSpinner("setting up…");
  const report = await runGrade({
    lab,
    target: session.target,
    clients: session.clients,
    ledger: session.ledger,
    sourceDir,
    source: opts.solution ? "solution" : "learner",
    keep: opts.keep,
    verbose: opts.verbose,
    participant: opts.participant,
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
  });
  spinner.stop();
  console.log(formatSummary(report));
  if (opts.json) writeJsonReport(report, opts.json);
  if (opts.junit) writeJUnitReport(report, opts.junit);
  recordGrade(report);
  return report;
}

export async function gradeCommand(labName: string, opts: GradeCommandOptions): Promise<number> {
  if (opts.watch) return watch(labName, opts);
  const session = await openSession(opts);
  try {
    const report = await gradeOnce(labName, opts, session);
    return report?.passed ? 0 : 1;
  } finally {
    session.close();
  }
}

function watch(labName: string, opts: GradeCommandOptions): Promise<number> {
  const entry = findLab(labName);
  const dir = opts.solution ? entry.solutionDir : entry.dir;
  const args = process.argv.slice(2).filter((a) => a !== "--watch");
  let running = false;
  let again = false;
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    console.clear();
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: "inherit" });
    child.on("exit", () => {
      running = false;
      console.log(pc.dim(`\nwatching ${path.relative(process.cwd(), dir)}/ — save a file to grade again, Ctrl-C to stop`));
      if (again) {
        again = false;
        run();
      }
    });
  };
  let timer: NodeJS.Timeout | undefined;
  fs.watch(dir, { recursive: true }, (_event, file) => {
    if (!file || !/\.(ts|json|mjs|js)$/.test(String(file))) return;
    clearTimeout(timer);
    timer = setTimeout(run, 250); // editors write a file in several steps
  });
  run();
  return new Promise(() => {}); // until Ctrl-C
}
