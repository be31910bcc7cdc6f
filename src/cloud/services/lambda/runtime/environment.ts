/**
 * One execution environment: a Node process running bootstrap/bootstrap.mjs
 * for one function revision, serving one invocation at a time over its IPC
 * channel. It owns the process lifecycle and everything AWS's platform does
 * around the runtime: the init phase (≤ 10 s), the per-invocation timeout
 * (kill + Sandbox.Timedout), the memory limit (V8 heap cap plus an RSS watch,
 * kill → Runtime.ExitError "signal: killed"), and turning an exit, crash or
 * uncaught error into AWS's error payload and log lines (invocation-report.ts).
 * Once its process is gone the environment is dead and never reused. The
 * process is started by spawn-process.ts, inside a bubblewrap sandbox when
 * sandbox.ts finds one (see index.ts for the containment model). Between
 * invocations the process is frozen (SIGSTOP, freeze.ts), as AWS freezes an
 * environment; it is thawed just before the next invocation is sent.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { FunctionSpec, InvokeOptions, InvokeResult, LogEvent } from "./contract.js";
import { logEvent, newLogStreamName, startLine } from "./log-lines.js";
import { LogSink } from "./log-sink.js";
import { buildInvokeResult, type InvocationOutcome, type KillReason, type RuntimeErrorPayload } from "./invocation-report.js";
import { Freezer } from "./freeze.js";
import { untrackChild } from "./orphan-guard.js";
import { exitFromSandbox, type SandboxStatus } from "./sandbox.js";
import type { SdkModules } from "./sdk-modules.js";
import { spawnEnvironmentProcess, type EnvironmentProcess } from "./spawn-process.js";

/** bootstrap/ sits beside this module: in src/, and beside cli.js in bin/localcloud.mjs's bundle. */
const BOOTSTRAP = path.join(path.dirname(fileURLToPath(import.meta.url)), "bootstrap", "bootstrap.mjs");
/** AWS gives the init phase of an on-demand environment 10 seconds. */
const INIT_LIMIT_MS = 10_000;
/** How often a busy environment's resident memory is checked against its limit. */
const RSS_POLL_MS = 100;
const PAGE_SIZE = 4096;

type InitState =
  | { ok: true; initMs: number }
  | { ok: false; initMs: number; error?: RuntimeErrorPayload; timedOut?: boolean };

type ChildMessage =
  | { t: "log"; ts: number; message: string }
  | { t: "raw"; ts: number; text: string }
  | { t: "ready" }
  | { t: "init-error"; error: RuntimeErrorPayload }
  | { t: "done"; requestId: string; durationMs: number; maxRssKb: number; payload?: string; error?: RuntimeErrorPayload }
  | { t: "fatal"; requestId?: string; error: RuntimeErrorPayload };

interface RunningInvocation {
  requestId: string;
  logs: LogEvent[];
  settle(outcome: InvocationOutcome): void;
}

export interface EnvironmentDeps {
  spec: FunctionSpec;
  sdk: SdkModules;
  scratchDir: string;
  sandbox: SandboxStatus;
  onLogs(spec: FunctionSpec, logStreamName: string, events: LogEvent[]): void;
  /** Called once when the process is gone (for whatever reason). */
  onDead(env: ExecutionEnvironment): void;
}

let nextId = 0;

export class ExecutionEnvironment {
  readonly id = `env-${process.pid}-${++nextId}`;
  readonly spec: FunctionSpec;
  readonly logStreamName = newLogStreamName();
  readonly createdAt = Date.now();
  lastUsedAt = Date.now();
  /** busy = assigned to an invocation (including while starting). */
  state: "busy" | "idle" | "dead" = "busy";
  /** Set by the pool when the function was updated/deleted: stop after the current invocation. */
  retired = false;

