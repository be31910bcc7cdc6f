/**
 * The class server (issue 20): 30 participants joining and sending results at
 * once, each result stored once; the dashboard's view and the exports (CSV,
 * Classroom 50) right; wrong join codes and unknown tokens refused; a
 * participant's results queued while the server is down and delivered when it
 * is back; and a real `npm run grade` of a joined participant reaching it.
 * Guided-step progress: accepted with the participant's token only, checked
 * for shape, stored once per id, kept across a restart, shown in the
 * summary and the CSV; sent by the kit in the background; and a real
 * `npm run lab -- 01` while the server is down leaves one progress file for
 * the lab, delivered when the server is back.
 * The server speaks HTTP; participants here are simulated with the same
 * requests the kit's client makes (src/kit/class/client.ts, used for real in
 * the last two tests).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unzipSync } from "fflate";
import { startClassServer, type ClassServer } from "../../src/kit/class/server.js";
import { classLabs } from "../../src/kit/class/labs.js";
import type { LabInfo } from "../../src/kit/class/summary.js";
import { CSV_COLUMNS } from "../../src/kit/class/export.js";
import { ClassStore } from "../../src/kit/class/store.js";
import { joinClass, pendingProgress, queueProgress, reportStep, settleSteps } from "../../src/kit/class/client.js";
import { classroom50Problems } from "../../src/kit/grader/classroom50.js";
import type { GradeReport } from "../../src/kit/grader/types.js";
import { kitProcess } from "./kit-process.js";
import { startTestCloud } from "../helpers/cloud.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "class-server-"));
let labs: LabInfo[];
let server: ClassServer;

beforeAll(async () => {
  labs = await classLabs();
  server = await startClassServer({ dir: path.join(tmp, "class"), labs, host: "127.0.0.1", name: "Test class" });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}, base = server.url) {
  const res = await fetch(base + pathname, { method, headers: { "content-type": "application/json", ...headers }, body: body === undefined ? undefined : JSON.stringify(body), redirect: "manual" });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

/** A grade report as the grader writes it, for lab `labId`, passing the first `passing` checks. */
function report(labId: string, passing: number, startedAt: Date, participant: string): GradeReport {
  const lab = labs.find((l) => l.id === labId)!;
  const checks = lab.checks.map((name, i) => (i < passing ? { name, status: "pass" as const, durationMs: 10 } : { name, status: "fail" as const, durationMs: 10, message: "not yet", hint: lab.hints[name] }));
  const passed = checks.every((c) => c.status === "pass");
  return {
    schema: "s3-event-labs/grade-result@1",
    lab: { id: labId, slug: "slug", title: lab.title },
    source: "learner",
    sourceDir: `labs/${labId}`,
    target: { kind: "local", id: "local", region: "us-east-1", account: "000000000000" },
    namespace: `sel-${participant}-${labId}-abcdef`,
    startedAt: startedAt.toISOString(),
    durationMs: 2000,
    passed,
    summary: { total: checks.length, passed: passing, failed: checks.length - passing, errored: 0 },
    setup: { status: "pass", durationMs: 5 },
    checks,
    cleanup: { status: "pass", durationMs: 5, kept: false, deleted: 3, failed: 0 },
  };
}

async function dashboardCookie(): Promise<string> {
  const login = await call("GET", new URL(server.dashboardLink).pathname + new URL(server.dashboardLink).search);
  expect(login.status).toBe(303);
  const cookie = login.headers.get("set-cookie")!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(";")[0]!;
}

