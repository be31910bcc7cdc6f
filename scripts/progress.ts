/** `npm run progress` — every lab's status and next step (src/kit/commands/progress.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { progressCommand } from "../src/kit/commands/progress.js";

const program = new Command().name("npm run progress --").description("Every lab with its status, checks passed and the next step.");
program.option("--json", "machine-readable (schema s3-event-labs/progress@1)");
program.action(async (opts) => {
  process.exitCode = await progressCommand({ json: opts.json });
});
await program.parseAsync().catch(reportFatal);
