/**
 * The guided run of lab 01 for a learner who has written nothing (the
 * shipped starters in a copy) and for one who has written the queue policy:
 * - an unwritten piece: the run says it uses the reference and shows what it
 *   did (the events), not what it returned (the policy, the configuration) —
 *   unless --show-solution;
 * - a written piece (with its TODO comment lines left in) is the learner's;
 * - the run ends by pointing to `npm run env`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { materializeStarters } from "../../src/kit/starters.js";
import { runGuided } from "../../src/kit/steps.js";
import { explainSkip, kitTestBed } from "./helpers.js";

const { session, features, root } = await kitTestBed({ name: "guided", root: true });

const entry = findLab("01");
const lab = await loadLab(entry);

async function guided(options: { showSolution?: boolean; written?: string[] }): Promise<string> {
  const dir = path.join(root, `run-${Math.random().toString(16).slice(2)}`);
  materializeStarters(entry.folder, lab.learnerFiles, path.join(dir, entry.folder));
  for (const f of options.written ?? []) {
    const todo = fs.readFileSync(path.join(dir, entry.folder, f), "utf8").split("\n").filter((l) => l.includes("// TODO"));
    fs.writeFileSync(path.join(dir, entry.folder, f), fs.readFileSync(path.join(entry.solutionDir, f), "utf8") + todo.join("\n") + "\n");
  }
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  try {
    const r = await runGuided(lab, entry, session as never, { participant: "guided", pause: false, root: dir, showSolution: options.showSolution });
    expect(r.ok, lines.join("\n")).toBe(true);
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n").replace(/\x1b\[[0-9;]*m/g, "");
}

const skip = explainSkip("the guided run of lab 01", features, ["s3", "sqs", "notifications"]);
describe.skipIf(skip)("guided run with pieces not written yet", () => {
  it("says it uses the reference, shows the events, hides the reference's policy and configuration", async () => {
    const out = await guided({});
    expect(out).toContain("queue-policy.ts is not written yet: this step uses the reference");
    expect(out).toContain("what the reference queue-policy.ts returned is the answer to the exercise, so it is not shown");
    expect(out).toContain("what the reference notification.ts returned is the answer to the exercise");
    expect(out).not.toContain('"aws:SourceAccount"');
    expect(out).not.toContain('"QueueConfigurations"');
    expect(out).toContain('"eventName": "ObjectCreated:Put"'); // what S3 did is the lesson: shown
    expect(out).toContain('eval "$(npm run -s env)"');
  }, 60_000);

  it("--show-solution prints what the reference returned", async () => {
    const out = await guided({ showSolution: true });
    expect(out).toContain('"aws:SourceAccount"');
    expect(out).not.toContain("is the answer to the exercise");
  }, 60_000);

  it("a written file (TODO lines left in) is the learner's own: its output is shown", async () => {
    const out = await guided({ written: ["queue-policy.ts"] });
    expect(out).not.toContain("queue-policy.ts is not written yet");
    expect(out).toContain('"aws:SourceAccount"');
    expect(out).toContain("notification.ts is not written yet");
  }, 60_000);
});
