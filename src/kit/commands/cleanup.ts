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
import { discoverKitResources, participantOf } from "../sweep.js";
import { Ledger } from "../ledger.js";
import { confirm } from "@inquirer/prompts";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface CleanupCommandOptions extends CommonOptions {
  all?: boolean;
  /** The instructor's sweep: everything the kit created in the account, found by its tags (sweep.ts). */
  allParticipants?: boolean;
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
  if (opts.allParticipants) return sweepCommand(opts);
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

/** `--all-participants`: find every participant's resources by the kit's tags, show them, delete them after confirmation. */
async function sweepCommand(opts: CleanupCommandOptions): Promise<number> {
  const session = await openSession(opts);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sel-sweep-"));
  try {
    const spinner = makeSpinner(`looking for what the kit created on ${session.target.id}…`);
    const found = await discoverKitResources(session.clients, session.target).finally(() => spinner.stop());
    const byParticipant = new Map<string, typeof found.entries>();
    for (const e of found.entries) {
      const who = participantOf(e.namespace);
      const list = byParticipant.get(who);
      if (list) list.push(e);
      else byParticipant.set(who, [e]);
    }
    if (found.taggingApi) console.log(pc.dim(found.taggingApi));
    for (const arn of found.unhandled) console.log(pc.yellow(`tagged by the kit, not deleted by this sweep (delete it by hand): ${arn}`));
    for (const what of found.untaggedLookalikes) console.log(pc.yellow(`named like the kit's but cannot carry its tag, so not deleted (delete it by hand if the kit made it): ${what}`));
    if (found.entries.length === 0) {
      console.log(`Nothing the kit created was found on ${session.target.id}${session.target.kind === "aws" ? ` (account ${session.target.account}, region ${session.target.region})` : ""}.`);
      return found.unhandled.length ? 1 : 0;
    }
    console.log(pc.bold(`\nFound ${found.entries.length} resources the kit created, by participant:`));
    for (const [who, list] of [...byParticipant.entries()].sort()) {
      const labs = [...new Set(list.map((e) => e.lab))].sort().join(", ");
      console.log(`\n  ${pc.bold(who)} — ${list.length} resources (lab ${labs})`);
      for (const e of list) console.log(`    ${e.type.padEnd(28)} ${e.name}`);
    }
    console.log(pc.dim("\nOnly resources carrying the kit's s3-event-labs:namespace tag (and what belongs to them) are listed; nothing else is touched."));
    if (!opts.yes) {
      if (!session.interactive) {
        console.error(pc.red("Not deleting without confirmation: re-run with --yes for an unattended sweep."));
        return 2;
      }
      if (!(await confirm({ message: `Delete these ${found.entries.length} resources?`, default: false }))) return 1;
    }
    const scratchLedger = new Ledger(path.join(scratch, "ledger.json"));
    const r = await cleanupEntries(session.clients, scratchLedger, found.entries);
    // The machine's own ledger forgets what the sweep removed.
    const gone = new Set([...r.deleted, ...r.alreadyGone].map((e) => `${e.type}\u0000${e.name}`));
    for (const e of session.ledger.list({ target: session.target.id })) if (gone.has(`${e.type}\u0000${e.name}`)) session.ledger.remove(e.id);
    for (const f of r.failed) console.log(`${pc.red("✘")} ${f.entry.type.padEnd(28)} ${f.entry.name}: ${f.error}`);
    console.log(r.failed.length ? pc.yellow(`Deleted ${r.deleted.length + r.alreadyGone.length}; ${r.failed.length} could not be deleted — run the same command again.`) : pc.green(`Deleted ${r.deleted.length + r.alreadyGone.length} resources of ${byParticipant.size} participant(s).`));
    return r.failed.length || found.unhandled.length ? 1 : 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    session.close();
  }
}

