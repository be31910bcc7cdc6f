/**
 * `npm start`: the workshop menu (@inquirer/prompts). Pick a lab (passed labs
 * are marked ✔) → run the guided steps, grade my work, show a hint, run the
 * reference solution through the grader, clean up. Without a terminal (CI,
 * pipes) or with --yes it prints the labs, their status and the commands
 * instead of asking.
 */
import pc from "picocolors";
import { select } from "@inquirer/prompts";
import { listLabs, loadLab } from "../labs.js";
import { readProgress } from "../progress.js";
import { nextHint } from "../hints.js";
import { isInteractive, openSession, type CommonOptions, type Session } from "../session.js";
import { runGuided } from "../steps.js";
import { checkHealth, readCloudState } from "../local-cloud.js";
import { consoleBase } from "../console-link.js";
import { gradeOnce } from "./grade.js";
import { cleanupLab } from "./cleanup.js";
import type { LabDefinition } from "../lab-definition.js";

function statusMark(labId: string): string {
  const p = readProgress()[labId];
  if (!p) return pc.dim("·");
  if (p.passed) return pc.green("✔");
  return p.everPassed ? pc.yellow("✔") : pc.red(`${p.passedChecks}/${p.totalChecks}`);
}

export async function startCommand(opts: CommonOptions): Promise<number> {
  const labs = await Promise.all(listLabs().map(async (entry) => ({ entry, def: await loadLab(entry) })));
  console.log(pc.bold("S3 Event Labs") + pc.dim(" — event-driven architecture on Amazon S3, on a local cloud or your AWS account"));
  // The running background cloud's console (a cloud started later by the menu prints its own link when it starts).
  const state = readCloudState();
  const link = state && consoleBase(state.endpoint, state.adminToken);
  if (link && (await checkHealth(state.endpoint, 300))) console.log(pc.dim("console (what happened to each upload): ") + pc.cyan(link));
  if (!isInteractive(opts)) {
    for (const { def } of labs) console.log(`  ${statusMark(def.id)} ${def.id}  ${def.title}`);
    console.log(`\nNo terminal to ask in; use the commands directly:\n  npm run lab -- 01      guided steps\n  npm run grade -- 01    grade your work (--solution grades the reference)\n  npm run hint -- 01     the next hint for what failed\n  npm run progress       every lab's status\n  npm run cleanup -- 01  remove what a lab created\n  npm run doctor         check this machine`);
    return 0;
  }
  let session: Session | undefined;
  const getSession = async () => (session ??= await openSession(opts));
  try {
    for (;;) {
      const labId = await select({
        message: "Pick a lab",
        choices: [
          ...labs.map(({ def }) => ({ name: `${statusMark(def.id)} ${def.id}  ${def.title}`, value: def.id, description: def.summary })),
          { name: "  quit", value: "quit" },
        ],
      });
      if (labId === "quit") return 0;
      const { entry, def } = labs.find((l) => l.def.id === labId)!;
      await labMenu(entry, def, getSession, opts);
    }
  } catch (err) {
    if ((err as Error).name === "ExitPromptError") return 0; // Ctrl-C in a prompt
    throw err;
  } finally {
    (session as Session | undefined)?.close();
  }
}

async function labMenu(entry: Parameters<typeof runGuided>[1], def: LabDefinition, getSession: () => Promise<Session>, opts: CommonOptions): Promise<void> {
  for (;;) {
    const action = await select({
      message: `Lab ${def.id} — ${def.title}`,
      choices: [
        { name: "Run the guided steps", value: "guided", description: "Build it step by step, with explanations and the AWS CLI equivalents" },
        { name: "Grade my work", value: "grade", description: `Checks your files in labs/${entry.folder}/ with real uploads` },
        { name: "Show a hint", value: "hint", description: "The next hint (concept → API → code) for the first failing check of your latest grade" },
        { name: "Run the reference solution", value: "solution", description: "Grades solutions/ — see what passing looks like" },
        { name: "Clean up", value: "cleanup", description: "Delete everything this lab created" },
        { name: "Back", value: "back" },
      ],
    });
    if (action === "back") return;
    const session = await getSession();
    if (action === "guided") await runGuided(def, entry, session, { participant: opts.participant });
    if (action === "grade" || action === "solution") {
      await gradeOnce(def.id, { ...opts, solution: action === "solution" }, session); // records the latest grade (progress.ts)
    }
    if (action === "hint") showHint(entry, def);
    if (action === "cleanup") await cleanupLab(session, def.id);
    console.log("");
  }
}

/** The next hint level for the first failing check of the latest grade (CLI, menu or watch — hints.ts). */
function showHint(entry: Parameters<typeof runGuided>[1], def: LabDefinition): void {
  for (const line of nextHint(entry, def).lines) console.log(line);
}
