/** `npm run grade -- <lab>` — grade a lab (src/kit/commands/grade.ts). Exit 0 only when no check fails or errors (skipped checks allowed). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { commonOptions, reportFatal, withCommonOptions } from "../src/kit/commands/options.js";
import { gradeCommand } from "../src/kit/commands/grade.js";

const program = withCommonOptions(new Command().name("npm run grade --").description("Grade your work on a lab with real traffic.").argument("<lab>", "lab number or slug, e.g. 01"));
program
  .option("--solution", "grade the reference solution in solutions/ instead of your files")
  .option("--files <dir>", "grade the learner files in this folder instead of labs/NN-slug/ (e.g. a participant's copy)")
  .option("-w, --watch", "grade again whenever one of your files changes")
  .option("--json <file>", "write machine-readable results (schema in docs/kit.md)")
  .option("--junit <file>", "write JUnit XML results")
  .option("--classroom50 <file>", "write a Classroom 50 result file (classroom50/result/v1)")
  .option("--keep", "leave the grader's resources in place for inspection")
  .option("--verbose", "quote the function's full log text in failures instead of a summary");
program.action(async (lab: string, opts) => {
  process.exitCode = await gradeCommand(lab, { ...commonOptions(opts), solution: opts.solution, files: opts.files, watch: opts.watch, json: opts.json, junit: opts.junit, classroom50: opts.classroom50, keep: opts.keep, verbose: opts.verbose });
});
await program.parseAsync().catch(reportFatal);
