// The Lambda Node runtime under failure and load, driven directly through
// createRuntimePool: timeouts, out-of-memory, uncaught exceptions, unhandled
// rejections, process.exit, self-kill, never-settling handlers — each reported
// in AWS's shape and followed by a working (fresh) environment — plus reserved
// concurrency, the pool bound with its queue, revisions, idle reaping, retire
// and close leaving no processes behind.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import {
  createRuntimePool,
  TooManyRequests,
  type FunctionSpec,
  type InvokeResult,
  type RuntimePoolOptions,
} from "../../src/cloud/services/lambda/runtime/index.js";

const dirs: string[] = [];
function writeCode(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-runtime-fail-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
function specFor(name: string, codeDir: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: "index.handler",
    runtime: "nodejs20.x",
    timeoutSeconds: 5,
    memoryMb: 128,
    environment: {},
    codeDir,
    revisionId: "r1",
    region: "us-east-1",
    account: "000000000000",
    endpoint: "http://127.0.0.1:1",
    logGroupName: `/aws/lambda/${name}`,
    credentials: () => ({ accessKeyId: "test", secretAccessKey: "test", sessionToken: "t" }),
    ...extra,
  };
}

type Pool = ReturnType<typeof createRuntimePool>;
const pools: Pool[] = [];
function newPool(options: Partial<RuntimePoolOptions> = {}): Pool {
  const pool = createRuntimePool({ maxEnvironments: 4, idleMs: 60_000, onLogs: () => {}, ...options });
  pools.push(pool);
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const invoke = (pool: Pool, spec: FunctionSpec, event: unknown = {}) =>
  pool.invoke(spec, JSON.stringify(event), { requestId: randomUUID() });
const json = (r: InvokeResult) => JSON.parse(r.payload);
const messages = (r: InvokeResult) => r.logs.map((e) => e.message);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

/** A function that misbehaves on request and otherwise counts its invocations (module state). */
const TROUBLEMAKER = `
let count = 0;
export const handler = async (event) => {
  count++;
  switch (event.do) {
    case 'hang': setInterval(() => {}, 1000); return new Promise(() => {});
    case 'spin': for (;;) {}
    case 'buffers': { const keep = []; for (;;) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); await new Promise((r) => setTimeout(r, 5)); } }
    case 'heap': { const keep = []; for (;;) keep.push(new Array(100000).fill({ a: Math.random() })); }
    case 'uncaught': setTimeout(() => { throw new TypeError('thrown later'); }, 0); return new Promise((r) => setTimeout(r, 2000));
    case 'reject': Promise.reject(new Error('floating')); return new Promise((r) => setTimeout(r, 2000));
    case 'exit': process.exit(event.code);
    case 'kill': process.kill(process.pid, 'SIGKILL'); return new Promise(() => {});
    case 'abort': process.abort();
    case 'never': return new Promise(() => {});
    case 'sleep': await new Promise((r) => setTimeout(r, event.ms)); return count;
    default: return count;
  }
};`;

async function expectFreshEnvironmentWorks(pool: Pool, spec: FunctionSpec) {
  const next = await invoke(pool, spec);
  expect(next.functionError).toBeUndefined();
  expect(json(next)).toBe(1); // module state starts over: a new environment
  expect(next.initDurationMs).toBeGreaterThan(0);
}

describe("failures are reported in AWS's shape and the environment is replaced", () => {
  it("times out: kills the process, Sandbox.Timedout payload, timeout log line and REPORT", async () => {
    const pool = newPool();
    const spec = specFor("timeout-fn", writeCode({ "index.mjs": TROUBLEMAKER }), { timeoutSeconds: 1 });
    for (const what of ["hang", "spin"]) {
      const r = await invoke(pool, spec, { do: what });
      expect(r.functionError).toBe("Unhandled");
      expect(r.errorType).toBe("Sandbox.Timedout");
      expect(json(r)).toEqual({
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${r.requestId} Error: Task timed out after 1.00 seconds`,
      });
      const lines = messages(r);
      expect(lines.some((m) => new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${r.requestId} Task timed out after 1\\.00 seconds\\n$`).test(m))).toBe(true);
      expect(lines.at(-2)).toBe(`END RequestId: ${r.requestId}\n`);
      expect(lines.at(-1)).toMatch(/\tStatus: timeout\t\n$/);
      expect(r.durationMs).toBeGreaterThanOrEqual(1000);
      await expectFreshEnvironmentWorks(pool, spec);
    }
  });

  it("enforces the memory size: Runtime.ExitError 'signal: killed' for RSS (buffers) and V8 heap growth", async () => {
    const pool = newPool();
    const spec = specFor("oom-fn", writeCode({ "index.mjs": TROUBLEMAKER }), { memoryMb: 128, timeoutSeconds: 20 });
    for (const what of ["buffers", "heap"]) {
      const r = await invoke(pool, spec, { do: what });
      expect(json(r)).toEqual({
        errorType: "Runtime.ExitError",
        errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed`,
      });
      expect(r.maxMemoryUsedMb).toBe(128);
      expect(messages(r)).toContain(`RequestId: ${r.requestId} Error: Runtime exited with error: signal: killed\nRuntime.ExitError\n`);
      expect(messages(r).at(-1)).toMatch(/Max Memory Used: 128 MB\t.*Status: error\tError Type: Runtime.OutOfMemory/);
      await expectFreshEnvironmentWorks(pool, spec);
    }
  });

  it("reports an uncaught exception with the error's own type", async () => {
    const pool = newPool();
    const spec = specFor("uncaught-fn", writeCode({ "index.mjs": TROUBLEMAKER }));
    const r = await invoke(pool, spec, { do: "uncaught" });
    expect(r.errorType).toBe("TypeError");
    expect(json(r)).toMatchObject({ errorType: "TypeError", errorMessage: "thrown later" });
    expect(messages(r).some((m) => /\tERROR\tUncaught Exception \t\{"errorType":"TypeError","errorMessage":"thrown later"/.test(m))).toBe(true);
    await expectFreshEnvironmentWorks(pool, spec);
  });

  it("reports an unhandled rejection as Runtime.UnhandledPromiseRejection", async () => {
    const pool = newPool();
    const spec = specFor("reject-fn", writeCode({ "index.mjs": TROUBLEMAKER }));
    const r = await invoke(pool, spec, { do: "reject" });
    expect(json(r)).toMatchObject({ errorType: "Runtime.UnhandledPromiseRejection", errorMessage: "Error: floating" });
    expect(messages(r).some((m) => m.includes("\tERROR\tUnhandled Promise Rejection \t{\"errorType\":\"Runtime.UnhandledPromiseRejection\""))).toBe(true);
    await expectFreshEnvironmentWorks(pool, spec);
  });

  it("reports process.exit(n), exit(0), SIGKILL and abort as Runtime.ExitError", async () => {
    const pool = newPool();
    const spec = specFor("exit-fn", writeCode({ "index.mjs": TROUBLEMAKER }));
    const cases: Array<[unknown, string]> = [
      [{ do: "exit", code: 3 }, "Runtime exited with error: exit status 3"],
      [{ do: "exit", code: 0 }, "Runtime exited without providing a reason"],
      [{ do: "kill" }, "Runtime exited with error: signal: killed"],
      [{ do: "abort" }, "Runtime exited with error: signal: aborted"],
    ];
    for (const [event, text] of cases) {
      const r = await invoke(pool, spec, event);
      expect(r.errorType).toBe("Runtime.ExitError");
      expect(json(r)).toEqual({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${r.requestId} Error: ${text}` });
      expect(messages(r)).toContain(`RequestId: ${r.requestId} Error: ${text}\nRuntime.ExitError\n`);
      await expectFreshEnvironmentWorks(pool, spec);
    }
  });

  it("reports an async handler that never settles once the loop drains (Runtime.NodeJsExit)", async () => {
    const pool = newPool();
    const spec = specFor("never-fn", writeCode({ "index.mjs": TROUBLEMAKER }));
    const r = await invoke(pool, spec, { do: "never" });
    expect(r.errorType).toBe("Runtime.NodeJsExit");
    expect(json(await invoke(pool, spec))).toBe(2); // the environment survives this one
  });

  it("fails the invocation when the result is over 6 MB", async () => {
    const pool = newPool();
    const spec = specFor("big-fn", writeCode({ "index.mjs": "export const handler = async () => 'x'.repeat(7 * 1024 * 1024);" }), { memoryMb: 512 });
    const r = await invoke(pool, spec);
    expect(json(r)).toEqual({
      errorType: "Function.ResponseSizeTooLarge",
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    });
  });
});

