/** `npm start` — the workshop menu (src/kit/commands/start.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { commonOptions, reportFatal, withCommonOptions } from "../src/kit/commands/options.js";
import { startCommand } from "../src/kit/commands/start.js";

const program = withCommonOptions(new Command().name("npm start --").description("The S3 Event Labs menu: pick a lab, run its guided steps, grade, clean up."));
program.action(async (opts) => {
  process.exitCode = await startCommand(commonOptions(opts));
});
await program.parseAsync().catch(reportFatal);
