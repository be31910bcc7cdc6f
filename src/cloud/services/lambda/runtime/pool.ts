/**
 * The RuntimePool: decides which execution environment serves an invocation.
 * - One invocation per environment at a time; the most recently used idle
 *   environment of the same function *and revision* is reused (warm start),
 *   otherwise one is started.
 * - Reserved concurrency: 0 throttles at once; N caps the function's busy
 *   environments. The pool as a whole holds at most maxEnvironments processes;
 *   when full, an idle environment of another function is stopped to make
 *   room, else the invocation waits in a FIFO queue for queueWaitMs and then
 *   gets TooManyRequests (AWS's 429, which the async queue retries).
 * - Environments of an older revision are never reused; idle ones are reaped
 *   after idleMs (and any after an hour, as AWS recycles environments).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  TooManyRequests,
  type FunctionSpec,
  type InvokeOptions,
  type InvokeResult,
  type RuntimePool,
  type RuntimePoolOptions,
} from "./contract.js";
import { ExecutionEnvironment, isAlive } from "./environment.js";
import { prepareSdkModules, type SdkModules } from "./sdk-modules.js";
import { sandboxStatus, type SandboxStatus } from "./sandbox.js";

const DEFAULT_QUEUE_WAIT_MS = 3000;
/** Scratch dirs are named for the owning process, so ones left by a killed cloud can be swept. */
const SCRATCH_PREFIX = "localcloud-lambda-";
/** AWS recycles execution environments after some hours; locally an hour keeps credentials fresh. */
const MAX_ENVIRONMENT_AGE_MS = 60 * 60 * 1000;

