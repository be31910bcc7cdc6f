/** `npm run hint -- <lab>` — the next hint for what failed in your latest grade (src/kit/commands/hint.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { hintCommand } from "../src/kit/commands/hint.js";

const program = new Command().name("npm run hint --").description("Show the next hint (concept → API → code) for the first failing check of your latest grade.").argument("<lab>", "lab number or slug, e.g. 01");
program.option("--all", "show every level at once");
program.action(async (lab: string, opts) => {
  process.exitCode = await hintCommand(lab, { all: opts.all });
});
await program.parseAsync().catch(reportFatal);
