/** `npm run cleanup -- <lab>` or `-- --all` — delete what the kit created (src/kit/commands/cleanup.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { commonOptions, reportFatal, withCommonOptions } from "../src/kit/commands/options.js";
import { cleanupCommand } from "../src/kit/commands/cleanup.js";

const program = withCommonOptions(new Command().name("npm run cleanup --").description("Delete the resources the kit recorded in its ledger.").argument("[lab]", "lab number or slug, e.g. 01"));
program.option("--all", "every lab on this target").option("--all-participants", "instructor: everything the kit created in the account, every participant's, found by its tags").option("--stop-cloud", "also stop the background local cloud");
program.action(async (lab: string | undefined, opts) => {
  process.exitCode = await cleanupCommand(lab, { ...commonOptions(opts), all: opts.all, allParticipants: opts.allParticipants, stopCloud: opts.stopCloud });
});
await program.parseAsync().catch(reportFatal);