  private readonly child: ChildProcess;
  private readonly proc: EnvironmentProcess;
  private readonly ready: Promise<InitState>;
  private readonly exited: Promise<void>;
  private readonly sink: LogSink;
  private readonly freezer: Freezer;
  private initLogs: LogEvent[] = [];
  private current?: RunningInvocation;
  private invokedOnce = false;
  private killReason?: KillReason;
  private fatal?: RuntimeErrorPayload;
  private peakRssKb = 0;
  private rawPartial = "";
  private stderrTail = "";
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(private readonly deps: EnvironmentDeps) {
    this.spec = deps.spec;
    this.sink = new LogSink((events) => deps.onLogs(this.spec, this.logStreamName, events));
    const spawnedAt = performance.now();
    this.proc = spawnEnvironmentProcess({
      spec: this.spec,
      sdk: deps.sdk,
      bootstrap: BOOTSTRAP,
      logStreamName: this.logStreamName,
      envDir: path.join(deps.scratchDir, this.id),
      sandbox: deps.sandbox,
    });
    this.child = this.proc.child;
    this.freezer = new Freezer(
      () => this.proc.nodePid(),
      () => this.child.stdin?.write("\n"),
    );
    this.child.stdin?.on("error", () => {}); // EPIPE once the process is gone

    let resolveReady!: (state: InitState) => void;
    this.ready = new Promise((resolve) => (resolveReady = resolve));
    const initTimer = setTimeout(() => {
      this.killReason = "init-timeout";
      this.kill();
    }, INIT_LIMIT_MS);
    const initDone = (state: InitState) => {
      clearTimeout(initTimer);
      resolveReady(state);
    };
    const initMs = () => performance.now() - spawnedAt;

    this.child.on("message", (message: ChildMessage) => {
      switch (message.t) {
        case "ready":
          this.proc.nodePid(); // find (and remember) the sandboxed node's pid while it surely exists
          return initDone({ ok: true, initMs: initMs() });
        case "init-error":
          return initDone({ ok: false, initMs: initMs(), error: message.error });
        case "log":
          return this.emit({ timestamp: message.ts, message: message.message });
        case "raw":
          return this.emitRaw(message.text, message.ts);
        case "done":
          return this.current?.requestId === message.requestId
            ? this.current.settle({ kind: "done", ...message })
            : undefined;
        case "fatal":
          this.fatal = message.error;
          return;
      }
    });
    // Native writes (V8's fatal errors, child processes) bypass the console patch.
    this.child.stdout?.on("data", (chunk: Buffer) => this.emitRaw(chunk.toString("utf8"), Date.now()));
    this.child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      this.emitRaw(text, Date.now());
    });

    let resolveExited!: () => void;
    this.exited = new Promise((resolve) => (resolveExited = resolve));
    let finalized = false;
    const finalize = () => {
      if (finalized) return;
      finalized = true;
      untrackChild(this.child);
      this.freezer.forget();
      clearTimeout(initTimer);
      this.state = "dead";
      this.flushRaw();
      const { code, signal } = this.exitInfo ?? { code: null, signal: null };
      initDone({ ok: false, initMs: initMs(), timedOut: this.killReason === "init-timeout" });
      this.current?.settle({ kind: "exit", code, signal, reason: this.exitReason(), fatal: this.fatal });
      this.sink.flush();
      fs.rm(path.join(this.deps.scratchDir, this.id), { recursive: true, force: true }, () => {});
      this.deps.onDead(this);
      resolveExited();
    };
    // Sandboxed, bwrap can be gone before node (SIGKILLed, perhaps frozen) is reaped in its namespace:
    // "stopped" must mean node is gone too, so wait for that (at most a second).
    const nodePid = () => (this.proc.sandboxed ? this.proc.nodePid() : undefined);
    const whenNodeGone = (then: () => void, since = Date.now()) => {
      const pid = nodePid();
      if (pid === undefined || !isAlive(pid) || Date.now() - since > 1000) return then();
      setTimeout(() => whenNodeGone(then, since), 10).unref();
    };
    this.child.on("exit", (code, signal) => {
      this.exitInfo = this.proc.sandboxed ? exitFromSandbox(code, signal) : { code, signal };
      // Give the pipes a moment to drain; a grandchild holding them open must not stall us.
      setTimeout(() => whenNodeGone(finalize), 50).unref();
    });
    this.child.on("close", () => whenNodeGone(finalize));
    this.child.on("error", () => {
      // spawn failure: no exit event will follow
      if (this.child.pid === undefined) {
        this.exitInfo = { code: 1, signal: null };
        finalize();
      }
    });
  }

  /** The node process's pid (inside a sandbox: node's, not the outer bwrap's — the one to SIGSTOP/SIGCONT). */
  get pid(): number | undefined {
    return this.proc.nodePid() ?? this.child.pid;
  }

  /** Stopped between invocations (freeze.ts). */
  get frozen(): boolean {
    return this.freezer.frozen;
  }

  get sandboxed(): boolean {
    return this.proc.sandboxed;
  }

  get revisionId(): string {
    return this.spec.revisionId;
  }

  /** Run one invocation. Never rejects: every failure is an InvokeResult in AWS's shape. */
  async invoke(payload: string, options: InvokeOptions): Promise<InvokeResult> {
    this.state = "busy";
    const spec = this.spec;
    const logs: LogEvent[] = [];
    const init = await this.ready;
    const cold = !this.invokedOnce;
    this.invokedOnce = true;
    logs.push(...this.initLogs);
    this.initLogs = [];

    if (!init.ok || (this.state as string) === "dead") {
      // Init failed: error thrown by the module, init timeout, or the process died while loading.
      const outcome: InvocationOutcome = init.ok
        ? {
            kind: "exit",
            code: this.exitInfo?.code ?? null,
            signal: this.exitInfo?.signal ?? null,
            reason: this.exitReason(),
            fatal: this.fatal,
          }
        : { kind: "init-failed", error: init.error, timedOut: init.timedOut === true, exit: this.exitInfo, reason: this.exitReason() };
      const result = buildInvokeResult({
        spec,
        requestId: options.requestId,
        logs,
        outcome,
        cold: true,
        initDurationMs: init.initMs,
        durationMs: 0,
        peakRssKb: this.peakRssKb,
        logStreamName: this.logStreamName,
        publish: (e) => this.sink.push(e),
      });
      this.sink.flush();
      await this.stop();
      return result;
    }

    const requestId = options.requestId;
    const startedAt = performance.now();
    const outcome = await new Promise<InvocationOutcome>((settle) => {
      let settled = false;
      const invocation: RunningInvocation = {
        requestId,
        logs,
        settle: (o) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          clearInterval(rssWatch);
          settle(o);
        },
      };
      this.current = invocation;
      this.emit(startLine(requestId));
      const timeoutMs = spec.timeoutSeconds * 1000;
      const timer = setTimeout(() => {
        this.killReason = "timeout";
        this.kill();
      }, timeoutMs);
      const rssWatch = setInterval(() => this.watchMemory(), RSS_POLL_MS);
      // Work left running by the previous invocation resumes only now, as on AWS.
      this.freezer.thaw();
      this.child.send({
        t: "invoke",
        requestId,
        payload,
        deadline: Date.now() + timeoutMs,
        invokedFunctionArn: spec.functionArn,
        traceId: options.traceHeader,
        clientContext: options.clientContext,
        park: this.freezer.enabled,
      });
    });
    // Partial raw lines written before the result belong to this invocation.
    this.flushRaw();
    this.current = undefined;
    const durationMs = outcome.kind === "done" ? outcome.durationMs : performance.now() - startedAt;
    const result = buildInvokeResult({
      spec,
      requestId,
      logs,
      outcome,
      cold,
      initDurationMs: cold ? init.initMs : undefined,
      durationMs,
      peakRssKb: this.peakRssKb,
      logStreamName: this.logStreamName,
      publish: (e) => this.sink.push(e),
    });
    this.sink.flush();
    this.lastUsedAt = Date.now();
    // The response is in (and with it every line logged before it): freeze until the next invocation.
    if ((this.state as string) !== "dead") this.freezer.freeze();
    return result;
  }

  /** Kill the process (if alive) and wait until it is gone. */
  async stop(): Promise<void> {
    if (this.state !== "dead") {
      this.killReason ??= "stop";
      this.kill();
    }
    await this.exited;
  }

  /** SIGKILL the process. Sandboxed, node itself too: not waiting for the death to travel bwrap → init → node keeps stop() (and a function update's retire) fast. */
  private kill(): void {
    if (this.proc.sandboxed) {
      const pid = this.proc.nodePid();
      if (pid !== undefined && this.state !== "dead") {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    this.child.kill("SIGKILL");
    // SIGKILL ends a stopped process too; continuing it only after the kill means a discarded environment never runs its deferred work.
    this.freezer.thaw();
  }

  private exitReason(): KillReason | undefined {
    if (this.killReason) return this.killReason;
    if (/heap out of memory|Reached heap limit/i.test(this.stderrTail)) return "oom";
    return undefined;
  }

  private watchMemory(): void {
    const pid = this.proc.nodePid();
    if (pid === undefined || this.state === "dead") return;
    let rssKb: number;
    try {
      const statm = fs.readFileSync(`/proc/${pid}/statm`, "utf8");
      rssKb = (Number(statm.split(" ")[1]) * PAGE_SIZE) / 1024;
    } catch {
      return; // not Linux, or already gone
    }
    if (rssKb > this.peakRssKb) this.peakRssKb = rssKb;
    if (rssKb > this.spec.memoryMb * 1024) {
      this.killReason = "oom";
      this.kill();
    }
  }

  /** One log event: into the running invocation (or init) and on to CloudWatch Logs. */
  private emit(event: LogEvent, into?: LogEvent[]): void {
    const target = into ?? this.current?.logs ?? (this.invokedOnce ? undefined : this.initLogs);
    target?.push(event);
    this.sink.push(event);
  }

  /** Raw stdout/stderr text: one log event per line, as Lambda captures a process's output. */
  private emitRaw(text: string, timestamp: number): void {
    const lines = (this.rawPartial + text).split("\n");
    this.rawPartial = lines.pop() ?? "";
    for (const line of lines) this.emit(logEvent(line, timestamp));
  }

  private flushRaw(): void {
    if (this.rawPartial) {
      const line = this.rawPartial;
      this.rawPartial = "";
      this.emit(logEvent(line));
    }
  }
}

/** Does the process still run (EPERM: alive, another user's)? Also used by the pool's scratch sweep. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
