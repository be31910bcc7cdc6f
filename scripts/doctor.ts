/** `npm run doctor` — is this machine ready for the labs? (src/kit/commands/doctor.ts) */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { commonOptions, reportFatal, withCommonOptions } from "../src/kit/commands/options.js";
import { doctorCommand } from "../src/kit/commands/doctor.js";

const program = withCommonOptions(new Command().name("npm run doctor --").description("Check Node, sharp, the target, credentials and the local cloud, with a fix for each problem."));
program.action(async (opts) => {
  process.exitCode = await doctorCommand(commonOptions(opts));
});
await program.parseAsync().catch(reportFatal);
