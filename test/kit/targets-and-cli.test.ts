/**
 * Targets and the command line, as a learner or CI uses them:
 * - `local`: the kit starts a background local cloud (detached process, state
 *   file), the next command reuses it, `cleanup --stop-cloud` stops it;
 * - `endpoint`: every command pointed with --endpoint-url at a second local
 *   cloud works unchanged — doctor, start (non-interactive), the guided lab,
 *   grade with --json/--junit, and cleanup that leaves nothing behind.
 * Commands run as child processes through tsx, exactly like `npm run …`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { repoRoot } from "../../src/kit/paths.js";
import { materializeStarters, starterState } from "../../src/kit/starters.js";
import { explainSkip, kitTestBed } from "./helpers.js";

const { cloud, session, features, home } = await kitTestBed({ name: "cli", home: true });

interface Run {
  code: number | null;
  out: string;
}

/** Run one of scripts/*.ts the way `npm run` does, with the kit's state in a temporary home. */
function kit(script: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, "node_modules", ".bin", "tsx"), [path.join(repoRoot, "scripts", `${script}.ts`), ...args], {
      cwd: repoRoot,
      env: { ...process.env, S3_EVENT_LABS_HOME: home, S3_EVENT_LABS_NO_DEFAULT_PORT: "1", LABS_PARTICIPANT: "cli", NO_COLOR: "1", AWS_ENDPOINT_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${script} ${args.join(" ")} timed out:\n${out}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const endpointArgs = () => ["--target", "endpoint", "--endpoint-url", cloud.endpoint];

describe("--target local: the background cloud", () => {
  it("starts a detached local cloud, records it, reuses it, and stops it", async () => {
    // The doctor only looks: it starts nothing.
    const look = await kit("doctor", []);
    expect(look.out).toMatch(/local cloud\s+not running/);
    expect(fs.existsSync(path.join(home, "cloud.json"))).toBe(false);
    // The first command that needs a cloud starts one in the background.
    const first = await kit("cleanup", ["--all"]);
    expect(first.out).toMatch(/started the local cloud at http:\/\/127\.0\.0\.1:\d+/);
    const state = JSON.parse(fs.readFileSync(path.join(home, "cloud.json"), "utf8")) as { endpoint: string; pid: number };
    const health = (await (await fetch(`${state.endpoint}/_localcloud/health`)).json()) as { status: string; pid: number };
    expect(health).toMatchObject({ status: "ok", pid: state.pid });
    // A second command (another terminal) finds the same cloud.
    const second = await kit("doctor", []);
    expect(second.out).toContain(`running at ${state.endpoint} (started by the kit)`);
    const stop = await kit("cleanup", ["--stop-cloud"]);
    expect(stop.out).toContain("Stopped the background local cloud");
    await expect(fetch(`${state.endpoint}/_localcloud/health`, { signal: AbortSignal.timeout(1000) })).rejects.toThrow();
    expect(fs.existsSync(path.join(home, "cloud.json"))).toBe(false);
  }, 60_000);
});

describe("--target endpoint: a second local cloud", () => {
  it("doctor, start (no terminal) and an empty cleanup work", async () => {
    const doctor = await kit("doctor", endpointArgs());
    expect(doctor.code).toBe(0);
    expect(doctor.out).toContain(`endpoint ${cloud.endpoint}`);
    const start = await kit("start", endpointArgs());
    expect(start.code).toBe(0);
    expect(start.out).toMatch(/01\s+Anatomy of an S3 event/);
    expect(start.out).toContain("npm run grade -- 01");
    const cleanup = await kit("cleanup", [...endpointArgs(), "--all"]);
    expect(cleanup.code).toBe(0);
    expect(cleanup.out).toContain("Nothing to clean up");
    const usage = await kit("cleanup", endpointArgs());
    expect(usage.code).toBe(2);
    const unknown = await kit("grade", ["42", ...endpointArgs()]);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('No lab "42"');
  }, 60_000);

  it.skipIf(explainSkip("the endpoint-target run of lab 01", features, ["s3", "sqs", "notifications"]))(
    "lab 01: guided run, failing grade of the starter, passing grade of the solution (JSON + JUnit), cleanup leaves nothing",
    async () => {
      const guided = await kit("lab", ["01", "--yes", ...endpointArgs()]);
      expect(guided.code, guided.out).toBe(0);
      // The guided run uses the reference for a file still as shipped (the working copy may be solved).
      const notice = "labs/01-anatomy-of-an-s3-event/queue-policy.ts is not written yet: this step uses the reference";
      if (starterState("01-anatomy-of-an-s3-event", "queue-policy.ts") === "untouched") expect(guided.out).toContain(notice);
      else expect(guided.out).not.toContain(notice);
      expect(guided.out).toContain("ObjectCreated:CompleteMultipartUpload");
      // The last (ungraded) step shows events S3 causes by itself: a restore and a lifecycle expiration.
      expect(guided.out).toContain("ObjectRestore:Completed");
      expect(guided.out).toContain("LifecycleExpiration:Delete");

      // The starters as shipped, not the working copy (a learner may have solved it).
      const shipped = fs.mkdtempSync(path.join(repoRoot, ".s3-event-labs-tmp-cli-"));
      materializeStarters("01-anatomy-of-an-s3-event", ["queue-policy.ts", "notification.ts", "event-reader.ts"], shipped);
      const starter = await kit("grade", ["01", "--files", shipped, ...endpointArgs(), "--json", path.join(home, "starter.json")]).finally(() => fs.rmSync(shipped, { recursive: true, force: true }));
      expect(starter.code).toBe(1);
      expect(starter.out).toContain("hint:");
      const starterReport = JSON.parse(fs.readFileSync(path.join(home, "starter.json"), "utf8"));
      expect(starterReport).toMatchObject({ schema: "s3-event-labs/grade-result@1", passed: false, source: "learner" });

      const solution = await kit("grade", ["01", "--solution", ...endpointArgs(), "--json", path.join(home, "solution.json"), "--junit", path.join(home, "solution.xml")]);
      expect(solution.code, solution.out).toBe(0);
      const report = JSON.parse(fs.readFileSync(path.join(home, "solution.json"), "utf8"));
      expect(report).toMatchObject({ passed: true, source: "solution", target: { kind: "endpoint", endpoint: cloud.endpoint } });
      expect(fs.readFileSync(path.join(home, "solution.xml"), "utf8")).toMatch(/<testsuite name="lab-01-anatomy-of-an-s3-event" tests="6" failures="0" errors="0"/);

      // The guided run's resources are still there until cleanup; then nothing is left.
      expect(((await session.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).some((b) => b.Name?.startsWith("sel-cli-01-"))).toBe(true);
      const cleanup = await kit("cleanup", ["01", ...endpointArgs()]);
      expect(cleanup.code, cleanup.out).toBe(0);
      const again = await kit("cleanup", ["01", ...endpointArgs()]);
      expect(again.out).toContain("Nothing to clean up");
      expect(((await session.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name?.startsWith("sel-"))).toEqual([]);
      expect((await session.clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "sel-" }))).QueueUrls ?? []).toEqual([]);
      // npm start shows the lab as not passed (only the learner's own grades count).
      const progress = JSON.parse(fs.readFileSync(path.join(home, "progress.json"), "utf8"));
      expect(progress.labs["01"]).toMatchObject({ passed: false });
    },
    180_000,
  );

  it.skipIf(explainSkip("the endpoint-target run of lab 02", features, ["s3", "iam", "lambda", "logs", "notifications"]))(
    "lab 02: guided run shows both classic failures; the solution passes; cleanup leaves nothing",
    async () => {
      const guided = await kit("lab", ["02", "--yes", ...endpointArgs()]);
      expect(guided.code, guided.out).toBe(0);
      expect(guided.out).toContain("Unable to validate the following destination configurations");
      expect(guided.out).toContain("InvalidArgument: Configuration is ambiguously defined");
      expect(guided.out).toContain('"rows": 3');
      const started = Date.now();
      const solution = await kit("grade", ["02", "--solution", ...endpointArgs()]);
      console.log(`npm run grade -- 02 --solution took ${((Date.now() - started) / 1000).toFixed(1)} s end to end`);
      expect(solution.code, solution.out).toBe(0);
      const cleanup = await kit("cleanup", ["02", ...endpointArgs()]);
      expect(cleanup.code, cleanup.out).toBe(0);
      expect(((await session.clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).filter((f) => f.FunctionName?.startsWith("sel-"))).toEqual([]);
      expect(((await session.clients.iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName?.startsWith("sel-"))).toEqual([]);
      expect(((await session.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).filter((b) => b.Name?.startsWith("sel-"))).toEqual([]);
    },
    180_000,
  );
});
