/** `npm run env` — exports that point the AWS CLI and SDKs at the running local cloud (src/kit/commands/env.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { envCommand } from "../src/kit/commands/env.js";

const program = new Command().name("npm run -s env --").description('Print AWS_ENDPOINT_URL, credentials and region for the running local cloud: eval "$(npm run -s env)".');
program.option("--shell <shell>", "sh (bash, zsh; default), fish or powershell").option("--region <region>", "region to export (default AWS_REGION or us-east-1)");
program.action(async (opts) => {
  process.exitCode = await envCommand({ shell: opts.shell, region: opts.region });
});
await program.parseAsync().catch(reportFatal);