describe("joining", () => {
  it("refuses a wrong code, an empty name and a taken name; refuses unknown tokens", async () => {
    expect((await call("POST", "/api/join", { code: "WRONG-CODE", name: "mallory" })).status).toBe(403);
    expect((await call("POST", "/api/join", { code: server.code, name: "   " })).status).toBe(400);
    const first = await call("POST", "/api/join", { code: server.code.toLowerCase().replace("-", ""), name: "Zoe" });
    expect(first.status).toBe(201);
    expect((await call("POST", "/api/join", { code: server.code, name: "zoe" })).status).toBe(409);
    const r = report("01", 1, new Date(), "zoe");
    expect((await call("POST", "/api/results", { id: "aaaaaaaa1", report: r })).status).toBe(401);
    expect((await call("POST", "/api/results", { id: "aaaaaaaa2", report: r }, { authorization: "Bearer not-a-token" })).status).toBe(401);
    expect((await call("POST", "/api/results", { id: "bad id!", report: r }, { authorization: `Bearer ${first.json.token}` })).status).toBe(400);
    expect((await call("POST", "/api/results", { id: "aaaaaaaa3", report: { ...r, source: "solution" } }, { authorization: `Bearer ${first.json.token}` })).status).toBe(422);
    expect((await call("POST", "/api/results", { id: "aaaaaaaa4", report: { schema: "x" } }, { authorization: `Bearer ${first.json.token}` })).status).toBe(400);
  });

  it("stops answering an address after 20 wrong codes", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await call("POST", "/api/join", { code: `NOPE-${i}`, name: "x" })).status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect((await call("POST", "/api/join", { code: server.code, name: "after-lockout" })).status).toBe(429); // even the right code, for ten minutes
  });
});

describe("a room of thirty", () => {
  it("stores every result once, however often it is sent, and the dashboard's matrix and exports agree", async () => {
    // A fresh server (the lockout above is per address).
    const room = await startClassServer({ dir: path.join(tmp, "room"), labs, host: "127.0.0.1", name: "Room =cmd" });
    try {
      const names = Array.from({ length: 30 }, (_, i) => (i === 7 ? "=HYPERLINK(\"x\")" : `participant ${i}`));
      const joined = await Promise.all(names.map((name) => call("POST", "/api/join", { code: room.code, name }, {}, room.url)));
      expect(joined.map((j) => j.status)).toEqual(names.map(() => 201));
      const lab01 = labs.find((l) => l.id === "01")!;
      const t0 = Date.now() - 3_600_000;
      // Each participant grades lab 01 three times (the i-th passes on the third try when i is even) and lab 02 once.
      const sends = joined.flatMap((j, i) => {
        const auth = { authorization: `Bearer ${j.json.token}` };
        const grades = [
          report("01", 1, new Date(t0 + i * 1000), `p${i}`),
          report("01", 2, new Date(t0 + 600_000 + i * 1000), `p${i}`),
          report("01", i % 2 === 0 ? lab01.checks.length : 2, new Date(t0 + 1_200_000 + i * 1000), `p${i}`),
          report("02", 0, new Date(t0 + 1_800_000 + i * 1000), `p${i}`),
        ];
        // Every result is sent twice (a retry after a lost answer), all at once.
        return grades.flatMap((g, k) => [0, 1].map(() => call("POST", "/api/results", { id: `p${i}-grade-${k}`, report: g }, auth, room.url)));
      });
      const answers = await Promise.all(sends);
      expect(answers.every((a) => a.status === 202)).toBe(true);
      expect(answers.filter((a) => a.json.stored).length).toBe(120);
      expect(room.store.allResults.length).toBe(120);

      const cookie = await (async () => {
        const u = new URL(room.dashboardLink);
        const login = await call("GET", u.pathname + u.search, undefined, {}, room.url);
        return login.headers.get("set-cookie")!.split(";")[0]!;
      })();
      const view = (await call("GET", "/api/class", undefined, { cookie }, room.url)).json;
      expect(view.participants).toHaveLength(30);
      expect(view.results).toBe(120);
      for (const [i, p] of view.participants.entries()) {
        expect(p.name).toBe(names[i]);
        const c1 = p.labs["01"];
        expect(c1.attempts).toBe(3);
        expect(c1.status).toBe(i % 2 === 0 ? "passed" : "failing");
        expect(c1.passedChecks).toBe(i % 2 === 0 ? lab01.checks.length : 2);
        expect(c1.timeSpentMs).toBe(1_200_000 + 2000);
        expect(p.labs["02"].status).toBe("failing");
        expect(p.labs["03"].status).toBe("not started");
      }
      // Where the room is stuck: lab 02's first check fails for all 30; lab 01's third for the 15 odd ones.
      expect(view.hardest["02"][0]).toMatchObject({ failing: 30, of: 30 });
      expect(view.hardest["01"]).toHaveLength(lab01.checks.length - 2);
      expect(view.hardest["01"].find((h: { check: string }) => h.check === lab01.checks[2])).toEqual({ check: lab01.checks[2], failing: 15, of: 30, hint: lab01.hints[lab01.checks[2]!] });

      const csv = await fetch(room.url + "/api/export.csv", { headers: { cookie } }).then((r) => r.text());
      const rows = csv.trim().split("\r\n");
      expect(rows[0]).toBe(CSV_COLUMNS.join(","));
      expect(rows.length).toBe(1 + 30 * labs.length);
      expect(rows.find((r) => r.includes("HYPERLINK"))!.startsWith(`"'=HYPERLINK`)).toBe(true); // a name is never a formula
      const lab01Rows = rows.filter((r) => r.split(",")[1] === "01");
      expect(lab01Rows.filter((r) => r.includes(",passed,")).length).toBe(15);

      const zip = new Uint8Array((await (await fetch(room.url + "/api/export-classroom50.zip", { headers: { cookie } })).arrayBuffer()) as ArrayBuffer);
      const zipped = Object.keys(unzipSync(zip)).filter((f) => f.endsWith("/result.json"));
      expect(zipped).toHaveLength(60);

      const out = path.join(tmp, "export");
      const exported = kitProcess("class", ["export", "--dir", path.join(tmp, "room"), "--csv", path.join(out, "r.csv"), "--classroom50", path.join(out, "c50")], {});
      expect(await exported.exited, exported.output()).toBe(0);
      expect(fs.readFileSync(path.join(out, "r.csv"), "utf8")).toBe(csv);
      const results = fs.readdirSync(path.join(out, "c50"), { recursive: true }).map(String).filter((f) => f.endsWith("result.json"));
      expect(results.length).toBe(60); // 30 participants × 2 labs graded
      for (const f of results) {
        const r = JSON.parse(fs.readFileSync(path.join(out, "c50", f), "utf8"));
        expect(classroom50Problems(r), f).toEqual([]);
        expect(r.classroom).toBe("Room =cmd");
      }
      const one = JSON.parse(fs.readFileSync(path.join(out, "c50", results.find((f) => f.startsWith("participant-0-") && f.includes("lab-01"))!), "utf8"));
      expect(one).toMatchObject({ owner: "participant 0", score: lab01.checks.length, "max-score": lab01.checks.length });
      expect(fs.existsSync(path.join(out, "c50", path.dirname(results[0]!), "junit.xml"))).toBe(true);
    } finally {
      await room.close();
    }
  });
});

