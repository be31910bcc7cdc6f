/**
 * `npm run cleanup -- <lab>` or `-- --all`: delete what the ledger recorded for
 * this target (all labs with --all), in dependency order; safe to run twice.
 * `--stop-cloud` also stops the background local cloud the kit started.
 */
import { spinner as makeSpinner } from "../spinner.js";
import pc from "picocolors";
import { cleanupEntries } from "../cleanup.js";
import { findLab } from "../labs.js";
import { stopBackgroundCloud } from "../local-cloud.js";
import { openSession, type CommonOptions, type Session } from "../session.js";

export interface CleanupCommandOptions extends CommonOptions {
  all?: boolean;
  stopCloud?: boolean;
}

export async function cleanupLab(session: Session, labId: string | undefined): Promise<number> {
  const entries = session.ledger.list({ target: session.target.id, ...(labId ? { lab: labId } : {}) });
  const what = labId ? `lab ${labId}` : "all labs";
  if (entries.length === 0) {
    console.log(`Nothing to clean up for ${what} on ${session.target.id}: the ledger is empty.`);
    return 0;
  }
  const spinner = makeSpinner(`deleting ${entries.length} resources of ${what}…`);
  const r = await cleanupEntries(session.clients, session.ledger, entries, (e, outcome) => {
    spinner.text = `${outcome === "failed" ? "could not delete" : "deleted"} ${e.type} ${e.name}`;
  });
  spinner.stop();
  for (const e of r.deleted) console.log(`${pc.green("-")} ${e.type.padEnd(26)} ${e.name}`);
  for (const e of r.alreadyGone) console.log(`${pc.dim("-")} ${e.type.padEnd(26)} ${e.name} ${pc.dim("(already gone)")}`);
  for (const f of r.failed) console.log(`${pc.red("✘")} ${f.entry.type.padEnd(26)} ${f.entry.name}: ${f.error}`);
  if (r.failed.length) {
    console.log(pc.yellow(`${r.failed.length} resources could not be deleted and stay in the ledger; run the same command again, or delete them by hand.`));
    return 1;
  }
  console.log(pc.green(`Cleaned up ${r.deleted.length + r.alreadyGone.length} resources of ${what}.`));
  return 0;
}

export async function cleanupCommand(labName: string | undefined, opts: CleanupCommandOptions): Promise<number> {
  if (!labName && !opts.all && !opts.stopCloud) {
    console.error("Say what to clean up: `npm run cleanup -- 01` (one lab) or `npm run cleanup -- --all`.");
    return 2;
  }
  let code = 0;
  if (labName || opts.all) {
    const labId = labName ? findLab(labName).id : undefined;
    const session = await openSession(opts);
    try {
      code = await cleanupLab(session, labId);
    } finally {
      session.close();
    }
  }
  if (opts.stopCloud) {
    const r = await stopBackgroundCloud();
    console.log(r === "stopped" ? "Stopped the background local cloud (its data stays in .s3-event-labs/cloud-data)." : "No background local cloud started by the kit is running.");
  }
  return code;
}
