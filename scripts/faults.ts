/** `npm run faults` — inject duplicates, delays, reordering, throttles and transient errors into the local cloud (src/kit/commands/faults.ts). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { addFault, clearFaults, faultTrace, listFaults, removeFault } from "../src/kit/commands/faults.js";

const program = new Command()
  .name("npm run faults --")
  .description("The local cloud's fault switch: list (default), add, remove or clear fault rules; show injected faults.")
  .option("--endpoint-url <url>", "the cloud (default: the running local cloud)")
  .option("--region <region>", "region to sign with (default AWS_REGION or us-east-1)")
  .option("--json", "machine-readable output");
const common = () => program.opts<{ endpointUrl?: string; region?: string; json?: boolean }>();

program.command("list", { isDefault: true }).description("the fault rules and how often each fired").action(async () => {
  process.exitCode = await listFaults(common());
});
program
  .command("add <kind>")
  .description("add a rule: duplicate | delay | reorder | throttle | error")
  .option("--id <id>", "a name for the rule (default fault-N)")
  .option("--service <name>", "limit to a service: s3, sns, events, lambda, sqs (deliveries); lambda (throttle); s3 or dynamodb (error, required)")
  .option("--destination <arn>", "limit to deliveries to (or invocations of) this ARN")
  .option("--prefix <prefix>", "limit to resources whose name starts with this (your namespace, e.g. sel-me-07-)")
  .option("--operations <list>", "error: only these operations, e.g. GetObject,UpdateItem")
  .option("--probability <p>", "chance per event, 0–1 (default 1)")
  .option("--seed <n>", "seed of the rule's random choices (reproducible runs)")
  .option("--max <n>", "stop after n injections")
  .option("--copies <n>", "duplicate: extra copies (default 1)")
  .option("--delay-ms <ms>", "delay: ms, or min-max")
  .option("--window-ms <ms>", "reorder: random hold-back window (default 500)")
  .option("--error-code <code>", "error: s3 SlowDown|InternalError|ServiceUnavailable; dynamodb ProvisionedThroughputExceededException|ThrottlingException|InternalServerError")
  .action(async (kind: string, o) => {
    process.exitCode = await addFault(kind, o, common());
  });
program.command("remove <id>").description("remove one rule").action(async (id: string) => {
  process.exitCode = await removeFault(id, common());
});
program.command("clear").description("remove every rule (or those of one prefix)").option("--prefix <prefix>", "only rules with this prefix").action(async (o: { prefix?: string }) => {
  process.exitCode = await clearFaults(o.prefix, common());
});
program.command("trace").description("injected faults recorded in the trace").option("--since <iso>", "only since this time").action(async (o: { since?: string }) => {
  process.exitCode = await faultTrace({ ...common(), since: o.since });
});
await program.parseAsync().catch(reportFatal);
