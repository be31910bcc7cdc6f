/**
 * `npm run doctor`: is this machine ready? Node version, sharp (and its
 * linux-x64 build for Lambda), esbuild, the AWS CLI (optional), the local
 * cloud's status, whether it can sandbox Lambda handlers (bubblewrap), the chosen target's reachability and credentials, and the
 * ledger. Every problem comes with the command that fixes it. Exit 1 when a
 * required check fails.
 *
 * Read-only: it never starts a local cloud (for --target local it reports the
 * one running, or that the next lab command starts one) and creates nothing.
 * Node 20 works but is past its end of life (30 April 2026): a warning with
 * the upgrade, not a failure.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import pc from "picocolors";
import { findRunningCloud, lambdaSandboxStatus, readCloudState } from "../local-cloud.js";
import { Ledger } from "../ledger.js";
import { repoRoot } from "../paths.js";
import { describeTarget, parseTargetKind, resolveTarget } from "../target.js";
import { errorMessage } from "../wait.js";
import type { CommonOptions } from "../session.js";

interface Finding {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  fix?: string;
}

export async function doctorCommand(opts: CommonOptions): Promise<number> {
  const findings: Finding[] = [];
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  const supported = major > 20 || (major === 20 && minor >= 9);
  findings.push({ name: "Node.js", ok: supported, required: true, detail: `v${process.versions.node}`, fix: "Install Node.js 22 or 24 (https://nodejs.org, or `nvm install 22`)." });
  if (supported && major < 22) {
    findings.push({ name: "Node.js support", ok: false, required: false, detail: `Node ${major} reached its end of life on 30 April 2026; the kit still runs on it, but AWS SDK releases from 2027 need Node 22`, fix: "Upgrade to Node.js 22 or 24 LTS (`nvm install 22`, or https://nodejs.org), then `npm ci`." });
  }

  try {
    const sharp = (await import("sharp")).default;
    findings.push({ name: "sharp", ok: true, required: false, detail: `${sharp.versions.sharp} with libvips ${sharp.versions.vips}` });
  } catch (err) {
    findings.push({ name: "sharp", ok: false, required: false, detail: errorMessage(err).split("\n")[0]!, fix: "Run `npm ci` again; lab 03 needs sharp. On an unusual platform: `npm install --os=<platform> --cpu=<arch> sharp` with the values `node -p process.platform` and `node -p process.arch` print." });
  }
  const linuxSharp = fs.existsSync(path.join(repoRoot, "node_modules", "@img", "sharp-linux-x64"));
  findings.push({ name: "sharp for Lambda (linux-x64)", ok: true, required: false, detail: linuxSharp ? "installed" : "not installed here; fetched on first packaging with npm install --os=linux --cpu=x64" });

  try {
    const esbuild = await import("esbuild");
    findings.push({ name: "esbuild", ok: true, required: true, detail: esbuild.version });
  } catch (err) {
    findings.push({ name: "esbuild", ok: false, required: true, detail: errorMessage(err), fix: "Run `npm ci`." });
  }
  const cli = spawnSync("aws", ["--version"], { encoding: "utf8" });
  findings.push({ name: "AWS CLI (optional)", ok: cli.status === 0, required: false, detail: cli.status === 0 ? (cli.stdout || cli.stderr).trim() : "not found", fix: "Only needed to try the CLI commands the labs show: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html" });

  const running = await findRunningCloud();
  const state = readCloudState();
  findings.push({
    name: "local cloud",
    ok: true,
    required: false,
    detail: running ? `running at ${running.endpoint} (${running.source === "state-file" ? "started by the kit" : "npm run cloud"}), services: ${running.health.services?.join(", ")}, IAM ${running.health.iam}` : state ? "recorded but not answering; the next command starts a new one" : "not running; the next lab command starts it in the background",
  });

  const sandbox = await lambdaSandboxStatus();
  findings.push({
    name: "Lambda sandbox (bubblewrap)",
    ok: sandbox.sandboxed,
    required: false,
    detail: sandbox.detail,
    fix: sandbox.fix,
  });

  let local = false;
  try {
    local = (opts.endpointUrl && !opts.target ? "endpoint" : parseTargetKind(opts.target)) === "local";
  } catch {
    /* an unknown --target: resolveTarget below reports it */
  }
  if (local && !running) {
    // resolveTarget would start a cloud; the doctor only looks.
    findings.push({ name: "target", ok: true, required: true, detail: "local — no cloud running yet (`npm start` or any lab command starts one)" });
    const ledger = new Ledger().list({ target: "local" });
    findings.push({ name: "ledger", ok: ledger.length === 0, required: false, detail: ledger.length ? `${ledger.length} resources recorded for local (a new cloud will not have them: they go when its data is gone)` : "nothing left behind", fix: "npm run cleanup -- --all (once a cloud runs)" });
  } else try {
    const target = await resolveTarget({ target: opts.target, endpointUrl: opts.endpointUrl, region: opts.region });
    findings.push({ name: "target", ok: true, required: true, detail: describeTarget(target) });
    const ledger = new Ledger().list({ target: target.id });
    findings.push({ name: "ledger", ok: ledger.length === 0, required: false, detail: ledger.length ? `${ledger.length} resources recorded for ${target.id}` : "nothing left behind", fix: "npm run cleanup -- --all" });
  } catch (err) {
    findings.push({
      name: "target",
      ok: false,
      required: true,
      detail: errorMessage(err),
      fix: opts.target === "aws" ? "Configure credentials (`aws configure` or AWS_PROFILE) and a region (AWS_REGION)." : "Check the endpoint URL, or see .s3-event-labs/cloud.log for the local cloud's output.",
    });
  }

  for (const f of findings) {
    const mark = f.ok ? pc.green("✔") : f.required ? pc.red("✘") : pc.yellow("!");
    console.log(`${mark} ${f.name.padEnd(30)} ${f.detail}`);
    if (!f.ok && f.fix) console.log(`  ${pc.cyan("fix:")} ${f.fix}`);
  }
  const bad = findings.filter((f) => !f.ok && f.required);
  console.log(bad.length ? pc.red(`\n${bad.length} problem(s) to fix.`) : pc.green("\nReady."));
  return bad.length ? 1 : 0;
}
