/**
 * The guided-step runner (issue 6, item 3). Each step prints its title, a
 * short explanation and the equivalent AWS CLI command, runs under a spinner
 * (long waits update the spinner text), then prints what it created. In a
 * terminal it waits for Enter between steps so there is time to read.
 *
 * Ctrl-C: resources are written to the ledger *before* each create call, so
 * stopping at any moment leaves a ledger that `npm run cleanup` fully cleans;
 * the runner says so and exits with code 130.
 *
 * Pieces: where the learner has not written a file yet (it is still the
 * starter as shipped, starters.ts), a step uses the reference file from
 * solutions/ instead and says so — the walkthrough always works, and the
 * grader is what checks the learner's own code. What a reference piece
 * returns (a policy, a configuration) is the answer to the exercise, so a
 * note that prints exactly that value is replaced by a line saying it is
 * hidden, unless --show-solution; what the cloud did with it is still shown.
 *
 * In a class (`npm run class -- join`), each step that starts, a step that
 * fails and the end of the run are reported to the class server in the
 * background (class/client.ts reportStep): never awaited by a step; the end
 * of the run waits at most a second for the send.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { spinner as makeSpinner, type Spinner } from "./spinner.js";
import pc from "picocolors";
import { consoleLink } from "./console-link.js";
import { input } from "@inquirer/prompts";
import { cleanupEntries } from "./cleanup.js";
import type { GuidedContext, LabDefinition } from "./lab-definition.js";
import type { LabEntry } from "./labs.js";
import { namespaceFor } from "./names.js";
import { repoRoot } from "./paths.js";
import type { Session } from "./session.js";
import { isDone } from "./starters.js";
import { errorMessage } from "./wait.js";
import { envHintLine } from "./env.js";
import { reportStep, settleSteps } from "./class/client.js";

const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "");

/** JSON of a value as a note would print it, or undefined when the note is not a JSON dump. */
function noteValue(note: string): string | undefined {
  const text = plain(note).trim();
  if (!/^[[{]/.test(text)) return undefined;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Wrap a reference module's functions so what they return is remembered (to keep it off the screen). */
function watchReturns<T>(mod: T, seen: Map<string, string>, file: string): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mod as Record<string, unknown>)) {
    if (typeof v !== "function") {
      out[k] = v;
      continue;
    }
    const remember = (r: unknown) => {
      try {
        if (r && typeof r === "object") seen.set(JSON.stringify(r), file);
      } catch {
        /* not serialisable: nothing to hide */
      }
      return r;
    };
    out[k] = (...args: unknown[]) => {
      const r = (v as (...a: unknown[]) => unknown)(...args);
      return r instanceof Promise ? r.then(remember) : remember(r);
    };
  }
  return out as T;
}

export interface GuidedOptions {
  participant?: string;
  /** Always use the reference pieces (the menu's "run the reference solution"). */
  solution?: boolean;
  /** Pause between steps for Enter. Default: when interactive. */
  pause?: boolean;
  /** Print what reference pieces return (policies, configurations) — off by default: it is the answer. */
  showSolution?: boolean;
  /** The folder holding the learner's lab folders (default labs/; tests use a copy). */
  root?: string;
}