describe("guided-step progress", () => {
  it("is accepted with the participant's token only, checked, stored once, kept across a restart, and shown in the summary and the CSV", async () => {
    const dir = path.join(tmp, "steps");
    const steps = await startClassServer({ dir, labs, host: "127.0.0.1", name: "Steps" });
    try {
      const ben = (await call("POST", "/api/join", { code: steps.code, name: "Ben" }, {}, steps.url)).json;
      const cleo = (await call("POST", "/api/join", { code: steps.code, name: "Cleo" }, {}, steps.url)).json;
      const auth = { authorization: `Bearer ${ben.token}` };
      const at = new Date(Date.now() - 120_000).toISOString();
      const progress = { lab: "04", step: 5, steps: 9, title: "Create the\u0007 queue", state: "started", at };
      const send = (id: string, body: unknown, headers: Record<string, string> = auth) => call("POST", "/api/progress", { id, progress: body }, headers, steps.url);
      expect((await send("progress-1", progress, {})).status).toBe(401);
      expect((await send("progress-1", progress, { authorization: "Bearer not-a-token" })).status).toBe(401);
      for (const bad of [{ ...progress, lab: "4" }, { ...progress, step: 10 }, { ...progress, step: 0 }, { ...progress, steps: 1.5 }, { ...progress, state: "x" }, { ...progress, title: "" }, { ...progress, title: "t".repeat(201) }, { ...progress, at: "yesterday" }, "step 5"]) {
        expect((await send("progress-bad", bad)).status, JSON.stringify(bad)).toBe(400);
      }
      expect((await send("bad id!", progress)).status).toBe(400);
      expect((await call("POST", "/api/progress", { id: "progress-big", progress: { ...progress, title: "t".repeat(5000) } }, auth, steps.url)).status).toBe(413);
      expect((await send("progress-1", progress)).json).toEqual({ stored: true, duplicate: false });
      expect((await send("progress-1", progress)).json).toEqual({ stored: false, duplicate: true });
      // A record sent late (older than what the server has) never hides the newer one.
      expect((await send("progress-0", { ...progress, step: 2, title: "Create the bucket", at: new Date(Date.now() - 600_000).toISOString() })).status).toBe(202);
      // Cleo graded lab 01 a while ago, then started lab 01's guided steps again: the step is newer than the grade.
      const cleoAuth = { authorization: `Bearer ${cleo.token}` };
      expect((await call("POST", "/api/results", { id: "cleo-grade-01", report: report("01", 1, new Date(Date.now() - 900_000), "cleo") }, cleoAuth, steps.url)).status).toBe(202);
      expect((await send("cleo-step-01", { lab: "01", steps: 9, step: 3, title: "Let S3 send", state: "failed", at }, cleoAuth)).status).toBe(202);

      const u = new URL(steps.dashboardLink);
      const cookie = (await call("GET", u.pathname + u.search, undefined, {}, steps.url)).headers.get("set-cookie")!.split(";")[0]!;
      const view = (await call("GET", "/api/class", undefined, { cookie }, steps.url)).json;
      const benView = view.participants.find((p: { name: string }) => p.name === "Ben");
      expect(benView.labs["04"]).toMatchObject({ status: "not started", attempts: 0, lastActivity: at, step: { lab: "04", step: 5, steps: 9, title: "Create the  queue", state: "started", at, afterLatestGrade: true } });
      expect(benView.lastActivity).toBe(at);
      expect(benView.labs["03"].step).toBeUndefined();
      const cleoView = view.participants.find((p: { name: string }) => p.name === "Cleo");
      expect(cleoView.labs["01"]).toMatchObject({ status: "failing", attempts: 1, lastActivity: at, step: { step: 3, state: "failed", afterLatestGrade: true } });

      const csv = await fetch(steps.url + "/api/export.csv", { headers: { cookie } }).then((r) => r.text());
      const rows = csv.trim().split("\r\n");
      expect(rows[0]!.split(",").at(-1)).toBe("last_step");
      expect(rows.find((r) => r.startsWith("Ben,04,"))!.endsWith(",step 5/9: Create the  queue")).toBe(true);
      expect(rows.find((r) => r.startsWith("Cleo,01,"))!.endsWith(",step 3/9: Let S3 send (failed)")).toBe(true);
      expect(rows.find((r) => r.startsWith("Ben,01,"))!.endsWith(",")).toBe(true);

      // What the server acknowledged is on disk: a store opened afresh (a restarted server) has it, and the ids.
      const again = new ClassStore(dir);
      expect(again.latestProgress(benView.id, "04")?.progress).toMatchObject({ step: 5, steps: 9, at });
      expect((await send("progress-1", progress)).json.duplicate).toBe(true);

      // The kit's own sender: a joined participant's steps reach the server in the background.
      const home = path.join(tmp, "home-dan");
      const saved = process.env.S3_EVENT_LABS_HOME;
      process.env.S3_EVENT_LABS_HOME = home;
      try {
        await joinClass(steps.joinLink, "Dan");
        reportStep({ lab: "02", step: 1, steps: 4, title: "Create the role", state: "started" });
        reportStep({ lab: "02", step: 2, steps: 4, title: "Create the function", state: "started" });
        await settleSteps(5000);
        expect(pendingProgress()).toEqual([]);
      } finally {
        process.env.S3_EVENT_LABS_HOME = saved;
      }
      const dan = steps.store.participants.find((p) => p.name === "Dan")!;
      expect(steps.store.latestProgress(dan.id, "02")?.progress).toMatchObject({ step: 2, steps: 4, title: "Create the function", state: "started" });
    } finally {
      await steps.close();
    }
  });
});