describe("concurrency and lifecycle", () => {
  it("throttles at once with reserved concurrency 0", async () => {
    const pool = newPool();
    const spec = specFor("throttled-fn", writeCode({ "index.mjs": TROUBLEMAKER }), { reservedConcurrency: 0 });
    const error = await invoke(pool, spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyRequests);
    expect((error as TooManyRequests).reason).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    expect(pool.describe()).toEqual([]);
  });

  it("caps a function at its reserved concurrency: extra invocations wait, then get TooManyRequests", async () => {
    const pool = newPool({ queueWaitMs: 300 });
    const spec = specFor("reserved-fn", writeCode({ "index.mjs": TROUBLEMAKER }), { reservedConcurrency: 1 });
    await invoke(pool, spec); // warm
    const slow = invoke(pool, spec, { do: "sleep", ms: 1500 });
    const rejected = await invoke(pool, spec).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(TooManyRequests);
    await slow;
    // A short queued wait is served when the environment frees up.
    const quick = invoke(pool, spec, { do: "sleep", ms: 50 });
    const queued = await invoke(pool, spec);
    expect((await quick).functionError).toBeUndefined();
    expect(queued.functionError).toBeUndefined();
    expect(pool.describe().filter((e) => e.functionName === "reserved-fn")).toHaveLength(1);
  });

  it("runs concurrent invocations in separate environments up to maxEnvironments, evicting idle ones of other functions", async () => {
    const pool = newPool({ maxEnvironments: 2, queueWaitMs: 5000 });
    const code = writeCode({ "index.mjs": TROUBLEMAKER });
    const a = specFor("fn-a", code);
    const b = specFor("fn-b", code);
    const results = await Promise.all([invoke(pool, a, { do: "sleep", ms: 200 }), invoke(pool, a, { do: "sleep", ms: 200 })]);
    expect(results.map((r) => r.logStreamName)[0]).not.toBe(results[1]!.logStreamName);
    expect(pool.describe()).toHaveLength(2);
    // A third invocation of another function evicts an idle environment of fn-a.
    const other = await invoke(pool, b);
    expect(json(other)).toBe(1);
    const live = pool.describe();
    expect(live).toHaveLength(2);
    expect(live.map((e) => e.functionName).sort()).toEqual(["fn-a", "fn-b"]);
    // When every environment is busy, the next invocation queues and runs when one frees up.
    const [x, y, z] = await Promise.all([
      invoke(pool, a, { do: "sleep", ms: 300 }),
      invoke(pool, b, { do: "sleep", ms: 300 }),
      invoke(pool, b, { do: "sleep", ms: 10 }),
    ]);
    expect([x, y, z].every((r) => !r.functionError)).toBe(true);
    expect(pool.describe().length).toBeLessThanOrEqual(2);
  });

  it("never reuses an environment of an older revision", async () => {
    const pool = newPool();
    const code = writeCode({ "index.mjs": TROUBLEMAKER });
    const v1 = specFor("rev-fn", code, { revisionId: "one" });
    expect(json(await invoke(pool, v1))).toBe(1);
    expect(json(await invoke(pool, v1))).toBe(2);
    const oldPid = pool.describe()[0]!.pid!;
    const v2 = specFor("rev-fn", code, { revisionId: "two" });
    const r = await invoke(pool, v2);
    expect(json(r)).toBe(1);
    expect(r.initDurationMs).toBeGreaterThan(0);
    expect(await until(() => !alive(oldPid))).toBe(true);
    expect(pool.describe().map((e) => e.revisionId)).toEqual(["two"]);
  });

  it("reaps idle environments after idleMs", async () => {
    const pool = newPool({ idleMs: 150 });
    await invoke(pool, specFor("idle-fn", writeCode({ "index.mjs": TROUBLEMAKER })));
    const pid = pool.describe()[0]!.pid!;
    expect(alive(pid)).toBe(true);
    expect(await until(() => !alive(pid))).toBe(true);
    expect(pool.describe()).toEqual([]);
  });

  it("retire() stops a function's environments and close() stops everything, leaving no processes", async () => {
    const pool = newPool();
    const code = writeCode({ "index.mjs": TROUBLEMAKER });
    await Promise.all([
      invoke(pool, specFor("keep-fn", code), { do: "sleep", ms: 100 }),
      invoke(pool, specFor("retire-fn", code), { do: "sleep", ms: 100 }),
      invoke(pool, specFor("retire-fn", code), { do: "sleep", ms: 100 }),
    ]);
    const pids = Object.fromEntries(["keep-fn", "retire-fn"].map((f) => [f, pool.describe().filter((e) => e.functionName === f).map((e) => e.pid!)]));
    expect(pids["retire-fn"]).toHaveLength(2);
    await pool.retire("retire-fn");
    expect(pids["retire-fn"]!.some(alive)).toBe(false);
    expect(pids["keep-fn"]!.every(alive)).toBe(true);

    // A busy environment is retired when its invocation ends; close() then kills the rest, busy or not.
    const busy = invoke(pool, specFor("keep-fn", code), { do: "hang" });
    await until(() => pool.describe().some((e) => e.state === "busy"));
    const allPids = pool.describe().map((e) => e.pid!);
    await pool.close();
    expect(allPids.some(alive)).toBe(false);
    await busy.catch(() => undefined);
    await expect(invoke(pool, specFor("keep-fn", code))).rejects.toThrow(/closed/);
  });

  it("environments exit by themselves when the cloud process dies (IPC channel closed)", async () => {
    // Fork a tiny parent that starts an environment and then gets SIGKILLed.
    const code = writeCode({ "index.mjs": TROUBLEMAKER });
    const runtimeIndex = new URL("../../src/cloud/services/lambda/runtime/index.ts", import.meta.url).pathname;
    const script = path.join(code, "parent.mts");
    fs.writeFileSync(
      script,
      `import { createRuntimePool } from ${JSON.stringify(runtimeIndex)};
       const pool = createRuntimePool({ maxEnvironments: 1, idleMs: 60000, onLogs: () => {} });
       const spec = ${JSON.stringify(specFor("orphan-fn", code))};
       spec.credentials = () => ({ accessKeyId: "a", secretAccessKey: "b", sessionToken: "c" });
       await pool.invoke(spec, "{}", { requestId: "r-1" });
       process.send({ pid: pool.describe()[0].pid });
       setInterval(() => {}, 1000);`,
    );
    const { fork } = await import("node:child_process");
    const parent = fork(script, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const childPid = await new Promise<number>((resolve, reject) => {
      parent.once("message", (m: { pid: number }) => resolve(m.pid));
      parent.once("exit", () => reject(new Error("parent exited early")));
    });
    expect(alive(childPid)).toBe(true);
    const leftover = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`localcloud-lambda-${parent.pid}-`));
    expect(leftover()).toHaveLength(1); // the live parent's scratch dir
    const parentGone = new Promise((resolve) => parent.once("exit", resolve));
    parent.kill("SIGKILL");
    expect(await until(() => !alive(childPid))).toBe(true);
    // A frozen environment dies at once (bwrap --die-with-parent), possibly before this process has reaped
    // the parent: until then the parent is a zombie, "alive" to the sweep below.
    await parentGone;

    // The killed cloud could not clean its scratch dir; the next pool sweeps it. (A pool started by a
    // test file running in parallel may get there first — either way, it is gone after a new pool starts.)
    const sweeper = newPool();
    await invoke(sweeper, specFor("sweeper-fn", code));
    expect(leftover()).toHaveLength(0);
  });
});