export async function runGuided(lab: LabDefinition, entry: LabEntry, session: Session, options: GuidedOptions = {}): Promise<{ ok: boolean; namespace: string }> {
  const { target, clients, ledger } = session;
  // A previous guided run of this lab may have left resources: start clean so old messages do not confuse this run.
  const leftovers = ledger.list({ target: target.id, lab: lab.id });
  if (leftovers.length) {
    const sp = makeSpinner(`removing ${leftovers.length} resources left by an earlier run of lab ${lab.id}…`);
    const r = await cleanupEntries(clients, ledger, leftovers);
    sp[r.failed.length ? "warn" : "succeed"](`removed ${r.deleted.length + r.alreadyGone.length} earlier resources${r.failed.length ? `, ${r.failed.length} could not be removed (npm run cleanup -- ${lab.id} retries)` : ""}`);
  }

  const names = namespaceFor(lab.id, options.participant);
  let spinner: Spinner | undefined;
  const announced = new Set<string>();
  const referenceOutputs = new Map<string, string>();
  const ctx: GuidedContext = {
    target,
    clients,
    ledger,
    lab: lab.id,
    names,
    by: "guided",
    state: {},
    status: (text) => {
      if (spinner) spinner.text = text;
    },
    log: (line) => {
      if (spinner?.isSpinning) spinner.clear();
      console.log(`   ${line}`);
      spinner?.render();
    },
    pieceSource(file) {
      const root = options.root ?? path.dirname(entry.dir);
      const mine = path.join(root, entry.folder, file);
      if (!options.solution && fs.existsSync(mine) && isDone(entry.folder, file, root)) return mine;
      const ref = path.join(entry.solutionDir, file);
      if (!announced.has(file)) {
        announced.add(file);
        const why = options.solution ? "reference solution run" : `${path.relative(repoRoot, mine)} is not written yet`;
        console.log(pc.dim(`   (${why}: this step uses the reference — the grader checks yours)`));
      }
      return ref;
    },
    async importPiece<T>(file: string): Promise<T> {
      const source = ctx.pieceSource(file);
      const mod = (await import(pathToFileURL(source).href)) as T;
      return source.startsWith(entry.solutionDir) && !options.showSolution ? watchReturns(mod, referenceOutputs, file) : mod;
    },
  };

  const onSigint = () => {
    spinner?.stop();
    console.log(`\n${pc.yellow("Stopped.")} Everything created so far is in the ledger; remove it with ${pc.cyan(`npm run cleanup -- ${lab.id}`)}.`);
    session.close();
    process.exit(130);
  };
  process.on("SIGINT", onSigint);
  const traceLink = consoleLink(target.consoleUrl, { ns: names.namespace });
  console.log(`\n${pc.bold(`Lab ${lab.id} — ${lab.title}`)}\n${pc.dim(lab.summary)}\n${pc.dim(`namespace ${names.namespace}`)}${traceLink ? `\n${pc.dim("watch its events live:")} ${pc.cyan(traceLink)}` : ""}\n`);
  const pause = options.pause ?? session.interactive;
  try {
    for (const [i, step] of lab.steps.entries()) {
      const where = { lab: lab.id, step: i + 1, steps: lab.steps.length, title: step.title };
      reportStep({ ...where, state: "started" });
      console.log(`${pc.bold(pc.cyan(`Step ${i + 1}/${lab.steps.length}`))} ${pc.bold(step.title)}`);
      console.log(indent(step.explain));
      for (const cmd of step.cli ?? []) console.log(pc.dim(`   $ ${cmd}`));
      const sp = (spinner = makeSpinner(step.title, 3));
      const started = Date.now();
      try {
        const outcome = await step.run(ctx);
        sp.succeed(`${step.title} ${pc.dim(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)}`);
        spinner = undefined;
        const width = Math.max(0, ...(outcome?.created ?? []).map(([k]) => k.length));
        for (const [label, value] of outcome?.created ?? []) console.log(`   ${pc.green("+")} ${label.padEnd(width)}  ${value}`);
        for (const note of outcome?.notes ?? []) {
          const hiddenFrom = referenceOutputs.get(noteValue(note) ?? "");
          console.log(hiddenFrom ? pc.dim(`   (what the reference ${hiddenFrom} returned is the answer to the exercise, so it is not shown: --show-solution)`) : indent(note));
        }
      } catch (err) {
        sp.fail(`${step.title}: ${errorMessage(err)}`);
        spinner = undefined;
        console.log(`\nThe run stopped at step ${i + 1}. What it created is in the ledger: ${pc.cyan(`npm run cleanup -- ${lab.id}`)}`);
        reportStep({ ...where, state: "failed" });
        await settleSteps();
        return { ok: false, namespace: names.namespace };
      }
      console.log("");
      if (pause && i < lab.steps.length - 1) {
        try {
          await input({ message: pc.dim("Enter for the next step") });
        } catch {
          onSigint(); // Ctrl-C inside the prompt
        }
      }
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
  console.log(`${pc.green(pc.bold("Done."))} The resources stay so you can look at them (${ledger.list({ target: target.id, namespace: names.namespace }).length} in the ledger).`);
  console.log(envHintLine(target));
  if (traceLink) console.log(`What happened to each upload of this run: ${pc.cyan(traceLink)}`);
  const last = lab.steps.length;
  if (last) reportStep({ lab: lab.id, step: last, steps: last, title: lab.steps[last - 1]!.title, state: "done" });
  console.log(`Next: complete the TODOs in ${pc.cyan(path.relative(repoRoot, entry.dir) + "/")}, then ${pc.cyan(`npm run grade -- ${lab.id}`)} (${pc.cyan(`npm run hint -- ${lab.id}`)} when stuck). Clean up with ${pc.cyan(`npm run cleanup -- ${lab.id}`)}.`);
  await settleSteps();
  return { ok: true, namespace: names.namespace };
}

function indent(text: string): string {
  return text
    .trim()
    .split("\n")
    .map((l) => `   ${l}`)
    .join("\n");
}
