/**
 * The "skip" status end to end through the real harness and reporters: a
 * check that throws CheckSkipped, one that needs it (skipped too, blockedBy),
 * one that needs a skipped and a failed check (a blocked failure), learner
 * code that throws CheckSkipped (a failure: only the grader may skip), and
 * what each consumer makes of it — summary, `passed`, the checklist, JUnit,
 * Classroom 50, the class server's validation and view, the CSV, the hint
 * target. No cloud: these graders create nothing, so the clients (aimed at a
 * closed port) are never called and cleanup has no ledger entries.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runGrade } from "../../src/kit/grader/harness.js";
import { CheckFailed, CheckSkipped, defineGrader, type GradeReport, type LabGrader } from "../../src/kit/grader/types.js";
import { formatCheckLine, formatSummary, toJUnit } from "../../src/kit/grader/reporters.js";
import { classroom50Problems, toClassroom50 } from "../../src/kit/grader/classroom50.js";
import { reportProblem } from "../../src/kit/class/protocol.js";
import { ClassStore } from "../../src/kit/class/store.js";
import { classView } from "../../src/kit/class/summary.js";
import { classCsv } from "../../src/kit/class/export.js";
import { firstFailing } from "../../src/kit/hints.js";
import { kitSession } from "./helpers.js";

const session = kitSession("http://127.0.0.1:9");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "grader-skip-"));
afterAll(() => (session.close(), fs.rmSync(tmp, { recursive: true, force: true })));

const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");

function grade(id: string, grader: LabGrader<unknown>): Promise<GradeReport> {
  const lab = { id, slug: "skip", title: "Skip", summary: "", learnerFiles: [], creates: [], steps: [], grader };
  return runGrade({ lab, target: session.target, clients: session.clients, ledger: session.ledger, sourceDir: process.cwd(), source: "learner", participant: "tester", typecheck: false });
}

describe("a skipped check", () => {
  let ok: GradeReport;
  let mixed: GradeReport;

  it("is its own status, propagates to the checks that need it, and does not fail the grade", async () => {
    ok = await grade("95", defineGrader({
      async setup() { return {}; },
      checks: [
        { name: "passes", hint: "-", run: async () => "fine" },
        { name: "inbox", hint: "not shown for a skip", run: async () => { throw new CheckSkipped("the grader cannot read an inbox here"); } },
        { name: "mails", hint: "-", needs: ["inbox"], run: async () => "never runs" },
        { name: "after mails", hint: "-", needs: ["mails", "passes"], run: async () => "never runs" },
        { name: "independent", hint: "-", run: async () => undefined },
      ],
    }));
    expect(ok.checks.map((c) => [c.name, c.status, c.blockedBy])).toEqual([
      ["passes", "pass", undefined], ["inbox", "skip", undefined], ["mails", "skip", "inbox"], ["after mails", "skip", "mails"], ["independent", "pass", undefined],
    ]);
    expect(ok.checks[1]).toMatchObject({ message: "the grader cannot read an inbox here" });
    expect(ok.checks[1]!.hint).toBeUndefined();
    expect(ok.checks[2]!.message).toBe('not run: needs "inbox", which was skipped');
    expect(ok.summary).toEqual({ total: 5, passed: 2, failed: 0, errored: 0, skipped: 3 });
    expect(ok.passed).toBe(true);
  });

  it("a failed need wins over a skipped one, learner code cannot skip, and a grade that verified nothing is no pass", async () => {
    mixed = await grade("94", defineGrader({
      async setup() { return {}; },
      checks: [
        { name: "inbox", hint: "-", run: async () => { throw new CheckSkipped("not here"); } },
        { name: "wrong", hint: "fix it", run: async () => { throw new CheckFailed("wrong answer"); } },
        { name: "needs both", hint: "needs-both hint", needs: ["inbox", "wrong"], run: async () => "never runs" },
        { name: "learner skips", hint: "h", run: async (ctx) => { await ctx.callLearner("handler", () => { throw new CheckSkipped("I'd rather not"); }); } },
      ],
    }));
    expect(mixed.checks.map((c) => [c.name, c.status, c.blockedBy])).toEqual([["inbox", "skip", undefined], ["wrong", "fail", undefined], ["needs both", "fail", "wrong"], ["learner skips", "fail", undefined]]);
    expect(mixed.checks[3]!.message).toBe("handler threw CheckSkipped: I'd rather not");
    expect(mixed.passed).toBe(false);
    expect(firstFailing(mixed)?.name).toBe("wrong"); // never the skipped check
    expect(firstFailing(ok)).toBeUndefined();

    const none = await grade("93", defineGrader({ async setup() { return {}; }, checks: [{ name: "only", hint: "-", run: async () => { throw new CheckSkipped("nothing to see"); } }] }));
    expect(none.summary).toMatchObject({ passed: 0, skipped: 1, failed: 0 });
    expect(none.passed).toBe(false);

    const setupSkips = await grade("92", defineGrader({ async setup() { throw new CheckSkipped("no such service here"); }, checks: [{ name: "a", hint: "-", run: async () => "never runs" }] }));
    expect(setupSkips.setup).toMatchObject({ status: "skip", message: "no such service here" });
    expect(setupSkips.checks[0]).toMatchObject({ status: "skip", blockedBy: "setup" });
    expect(setupSkips.passed).toBe(false);
  });

  it("is a dim – with its reason in the checklist and counted apart in the summary", () => {
    const line = plain(formatCheckLine(ok.checks[1]!));
    expect(line).toMatch(/^– inbox \(skipped\) /);
    expect(line).toContain("    skipped: the grader cannot read an inbox here");
    expect(line).not.toContain("hint:");
    expect(plain(formatSummary(ok))).toContain("Lab 95 passed: 2/5 checks passed, 3 skipped: inbox; mails; after mails in ");
  });

  it("is a JUnit <skipped/> and counted in the testsuite", () => {
    const junit = toJUnit(ok);
    expect(junit).toContain('<testsuite name="lab-95-skip" tests="5" failures="0" errors="0" skipped="3"');
    expect(junit).toMatch(/<testcase classname="lab-95-skip" name="inbox" time="[\d.]+">\n {6}<skipped message="the grader cannot read an inbox here"\/>\n {4}<\/testcase>/);
    expect(junit).not.toContain("<failure");
  });

  it("is a Classroom 50 test worth nothing either way, and the result still validates", () => {
    const r = toClassroom50(ok, {}, {});
    expect(r.tests[1]).toEqual({ "test-name": "inbox", passed: false, score: 0, "max-score": 0, skipped: true, message: "the grader cannot read an inbox here" });
    expect(r.tests[0]).toMatchObject({ passed: true, score: 1, "max-score": 1 });
    expect([r.score, r["max-score"]]).toEqual([2, 2]);
    expect(classroom50Problems(r)).toEqual([]);
    const m = toClassroom50(mixed, {}, {});
    expect([m.score, m["max-score"]]).toEqual([0, 3]);
    expect(classroom50Problems(m)).toEqual([]);
  });

  it("is accepted by the class server, shown as skipped in the cell, and never listed as a check participants are stuck on", () => {
    expect(reportProblem(ok)).toBeUndefined();
    const store = new ClassStore(tmp);
    const a = store.join("Ada")!.participant;
    const b = store.join("Bo")!.participant;
    expect(store.addResult(a, "r1", ok)).toBe(true);
    expect(store.addResult(b, "r2", { ...mixed, lab: ok.lab })).toBe(true);
    const labs = [{ id: "95", title: "Skip", checks: ok.checks.map((c) => c.name), hints: {} }];
    const view = classView(store, labs);
    const cell = view.participants.find((p) => p.id === a.id)!.labs["95"]!;
    expect(cell).toMatchObject({ status: "passed", passedChecks: 2, skippedChecks: 3, totalChecks: 5 });
    expect(view.hardest["95"]!.map((h) => [h.check, h.failing])).toEqual([["learner skips", 1], ["needs both", 1], ["wrong", 1]]);
    const csv = classCsv(store, labs).split("\r\n");
    // last_step (the guided step, none here) comes after the checks' columns.
    expect(csv[0]!.endsWith(",failing_checks,skipped_checks,last_step")).toBe(true);
    expect(csv.find((l) => l.startsWith("Ada,"))!.endsWith(",,inbox; mails; after mails,")).toBe(true);
    expect(csv.find((l) => l.startsWith("Bo,"))!.endsWith(",wrong; needs both; learner skips,inbox,")).toBe(true);
  });
});
