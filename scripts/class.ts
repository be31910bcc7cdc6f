/** `npm run class -- …` — the class server and joining a class (src/kit/commands/class.ts, docs/instructors.md). */
import "../src/kit/quiet-sdk.js";
import { Command } from "commander";
import { reportFatal } from "../src/kit/commands/options.js";
import { exportCommand, joinCommand, leaveCommand, participantPolicyCommand, serveCommand, statusCommand } from "../src/kit/commands/class.js";

const program = new Command().name("npm run class --").description("Run a class: the instructor's live dashboard, and participants' results.");
const run = (fn: () => Promise<number>) => async () => {
  process.exitCode = await fn();
};
program
  .command("serve")
  .description("instructor: start the class server and its dashboard (LAN only)")
  .option("--host <address>", "address to listen on (default: this machine's LAN address)")
  .option("--port <port>", "port (default 4590)")
  .option("--name <name>", "the class's name, shown on the dashboard")
  .option("--dir <dir>", "where results are kept (default .s3-event-labs/class)")
  .action((opts) => run(() => serveCommand(opts))());
program
  .command("join")
  .description("participant: join a class; every grade you run is then sent to it")
  .argument("<link>", "the join link the instructor shows")
  .option("--name <name>", "your name as the instructor will see it (default: your login)")
  .option("--code <code>", "the join code, if the link has none")
  .option("--participant <name>", "same as --name")
  .action((link, opts) => run(() => joinCommand(link, { name: opts.name ?? opts.participant, code: opts.code }))());
program.command("leave").description("participant: leave the class (your results stay on the server)").action(() => run(leaveCommand)());
program.command("status").description("participant: which class you are in; sends queued results").action(() => run(statusCommand)());
program
  .command("export")
  .description("instructor: write the class's results")
  .option("--csv <file>", "one row per participant and lab")
  .option("--classroom50 <dir>", "per participant and lab: result.json (classroom50/result/v1), grade.json, junit.xml")
  .option("--dir <dir>", "the class's results folder (default .s3-event-labs/class)")
  .action((opts) => run(() => exportCommand(opts))());
program
  .command("participant-policy")
  .description("instructor: an IAM policy confining one participant to their own resources in a shared AWS account")
  .argument("<name>", "the participant's name (as in --participant)")
  .option("--account <id>", "the AWS account id (default: any account, \"*\")")
  .option("--region <region>", "the region the class uses (default: any region)")
  .option("--boundary", "print the participant's permissions boundary policy instead (create it as s3-event-labs-boundary-<name>)")
  .action((name, opts) => run(() => participantPolicyCommand(name, opts))());
await program.parseAsync().catch(reportFatal);
