/**
 * The learner's way through lab 01 (issue 14), on a test cloud, with the
 * learner's files in a copy of the shipped starters (never the repository's
 * own labs/):
 * - "done" means "differs from the starter as shipped": leftover // TODO
 *   comments do not matter, a CRLF checkout is not an edit;
 * - hints come in levels, one more per `npm run hint`, about the first
 *   failing check of the LATEST grade — after a CLI grade and after a grade
 *   the menu runs (gradeOnce, in process) — and `--all` shows every level;
 * - a pass ends with "next: lab 02"; `npm run progress --json` shows it;
 * - reset puts the starters back and keeps a backup;
 * - no command prints the SDK's Node-version warning.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { isDone, materializeStarters, starterState } from "../../src/kit/starters.js";
import { nextHint, readHints } from "../../src/kit/hints.js";
import { gradeOnce } from "../../src/kit/commands/grade.js";
import { labStatuses } from "../../src/kit/commands/progress.js";
import { resetCommand } from "../../src/kit/commands/reset.js";
import { lastGrade } from "../../src/kit/progress.js";
import { explainSkip, kitTestBed } from "./helpers.js";
import { kitProcess } from "./kit-process.js";

// setHomeEnv: in-process calls (the menu's path) share the CLI's state
const { cloud, session, features, home, root } = await kitTestBed({ name: "learner", home: true, root: true, setHomeEnv: true });

const entry = findLab("01");
const lab = await loadLab(entry);
const dir = path.join(root, entry.folder);
materializeStarters(entry.folder, lab.learnerFiles, dir);
const hints = readHints(entry);
const POLICY = "queue policy lets S3 send, only from this bucket and account";
const NOTIFICATION = "notification configuration sends created and removed events to the queue";
const SDK_WARNING = /NodeVersionSupportWarning|AWS SDK for JavaScript \(v3\)/;

/** Put the reference's version of a file in place the way many editors save: write a temp file, rename it over. */
const solve = (file: string, extra = "") => {
  const tmp = path.join(dir, `.${file}.swp`);
  fs.writeFileSync(tmp, fs.readFileSync(path.join(entry.solutionDir, file), "utf8") + extra);
  fs.renameSync(tmp, path.join(dir, file));
};

const run = async (script: string, args: string[]) => {
  const p = kitProcess(script, args, { S3_EVENT_LABS_HOME: home });
  const code = await p.exited;
  expect(p.output()).not.toMatch(SDK_WARNING);
  return { code, out: p.output() };
};
const grade = () => run("grade", ["01", "--files", dir, "--target", "endpoint", "--endpoint-url", cloud.endpoint]);

describe("done = differs from the starter as shipped", () => {
  it("an untouched starter is not done, also with CRLF line endings; a solved file keeping its TODO lines is", () => {
    const scratch = path.join(root, "scratch", entry.folder);
    materializeStarters(entry.folder, lab.learnerFiles, scratch);
    const file = "event-reader.ts";
    const rootOf = path.join(root, "scratch");
    expect(starterState(entry.folder, file, rootOf)).toBe("untouched");
    expect(isDone(entry.folder, file, rootOf)).toBe(false);
    fs.writeFileSync(path.join(scratch, file), fs.readFileSync(path.join(scratch, file), "utf8").replace(/\n/g, "\r\n"));
    expect(isDone(entry.folder, file, rootOf)).toBe(false);
    const todoLines = fs.readFileSync(path.join(scratch, file), "utf8").split(/\r?\n/).filter((l) => l.includes("// TODO"));
    expect(todoLines.length).toBeGreaterThan(0);
    fs.writeFileSync(path.join(scratch, file), fs.readFileSync(path.join(entry.solutionDir, file), "utf8") + "\n" + todoLines.join("\n") + "\n");
    expect(isDone(entry.folder, file, rootOf)).toBe(true);
    fs.rmSync(path.join(scratch, file));
    expect(starterState(entry.folder, file, rootOf)).toBe("missing");
  });
});

