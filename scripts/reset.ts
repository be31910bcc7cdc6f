/** `npm run reset -- <lab>` — put a lab's files back to the starters, keeping a backup (src/kit/commands/reset.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { resetCommand } from "../src/kit/commands/reset.js";

const program = new Command().name("npm run reset --").description("Restore a lab's starter files (your files are backed up under .s3-event-labs/backups/).").argument("<lab>", "lab number or slug, e.g. 01");
program.option("-y, --yes", "do not ask");
program.action(async (lab: string, opts) => {
  process.exitCode = await resetCommand(lab, { yes: opts.yes });
});
await program.parseAsync().catch(reportFatal);
