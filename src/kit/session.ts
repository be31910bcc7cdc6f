/**
 * Opening a session for a command: resolve the target (starting the local
 * cloud if needed, with a spinner), build the clients, open the ledger — and,
 * on AWS, say exactly where and what will be created and ask first
 * (issue 6, item 1). Unattended runs (--yes, or stdin not a terminal) never
 * ask; on AWS they need --yes, because creating things in someone's account
 * must be a decision.
 */
import { spinner as makeSpinner } from "./spinner.js";
import pc from "picocolors";
import { confirm } from "@inquirer/prompts";
import { createClients, type Clients } from "./clients.js";
import { Ledger } from "./ledger.js";
import { describeTarget, resolveTarget, type Target } from "./target.js";

export interface CommonOptions {
  target?: string;
  endpointUrl?: string;
  region?: string;
  yes?: boolean;
  participant?: string;
}

export interface Session {
  target: Target;
  clients: Clients;
  ledger: Ledger;
  interactive: boolean;
  close(): void;
}

export const isInteractive = (opts: { yes?: boolean }) => Boolean(process.stdin.isTTY && process.stdout.isTTY && !opts.yes);

export async function openSession(opts: CommonOptions, quiet = false): Promise<Session> {
  const spinner = quiet ? undefined : makeSpinner("finding the cloud…");
  let target: Target;
  try {
    target = await resolveTarget({ target: opts.target, endpointUrl: opts.endpointUrl, region: opts.region, onStatus: (t) => spinner && (spinner.text = t) });
  } catch (err) {
    spinner?.fail((err as Error).message);
    throw Object.assign(err as Error, { reported: Boolean(spinner) });
  }
  spinner?.succeed(`${target.startedCloud ? "started the " : ""}${describeTarget(target)}`);
  if (spinner && target.consoleUrl) console.log(pc.dim(`  console: ${target.consoleUrl}`));
  const clients = createClients(target);
  return { target, clients, ledger: new Ledger(), interactive: isInteractive(opts), close: () => clients.destroy() };
}

/** On AWS: print account, region and the plan, then ask (or require --yes). Returns false if declined. */
export async function confirmAwsPlan(session: Session, plan: string[], opts: { yes?: boolean }): Promise<boolean> {
  if (session.target.kind !== "aws") return true;
  console.log(
    [
      "",
      pc.bold(pc.yellow("You are about to create resources in AWS.")),
      `  account  ${session.target.account}`,
      `  region   ${session.target.region}`,
      `  as       ${session.target.callerArn}`,
      `  creates  ${plan.join("\n           ")}`,
      pc.dim("  Everything is recorded in .s3-event-labs/ledger.json and tagged s3-event-labs:*; `npm run cleanup` removes it."),
      pc.dim("  Costs are within the free tier for a workshop, but they are real AWS charges."),
      "",
    ].join("\n"),
  );
  if (opts.yes) return true;
  if (!session.interactive) {
    console.error(pc.red("Not creating anything in AWS without confirmation: re-run with --yes for an unattended run."));
    return false;
  }
  return confirm({ message: "Create these resources?", default: false });
}
