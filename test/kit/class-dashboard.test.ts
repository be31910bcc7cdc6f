/**
 * The class dashboard in a real browser (Debian's Chromium driven by
 * playwright-core): the instructor's link logs in and shows the matrix; a
 * new result appears live; a cell opens every check with its hint; names
 * are shown as text, never run as HTML; a participant in the guided steps
 * who has not graded shows the step they are on; and a page from another origin can
 * neither read the class nor add a participant. Skipped, with the reason
 * printed, only when no Chromium is installed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { startClassServer, type ClassServer } from "../../src/kit/class/server.js";
import type { LabInfo } from "../../src/kit/class/summary.js";
import type { GradeReport } from "../../src/kit/grader/types.js";
import { chromiumArgs, chromiumPath } from "../console/browser.js";


// A small catalogue is enough here: the dashboard renders whatever labs the server has.
const labs: LabInfo[] = [
  { id: "01", title: "Anatomy of an S3 event", checks: ["queue policy", "notification", "reader"], hints: { "queue policy": "S3 must be allowed to send to the queue.", notification: "Which events?", reader: "Keys arrive URL-encoded." } },
  { id: "02", title: "The first trigger", checks: ["role", "permission"], hints: { role: "Who may assume it?", permission: "Who may invoke it?" } },
];

function report(labId: string, statuses: Array<"pass" | "fail" | "skip">, startedAt: Date): GradeReport {
  const lab = labs.find((l) => l.id === labId)!;
  const checks = lab.checks.map((name, i) => ({ name, status: statuses[i]!, durationMs: 5, ...(statuses[i] === "fail" ? { message: `${name} is not right yet`, hint: lab.hints[name] } : statuses[i] === "skip" ? { message: `${name} cannot be verified here` } : {}) }));
  return {
    schema: "s3-event-labs/grade-result@1",
    lab: { id: labId, slug: "x", title: lab.title },
    source: "learner",
    sourceDir: "labs",
    target: { kind: "local", id: "local", region: "us-east-1", account: "000000000000" },
    namespace: `sel-p-${labId}-abcdef`,
    startedAt: startedAt.toISOString(),
    durationMs: 1000,
    passed: !statuses.includes("fail"),
    summary: { total: checks.length, passed: statuses.filter((s) => s === "pass").length, failed: statuses.filter((s) => s === "fail").length, errored: 0, skipped: statuses.filter((s) => s === "skip").length },
    setup: { status: "pass", durationMs: 1 },
    checks,
    cleanup: { status: "pass", durationMs: 1, kept: false, deleted: 0, failed: 0 },
  };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "class-dashboard-"));
let server: ClassServer;
let browser: Browser | undefined;
let other: http.Server;
let otherUrl = "";
const tokens: Record<string, string> = {};

async function post(pathname: string, body: unknown, token?: string) {
  const res = await fetch(server.url + pathname, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { token: string } };
}

beforeAll(async () => {
  server = await startClassServer({ dir: path.join(tmp, "class"), labs, host: "127.0.0.1", name: "Tuesday workshop" });
  for (const name of ["Ana", '<img src=x onerror="window.pwned=1">']) tokens[name] = (await post("/api/join", { code: server.code, name })).json.token;
  await post("/api/results", { id: "ana-first-01", report: report("01", ["pass", "fail", "fail"], new Date(Date.now() - 60_000)) }, tokens.Ana);
  // Another origin on the same machine: what any web page the instructor visits could be.
  other = http.createServer((_, res) => res.end("<!doctype html><title>other</title>"));
  await new Promise<void>((r) => other.listen(0, "127.0.0.1", r));
  otherUrl = `http://localhost:${(other.address() as AddressInfo).port}`;
  if (chromiumPath) {
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs() });
  }
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((r) => other?.close(r));
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!chromiumPath)("class dashboard in Chromium", () => {
  it("logs in from the printed link, shows the matrix, updates live, and explains a cell", async () => {
    const page = await browser!.newPage();
    await page.goto(server.dashboardLink);
    expect(new URL(page.url()).pathname).toBe("/dashboard/"); // the key left the address bar
    await page.locator("#live.on").waitFor();
    expect(await page.textContent("#class-name")).toBe("Tuesday workshop");
    const anaRow = page.locator("#matrix tbody tr", { hasText: "Ana" });
    expect(await anaRow.locator('td[data-lab="01"]').textContent()).toBe("1/3 · 1×");
    expect(await anaRow.locator('td[data-lab="02"]').textContent()).toBe("—");
    // The other name is text: no image element was created from it, nothing ran.
    expect(await page.locator("#matrix tbody td.name", { hasText: "<img" }).count()).toBe(1);
    expect(await page.locator("#matrix img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('.stuck-lab[data-lab="01"]').textContent()).toMatch(/1 of 1 failing: notification.*hint: Which events\?/);

    // Ana passes: the cell turns without a reload.
    await post("/api/results", { id: "ana-second-01", report: report("01", ["pass", "pass", "pass"], new Date()) }, tokens.Ana);
    await anaRow.locator('td[data-lab="01"].passed').waitFor();
    expect(await anaRow.locator('td[data-lab="01"]').textContent()).toBe("✔ 3/3 · 2×");
    expect(await page.locator('tfoot td[data-lab="01"]').textContent()).toMatch(/^1\/2 · /);

    await post("/api/results", { id: "ana-first-02x", report: report("02", ["pass", "fail"], new Date()) }, tokens.Ana);
    await anaRow.locator('td[data-lab="02"].failing').waitFor();
    await anaRow.locator('td[data-lab="02"]').click();
    expect(await page.textContent("#detail-title")).toBe("Ana — lab 02");
    expect(await page.locator("#detail-checks li.fail").textContent()).toMatch(/permission.*permission is not right yet.*hint: Who may invoke it\?/);

    // A skipped check: counted apart in the cell, shown as skipped in the detail, never "failing" in the stuck list.
    const imgRow = page.locator("#matrix tbody tr", { hasText: "<img" });
    await post("/api/results", { id: "img-first-02", report: report("02", ["pass", "skip"], new Date()) }, tokens['<img src=x onerror="window.pwned=1">']);
    await imgRow.locator('td[data-lab="02"].passed').waitFor();
    expect(await imgRow.locator('td[data-lab="02"]').textContent()).toBe("✔ 1/2 · 1 skipped · 1×");
    expect(await page.locator('.stuck-lab[data-lab="02"]').textContent()).toMatch(/^Lab 02 — The first trigger1 of 2 failing: permission/);
    await imgRow.locator('td[data-lab="02"]').click();
    expect(await page.locator("#detail-checks li.skip").textContent()).toBe("permissionskipped: permission cannot be verified here");

    // Eve joins and runs the guided steps without grading: her cell says which step, not "—"; its title is text.
    tokens.Eve = (await post("/api/join", { code: server.code, name: "Eve" })).json.token;
    const step = { lab: "01", step: 3, steps: 9, title: "Let S3 send <b>to</b> the queue", state: "started", at: new Date().toISOString() };
    expect((await post("/api/progress", { id: "eve-step-01-3", progress: step }, tokens.Eve)).status).toBe(202);
    const eveRow = page.locator("#matrix tbody tr", { hasText: "Eve" });
    await eveRow.locator('td[data-lab="01"].guided').waitFor();
    expect(await eveRow.locator('td[data-lab="01"]').textContent()).toBe("step 3/9");
    expect(await eveRow.locator('td[data-lab="01"]').getAttribute("title")).toMatch(/^Eve, lab 01: not graded yet; guided step 3\/9: Let S3 send <b>to<\/b> the queue \(\d+ s ago\)$/);
    expect(await eveRow.locator('td[data-lab="02"]').textContent()).toBe("—");
    expect(await eveRow.locator("td").last().textContent()).toMatch(/s ago$/); // last activity counts the step
    await eveRow.locator('td[data-lab="01"]').click();
    expect(await page.textContent("#detail-meta")).toBe("not graded yet");
    expect(await page.textContent("#detail-step")).toMatch(/^Where they are: guided step 3\/9: Let S3 send <b>to<\/b> the queue/);
    expect(await page.locator("#detail b, #matrix b").count()).toBe(0);
    // Ana graded lab 02 and then went back to its guided steps, which failed at step 2: both show, grade first.
    await post("/api/progress", { id: "ana-step-02-2", progress: { lab: "02", step: 2, steps: 4, title: "Allow S3 to invoke", state: "failed", at: new Date(Date.now() + 3000).toISOString() } }, tokens.Ana);
    await anaRow.locator('td[data-lab="02"]', { hasText: "step" }).waitFor();
    expect(await anaRow.locator('td[data-lab="02"]').textContent()).toBe("1/2 · 1× · step 2/4 · failed");

    const shot = path.join(process.env.CLASS_DASHBOARD_SHOT_DIR ?? tmp, "dashboard.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(5_000);
    await page.close();
  });

  it("cannot be read or driven by a page from another origin", async () => {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(server.dashboardLink); // the instructor is logged in in this browser
    await page.locator("#live.on").waitFor();
    const before = server.store.participants.length;
    await page.goto(otherUrl);
    const outcome = await page.evaluate(async ({ target, code }) => {
      const read = await fetch(`${target}/api/class`, { credentials: "include" }).then(
        (r) => `read ${r.status}`,
        (e) => `blocked: ${(e as Error).name}`,
      );
      // A blind write with the right code (it is on the whiteboard): no-cors hides the answer, but the request is sent.
      await fetch(`${target}/api/join`, { method: "POST", mode: "no-cors", body: JSON.stringify({ code, name: "csrf" }) }).catch(() => undefined);
      return read;
    }, { target: server.url, code: server.code });
    expect(outcome).toMatch(/^blocked: TypeError/);
    expect(server.store.participants.length).toBe(before);
    await context.close();
  });
});