interface Waiter {
  spec: FunctionSpec;
  resolve(env: ExecutionEnvironment): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class LambdaRuntimePool implements RuntimePool {
  private readonly environments = new Set<ExecutionEnvironment>();
  private waiters: Waiter[] = [];
  private closed = false;
  private readonly reaper: NodeJS.Timeout;
  private scratch?: { dir: string; sdk: SdkModules };
  /** Known before the first environment starts (the bwrap trial run is asynchronous, once per process). */
  private sandbox?: SandboxStatus;

  constructor(private readonly options: RuntimePoolOptions) {
    const every = Math.max(50, Math.min(1000, Math.floor(options.idleMs / 2)));
    this.reaper = setInterval(() => this.reapIdle(), every);
    this.reaper.unref();
  }

  async invoke(spec: FunctionSpec, payload: string, options: InvokeOptions): Promise<InvokeResult> {
    if (this.closed) throw new Error("The Lambda runtime pool is closed.");
    if (spec.reservedConcurrency === 0) {
      throw new TooManyRequests("Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    this.sandbox ??= await sandboxStatus(this.options.sandbox === "off" ? "off" : undefined);
    if (this.closed) throw new Error("The Lambda runtime pool is closed.");
    const env = this.tryAcquire(spec) ?? (await this.waitForEnvironment(spec));
    try {
      return await env.invoke(payload, options);
    } finally {
      this.release(env);
    }
  }

  async retire(functionName: string): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const env of this.environments) {
      if (env.spec.functionName !== functionName) continue;
      if (env.state === "busy") env.retired = true; // stopped when its invocation ends
      else stopping.push(this.stop(env));
    }
    await Promise.all(stopping);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.reaper);
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("The Lambda runtime pool is closed."));
    }
    this.waiters = [];
    await Promise.all([...this.environments].map((env) => this.stop(env)));
    if (this.scratch) fs.rmSync(this.scratch.dir, { recursive: true, force: true });
  }

  /** Live environments (for tests, diagnostics and the bench). */
  describe(): Array<{ functionName: string; pid?: number; state: string; revisionId: string; sandboxed: boolean; frozen: boolean }> {
    return [...this.environments].map((e) => ({
      functionName: e.spec.functionName,
      pid: e.pid,
      state: e.state,
      revisionId: e.revisionId,
      sandboxed: e.sandboxed,
      frozen: e.frozen,
    }));
  }

  private tryAcquire(spec: FunctionSpec): ExecutionEnvironment | undefined {
    let busy = 0;
    for (const env of this.environments) {
      if (env.spec.functionName !== spec.functionName) continue;
      if (env.state === "busy") busy++;
      else if (env.state === "idle" && env.revisionId !== spec.revisionId) void this.stop(env); // older code/config
    }
    if (spec.reservedConcurrency !== undefined && busy >= spec.reservedConcurrency) return undefined;

    // The most recently used idle environment: the one an invocation just finished in serves the next,
    // so state a handler keeps in memory between invocations is seen again (as warm starts show it on
    // AWS), and the extra environments of a burst go idle and are reaped.
    let warm: ExecutionEnvironment | undefined;
    for (const env of this.environments) {
      if (env.state === "idle" && env.spec.functionName === spec.functionName && env.revisionId === spec.revisionId && (!warm || env.lastUsedAt > warm.lastUsedAt)) warm = env;
    }
    if (warm) {
      warm.state = "busy";
      return warm;
    }
    if (this.environments.size >= this.options.maxEnvironments) {
      const victim = this.leastRecentlyUsedIdle();
      if (!victim) return undefined;
      void this.stop(victim);
    }
    return this.start(spec);
  }

  private waitForEnvironment(spec: FunctionSpec): Promise<ExecutionEnvironment> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        spec,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          const reserved = spec.reservedConcurrency !== undefined;
          reject(
            new TooManyRequests(
              "Rate Exceeded.",
              reserved ? "ReservedFunctionConcurrentInvocationLimitExceeded" : "ConcurrentInvocationLimitExceeded",
            ),
          );
        }, this.options.queueWaitMs ?? DEFAULT_QUEUE_WAIT_MS),
      };
      this.waiters.push(waiter);
    });
  }

  private release(env: ExecutionEnvironment): void {
    if (env.state !== "dead") {
      if (env.retired || this.closed) void this.stop(env);
      else env.state = "idle";
    }
    this.serveWaiters();
  }

  /** Hand freed capacity to queued invocations, oldest first (skipping ones still blocked by their own limit). */
  private serveWaiters(): void {
    if (this.closed) return;
    for (const waiter of [...this.waiters]) {
      let env: ExecutionEnvironment | undefined;
      try {
        env = this.tryAcquire(waiter.spec);
      } catch (error) {
        // e.g. spec.credentials() threw, or the process could not be spawned: fail that invocation only.
        clearTimeout(waiter.timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (!env) continue;
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(env);
    }
  }

  private start(spec: FunctionSpec): ExecutionEnvironment {
    const scratch = this.ensureScratch();
    const env = new ExecutionEnvironment({
      spec,
      sdk: scratch.sdk,
      scratchDir: scratch.dir,
      sandbox: this.sandbox ?? { mode: "none", reason: "not probed" },
      onLogs: this.options.onLogs,
      onDead: (dead) => {
        this.environments.delete(dead);
        // Let a queued invocation use the freed slot (after the current call stack unwinds).
        queueMicrotask(() => this.serveWaiters());
      },
    });
    this.environments.add(env);
    return env;
  }

  /** Stop an environment; it leaves the pool's count at once so its slot can be reused. */
  private stop(env: ExecutionEnvironment): Promise<void> {
    this.environments.delete(env);
    return env.stop();
  }

  private leastRecentlyUsedIdle(): ExecutionEnvironment | undefined {
    let oldest: ExecutionEnvironment | undefined;
    for (const env of this.environments) {
      if (env.state === "idle" && (!oldest || env.lastUsedAt < oldest.lastUsedAt)) oldest = env;
    }
    return oldest;
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const env of this.environments) {
      if (env.state !== "idle") continue;
      if (now - env.lastUsedAt >= this.options.idleMs || now - env.createdAt >= MAX_ENVIRONMENT_AGE_MS) void this.stop(env);
    }
  }

  private ensureScratch(): { dir: string; sdk: SdkModules } {
    if (!this.scratch) {
      sweepAbandonedScratch();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
      this.scratch = { dir, sdk: prepareSdkModules(dir) };
    }
    return this.scratch;
  }
}

/** Remove scratch directories (TMPDIRs, SDK links) left behind by a cloud process that was killed. */
function sweepAbandonedScratch(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    const pid = Number(name.slice(SCRATCH_PREFIX.length).split("-")[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isAlive(pid)) continue;
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}
