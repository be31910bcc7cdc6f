/**
 * `npm run grade -- 01 --watch` and Ctrl-C, as child processes on a test
 * cloud (the learner's files are a copy of the shipped starters):
 * - a save by atomic rename (how vim, `sed -i` and many IDEs save) re-grades,
 *   and so does the next one; the hint follows the watch's latest grade;
 * - SIGINT during a grade stops the checks, runs the cleanup, says so, exits
 *   130, and leaves the ledger empty and nothing in the cloud; a second one
 *   during the cleanup exits at once, listing what is left and the command;
 * - a save during a running grade cancels it (cleanup done) and grades again.
 * The grade is held before a named check by a test hook
 * (S3_EVENT_LABS_TEST_HOLD_BEFORE_CHECK, and before its cleanup with
 * S3_EVENT_LABS_TEST_HOLD_CLEANUP) so "during a grade" is certain.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { Ledger } from "../../src/kit/ledger.js";
import { materializeStarters } from "../../src/kit/starters.js";
import { nextHint } from "../../src/kit/hints.js";
import { explainSkip, kitTestBed } from "./helpers.js";
import { kitProcess, type KitProcess } from "./kit-process.js";

const running = new Set<KitProcess>();
const { cloud, session, features, home, root } = await kitTestBed({
  name: "watch",
  home: true,
  root: true,
  setHomeEnv: true,
  onClose: () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  },
});

const entry = findLab("01");
const lab = await loadLab(entry);
const TEST_EVENT = "S3's test event arrives and your reader skips it";

function workDir(name: string, solved: string[]): string {
  const dir = path.join(root, name);
  materializeStarters(entry.folder, lab.learnerFiles, dir);
  for (const f of solved) fs.copyFileSync(path.join(entry.solutionDir, f), path.join(dir, f));
  return dir;
}

/** Save the way vim / sed -i do: a new file renamed over the old one (a new inode). */
function saveByRename(dir: string, file: string, text: string): void {
  const tmp = path.join(dir, `${file}.tmp~`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, file));
}

const start = (args: string[], env: Record<string, string> = {}) => {
  const p = kitProcess("grade", ["01", ...args, "--target", "endpoint", "--endpoint-url", cloud.endpoint], { S3_EVENT_LABS_HOME: home, ...env });
  running.add(p);
  return p;
};

const ledgerEntries = () => new Ledger(path.join(home, "ledger.json")).list({});
const bucketsLeft = async () => ((await session.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name).filter((n) => n?.startsWith("sel-"));

const skip = explainSkip("watch and Ctrl-C on lab 01", features, ["s3", "sqs", "notifications"]);
describe.skipIf(skip)("watch and interrupt", () => {
  it("--watch re-grades after each save by atomic rename, and the hint follows the watch's grades", async () => {
    const dir = workDir("watch", []);
    const w = start(["--files", dir, "--watch"]);
    await w.waitFor(/watching .*save to grade again/);
    expect(w.output()).toMatch(/✘ queue policy lets S3 send/);
    expect(nextHint(entry, lab).check).toBe("queue policy lets S3 send, only from this bucket and account");

    saveByRename(dir, "queue-policy.ts", fs.readFileSync(path.join(entry.solutionDir, "queue-policy.ts"), "utf8"));
    await w.waitFor(/watching .*save to grade again/, 2);
    expect(w.output().split("Grading lab 01")[2]).toMatch(/✔ queue policy lets S3 send/);
    expect(nextHint(entry, lab).check).toBe("notification configuration sends created and removed events to the queue");

    // The second save replaces the inode the first rename created: still noticed.
    saveByRename(dir, "notification.ts", fs.readFileSync(path.join(entry.solutionDir, "notification.ts"), "utf8"));
    await w.waitFor(/watching .*save to grade again/, 3);
    expect(w.output().split("Grading lab 01")[3]).toMatch(/✔ notification configuration sends created and removed events/);

    w.child.kill("SIGINT");
    expect(await w.exited).toBe(130);
    expect(ledgerEntries()).toEqual([]);
  }, 180_000);

  it("Ctrl-C during a grade stops the checks, cleans up and says so; the ledger is empty", async () => {
    const dir = workDir("interrupt", lab.learnerFiles);
    const g = start(["--files", dir], { S3_EVENT_LABS_TEST_HOLD_BEFORE_CHECK: TEST_EVENT });
    await g.waitFor(/test hook: holding/);
    expect(ledgerEntries().length).toBeGreaterThan(0); // the bucket and queue exist now
    expect((await bucketsLeft()).length).toBeGreaterThan(0);
    g.child.kill("SIGINT");
    expect(await g.exited).toBe(130);
    const out = g.output();
    expect(out).toContain("Stopping the checks and cleaning up");
    expect(out).toMatch(/Stopped\. The checks did not finish; cleanup done: \d+ resource\(s\) removed, nothing left/);
    expect(out).toContain("not run: the grade was stopped (Ctrl-C)");
    expect(ledgerEntries()).toEqual([]);
    expect(await bucketsLeft()).toEqual([]);
  }, 120_000);

  it("a second Ctrl-C during the cleanup exits at once and prints what is left and the command that removes it", async () => {
    const dir = workDir("twice", lab.learnerFiles);
    const g = start(["--files", dir], { S3_EVENT_LABS_TEST_HOLD_BEFORE_CHECK: TEST_EVENT, S3_EVENT_LABS_TEST_HOLD_CLEANUP: "1" });
    await g.waitFor(/test hook: holding before "/);
    g.child.kill("SIGINT");
    await g.waitFor(/test hook: holding before the cleanup/);
    g.child.kill("SIGINT");
    expect(await g.exited).toBe(130);
    const out = g.output();
    const left = ledgerEntries();
    expect(out).toContain(`Exited before the cleanup finished. ${left.length} resource(s) left in the ledger:`);
    expect(left.map((e) => e.type)).toEqual(expect.arrayContaining(["s3-bucket", "sqs-queue"]));
    for (const e of left) expect(out).toContain(e.name);
    expect(out).toContain("Remove them with npm run cleanup -- 01.");
    const cleanup = kitProcess("cleanup", ["01", "--target", "endpoint", "--endpoint-url", cloud.endpoint], { S3_EVENT_LABS_HOME: home });
    expect(await cleanup.exited).toBe(0);
    expect(ledgerEntries()).toEqual([]);
    expect(await bucketsLeft()).toEqual([]);
  }, 120_000);

  it("a save during a running watch grade cancels it (with its cleanup) and grades again", async () => {
    const dir = workDir("cancel", lab.learnerFiles);
    const w = start(["--files", dir, "--watch"], { S3_EVENT_LABS_TEST_HOLD_BEFORE_CHECK: TEST_EVENT });
    await w.waitFor(/test hook: holding/);
    saveByRename(dir, "event-reader.ts", fs.readFileSync(path.join(dir, "event-reader.ts"), "utf8") + "\n// edited\n");
    await w.waitFor(/a file changed: stopping this grade/);
    await w.waitFor(/cleanup done/);
    await w.waitFor(/test hook: holding/, 2);
    w.child.kill("SIGINT"); // the watcher passes it on: the held grade cleans up, then everything exits
    expect(await w.exited).toBe(130);
    expect(w.output().match(/cleanup done/g)).toHaveLength(2);
    expect(ledgerEntries()).toEqual([]);
    expect(await bucketsLeft()).toEqual([]);
  }, 120_000);
});
