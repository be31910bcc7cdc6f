/**
 * `npm run class -- <serve | join | leave | status | export | participant-policy>`:
 * the instructor's class server and a participant's membership
 * (src/kit/class/). See docs/instructors.md.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import pc from "picocolors";
import { statePath } from "../paths.js";
import { startClassServer } from "../class/server.js";
import { classLabs } from "../class/labs.js";
import { ClassStore } from "../class/store.js";
import { classCsv, writeClassroom50Dir } from "../class/export.js";
import { flushOutbox, joinClass, leaveClass, membership } from "../class/client.js";
import { boundaryPolicy, boundaryPolicyArn, boundaryPolicyName, participantPolicy } from "../class/participant-policy.js";
import { participantId } from "../names.js";

const classDir = (dir?: string) => path.resolve(dir ?? statePath("class"));

export async function serveCommand(opts: { host?: string; port?: string; name?: string; dir?: string }): Promise<number> {
  const server = await startClassServer({ dir: classDir(opts.dir), labs: await classLabs(), host: opts.host, port: opts.port ? Number(opts.port) : 4590, name: opts.name });
  console.log(
    [
      "",
      pc.bold(`Class server for "${server.store.name}" on ${server.url}`),
      "",
      `  Participants join with:   ${pc.cyan(`npm run class -- join ${server.joinLink} --name <their name>`)}`,
      `  Join code (for the board): ${pc.bold(server.code)}`,
      "",
      `  Your dashboard (keep this link to yourself): ${pc.cyan(server.dashboardLink)}`,
      "",
      pc.dim(`  Results are kept in ${path.relative(process.cwd(), server.store.dir) || server.store.dir}; export them with npm run class -- export --csv results.csv --classroom50 results/`),
      pc.dim("  Only machines on this network can reach it. Ctrl-C stops it (results stay)."),
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  await server.close();
  return 0;
}

export async function joinCommand(link: string, opts: { name?: string; code?: string; participant?: string }): Promise<number> {
  const name = opts.name ?? participantId(opts.participant);
  const m = await joinClass(link, name, opts.code);
  console.log(pc.green(`Joined "${m.className}" as ${m.name}.`) + ` From now on every grade you run is also sent to the class server (${m.server}).`);
  console.log(pc.dim(`Use --participant ${participantId(m.name)} (or LABS_PARTICIPANT) on a shared AWS account so your resources carry your name, and set S3_EVENT_LABS_PERMISSIONS_BOUNDARY to the boundary ARN your instructor gives you. Leave with npm run class -- leave.`));
  return 0;
}

export async function leaveCommand(): Promise<number> {
  const r = await leaveClass();
  if (!r.left) {
    console.log("You are not in a class.");
    return 0;
  }
  console.log(`Left "${r.left.className}". Your results stay on the class server; new grades are no longer sent.`);
  if (r.dropped) console.log(pc.yellow(`${r.dropped} result(s) not yet sent were dropped.`));
  if (r.serverToldError) console.log(pc.dim(`(The server could not be told: ${r.serverToldError}.)`));
  return 0;
}

export async function statusCommand(): Promise<number> {
  const m = membership();
  if (!m) {
    console.log("You are not in a class. Join one with: npm run class -- join <link> --name <name>");
    return 0;
  }
  const r = await flushOutbox(10_000);
  const steps = r.progressSent ? `Sent where you are in ${r.progressSent} lab(s)' guided steps. ` : "";
  const waiting = [r.pending ? `${r.pending} result(s)` : "", r.progressPending ? `${r.progressPending} guided-step progress record(s)` : ""].filter(Boolean).join(" and ");
  console.log(`In "${m.className}" as ${m.name} (${m.server}). ${r.sent ? `Sent ${r.sent} queued result(s). ` : ""}${steps}${waiting ? pc.yellow(`${waiting} still queued: ${r.problem}.`) : "Nothing queued."}`);
  return r.pending || r.progressPending ? 1 : 0;
}

export async function exportCommand(opts: { csv?: string; classroom50?: string; dir?: string }): Promise<number> {
  const dir = classDir(opts.dir);
  if (!fs.existsSync(path.join(dir, "class.json"))) {
    console.error(`No class in ${dir}: start one with npm run class -- serve (or point --dir at it).`);
    return 2;
  }
  if (!opts.csv && !opts.classroom50) {
    console.error("Say what to export: --csv <file> and/or --classroom50 <dir>.");
    return 2;
  }
  const store = new ClassStore(dir);
  const labs = await classLabs();
  if (opts.csv) {
    fs.mkdirSync(path.dirname(path.resolve(opts.csv)), { recursive: true });
    fs.writeFileSync(opts.csv, classCsv(store, labs));
    console.log(`Wrote ${opts.csv}: ${store.participants.length} participant(s) × ${labs.length} lab(s).`);
  }
  if (opts.classroom50) {
    const n = writeClassroom50Dir(store, labs, opts.classroom50);
    console.log(`Wrote ${n} file(s) under ${opts.classroom50}: per participant and lab, result.json (classroom50/result/v1), grade.json and junit.xml.`);
  }
  return 0;
}

/**
 * The participant policy (stdout, so `> ana-policy.json` works), or with
 * --boundary the permissions boundary policy; how to put both in place goes
 * to stderr, with the participant's id and the account filled in.
 */
export async function participantPolicyCommand(name: string, opts: { account?: string; region?: string; boundary?: boolean }): Promise<number> {
  const id = participantId(name);
  const scope = { account: opts.account, region: opts.region };
  console.log(JSON.stringify(opts.boundary ? boundaryPolicy(id, scope) : participantPolicy(id, scope), null, 2));
  const account = opts.account ?? "<account>";
  const flags = `${opts.account ? ` --account ${opts.account}` : ""}${opts.region ? ` --region ${opts.region}` : ""}`;
  console.error(
    pc.dim(
      [
        "",
        `The participant policy requires every role ${id} creates to carry the permissions boundary ${boundaryPolicyArn(id, account)}.`,
        "Create it once, with your own credentials, before the participant starts:",
        `  npm run class -- participant-policy ${id}${flags} --boundary > ${boundaryPolicyName(id)}.json`,
        `  aws iam create-policy --policy-name ${boundaryPolicyName(id)} --policy-document file://${boundaryPolicyName(id)}.json`,
        `(to update it later: aws iam create-policy-version --policy-arn ${boundaryPolicyArn(id, account)} --policy-document file://${boundaryPolicyName(id)}.json --set-as-default)`,
        `The participant sets: export S3_EVENT_LABS_PERMISSIONS_BOUNDARY=${boundaryPolicyArn(id, account)} LABS_PARTICIPANT=${id}`,
      ].join("\n"),
    ),
  );
  return 0;
}