const skip = explainSkip("the learner's way through lab 01", features, ["s3", "sqs", "notifications"]);
describe.skipIf(skip)("hints, progress and reset on lab 01", () => {
  it("before any grade, hint says to grade first", () => {
    const h = nextHint(entry, lab);
    expect(h.kind).toBe("not-graded");
    expect(h.lines.join("\n")).toContain("npm run grade -- 01");
  });

  it("after a CLI grade of the starters, each `npm run hint` shows the next level of the first failing check; --all shows all", async () => {
    const g = await grade();
    expect(g.code).toBe(1);
    expect(g.out).toContain("npm run hint -- 01");
    expect(g.out).toContain(hints[POLICY]![0]); // the checklist shows level 1, the concept
    expect(g.out).not.toContain(hints[POLICY]![2]); // …not the code
    const levels = hints[POLICY]!;
    expect(levels).toHaveLength(3);
    for (let i = 1; i <= 3; i++) {
      const h = await run("hint", ["01"]);
      expect(h.code).toBe(0);
      expect(h.out).toContain(POLICY);
      expect(h.out).toContain(`hint ${i}/3:`);
      expect(h.out).toContain(levels[i - 1]);
      if (i < 3) expect(h.out).not.toContain(levels[i]);
    }
    expect((await run("hint", ["01"])).out).toContain("hint 3/3:"); // stays at the last level
    const all = await run("hint", ["01", "--all"]);
    for (const [i, t] of levels.entries()) expect(all.out).toContain(`hint ${i + 1}/3: ${t}`);
  }, 120_000);

  it("a grade run the menu's way (gradeOnce in process) is the latest: the hint moves to the next failing check", async () => {
    solve("queue-policy.ts");
    const report = await gradeOnce("01", { files: dir }, session);
    expect(report?.checks.find((c) => c.name === POLICY)?.status).toBe("pass");
    expect(lastGrade("01")?.startedAt).toBe(report?.startedAt);
    const h = nextHint(entry, lab);
    expect(h).toMatchObject({ kind: "hint", check: NOTIFICATION, level: 1, levels: 3 });
    expect(h.lines.join("\n")).toContain(hints[NOTIFICATION]![0]);
  }, 120_000);

  it("progress shows the lab in progress, then passed; a passed grade ends with next: lab 02", async () => {
    const before = (await labStatuses(root)).find((l) => l.id === "01")!;
    expect(before).toMatchObject({ status: "in progress", checksTotal: lab.grader.checks.length, filesWritten: ["queue-policy.ts"] });
    expect(before.checksPassed).toBeGreaterThanOrEqual(1);
    expect(before.next).toContain("notification.ts");
    for (const f of lab.learnerFiles) solve(f, "\n// TODO: a leftover comment line does not make a file unfinished\n");
    const g = await grade();
    expect(g.code, g.out).toBe(0);
    expect(g.out).toMatch(/next: lab 02/);
    const after = (await labStatuses(root)).find((l) => l.id === "01")!;
    expect(after).toMatchObject({ status: "passed", checksPassed: lab.grader.checks.length, filesToWrite: [] });
    const json = await run("progress", ["--json"]);
    const parsed = JSON.parse(json.out) as { schema: string; labs: Array<{ id: string; status: string; next: string }> };
    expect(parsed.schema).toBe("s3-event-labs/progress@1");
    expect(parsed.labs.find((l) => l.id === "01")?.status).toBe("passed");
    expect(parsed.labs.map((l) => l.id)).toEqual(expect.arrayContaining(["01", "02", "03"]));
    const text = await run("progress", []);
    expect(text.out).toMatch(/01 .*passed/);
    const h = await run("hint", ["01"]);
    expect(h.out).toContain("passed every check");
    expect(h.out).toMatch(/next: lab 02/);
  }, 120_000);

  it("reset puts the starters back and keeps the learner's files in a backup", async () => {
    const mine = fs.readFileSync(path.join(dir, "event-reader.ts"), "utf8");
    expect(await resetCommand("01", { yes: true, root })).toBe(0);
    for (const f of lab.learnerFiles) expect(starterState(entry.folder, f, root), f).toBe("untouched");
    const backups = fs.readdirSync(path.join(home, "backups"));
    expect(backups).toHaveLength(1);
    expect(fs.readFileSync(path.join(home, "backups", backups[0]!, "event-reader.ts"), "utf8")).toBe(mine);
    expect(await resetCommand("01", { yes: true, root })).toBe(0); // nothing to reset: no second backup
    expect(fs.readdirSync(path.join(home, "backups"))).toHaveLength(1);
  });
});