describe("the dashboard's doors", () => {
  it("needs the instructor's key, refuses other Hosts (DNS rebinding) and cross-site requests", async () => {
    expect((await call("GET", "/api/class")).status).toBe(401);
    expect((await call("GET", "/dashboard/login?key=wrong")).status).toBe(401);
    const cookie = await dashboardCookie();
    expect((await call("GET", "/api/class", undefined, { cookie })).status).toBe(200);
    expect((await call("GET", "/api/class", undefined, { cookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
    // A rebinding attack reaches the server under the attacker's name: the Host header tells.
    const port = new URL(server.url).port;
    const withHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({ host: "127.0.0.1", port, path: "/api/class", headers: { host, cookie } }, (res) => (res.resume(), resolve(res.statusCode!)));
        req.on("error", reject).end();
      });
    expect(await withHost(`evil.example:${port}`)).toBe(421);
    expect(await withHost(`127.0.0.1:${port}`)).toBe(200);
    expect((await call("POST", "/api/join", { code: server.code, name: "web page" }, { origin: "http://evil.example" })).status).toBe(403);
    const page = await fetch(server.url + "/dashboard/", { headers: { cookie } });
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(page.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("will not listen on a public address", async () => {
    await expect(startClassServer({ dir: path.join(tmp, "public"), labs, host: "8.8.8.8" })).rejects.toThrow(/not a private \(LAN\) address/);
  });
});

describe("a participant's kit", () => {
  it("queues results and guided-step progress while the server is down and delivers them when it is back; a real guided run and grade reach the class", async () => {
    const dir = path.join(tmp, "queue-class");
    let up = await startClassServer({ dir, labs, host: "127.0.0.1", port: 0 });
    const port = Number(new URL(up.url).port);
    const home = path.join(tmp, "home-ana");
    const join = kitProcess("class", ["join", up.joinLink, "--name", "Ana"], { S3_EVENT_LABS_HOME: home });
    expect(await join.exited, join.output()).toBe(0);
    expect(join.output()).toMatch(/Joined "S3 Event Labs class" as Ana/);
    await up.close();

    // The server is down: a real guided run of lab 01 still passes; its progress is coalesced into one file for the lab.
    const cloud = await startTestCloud({ lifecycleDaySeconds: 1 }); // lab 01's last step waits for a lifecycle "day"
    try {
      const guided = kitProcess("lab", ["01", "--yes", "--target", "endpoint", "--endpoint-url", cloud.endpoint], { S3_EVENT_LABS_HOME: home });
      expect(await guided.exited, guided.output()).toBe(0);
      expect(fs.readdirSync(path.join(home, "class-outbox"))).toEqual(["progress-01.json"]);
      const lab01Steps = (await import("../../labs/01-anatomy-of-an-s3-event/lab.js")).default.steps as Array<{ title: string }>;

      // The server is down: a real grade of Ana's files (the reference, copied) still passes and its result is queued.
      const files = path.join(tmp, "ana-lab01");
      fs.cpSync(path.join(process.cwd(), "solutions", fs.readdirSync("solutions").find((d) => d.startsWith("01-"))!), files, { recursive: true });
      const grade = kitProcess("grade", ["01", "--files", files, "--target", "endpoint", "--endpoint-url", cloud.endpoint, "--classroom50", path.join(tmp, "ana-result.json")], { S3_EVENT_LABS_HOME: home });
      expect(await grade.exited, grade.output()).toBe(0);
      expect(grade.output()).toMatch(/Queued for the class server \(the class server at .* is unreachable/);
      expect(classroom50Problems(JSON.parse(fs.readFileSync(path.join(tmp, "ana-result.json"), "utf8")))).toEqual([]);
      expect(fs.readdirSync(path.join(home, "class-outbox"))).toHaveLength(2); // the result and lab 01's progress

      // Back on the same port and folder: `class status` delivers the queued result, once.
      up = await startClassServer({ dir, labs, host: "127.0.0.1", port });
      const status = kitProcess("class", ["status"], { S3_EVENT_LABS_HOME: home });
      expect(await status.exited, status.output()).toBe(0);
      expect(status.output()).toMatch(/Sent 1 queued result\(s\)\. Sent where you are in 1 lab\(s\)' guided steps\. Nothing queued/);
      expect(up.store.allResults).toHaveLength(1);
      const ana = up.store.participants.find((p) => p.name === "Ana")!;
      expect(up.store.latestProgress(ana.id, "01")?.progress).toMatchObject({ lab: "01", step: lab01Steps.length, steps: lab01Steps.length, title: lab01Steps.at(-1)!.title, state: "done" });
      expect(up.store.allResults[0]!.report).toMatchObject({ passed: true, lab: { id: "01" }, source: "learner" });
      expect(up.store.participants.find((p) => p.id === up.store.allResults[0]!.participantId)!.name).toBe("Ana");

      const leave = kitProcess("class", ["leave"], { S3_EVENT_LABS_HOME: home });
      expect(await leave.exited, leave.output()).toBe(0);
      expect(fs.existsSync(path.join(home, "class.json"))).toBe(false);
    } finally {
      await cloud.close();
      await up.close();
    }
  });
});
