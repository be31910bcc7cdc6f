/** `npm run lab -- <lab>` — a lab's guided steps (src/kit/commands/lab.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { commonOptions, reportFatal, withCommonOptions } from "../src/kit/commands/options.js";
import { labCommand } from "../src/kit/commands/lab.js";

const program = withCommonOptions(new Command().name("npm run lab --").description("Run a lab's guided steps.").argument("<lab>", "lab number or slug, e.g. 01"));
program.option("--solution", "build everything with the reference pieces from solutions/").option("--show-solution", "print what the reference pieces return (policies, configurations) for files you have not written");
program.action(async (lab: string, opts) => {
  process.exitCode = await labCommand(lab, { ...commonOptions(opts), solution: opts.solution, showSolution: opts.showSolution });
});
await program.parseAsync().catch(reportFatal);
