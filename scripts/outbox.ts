/** `npm run outbox` — the local cloud's email outbox (src/kit/commands/outbox.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { outboxCommand } from "../src/kit/commands/outbox.js";

const program = new Command().name("npm run outbox --").description("What the local cloud's SNS sent to email and email-json subscriptions (never mailed): npm run outbox [-- <address>].");
program
  .argument("[address]", "one address's mail, oldest first")
  .option("--confirm <address>", "open the newest confirmation link sent to <address> (confirms the subscription)")
  .option("--since <iso-time>", "only mail sent from then on")
  .option("--json", "machine-readable")
  .option("-t, --target <target>", "local (default) or endpoint; on aws there is no outbox")
  .option("--endpoint-url <url>", "a local cloud at another address")
  .option("--region <region>", "region");
program.action(async (address, opts) => {
  process.exitCode = await outboxCommand({ address, ...opts });
});
await program.parseAsync().catch(reportFatal);
