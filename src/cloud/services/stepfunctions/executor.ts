/**
 * The thin adapter around the ASL engine, aws-local-stepfunctions 3.0.0 (MIT;
 * it runs JSONPath ASL: Pass, Task, Choice, Wait, Succeed, Fail, Parallel,
 * inline Map, Retry, Catch, intrinsic functions). Per execution:
 *
 * - every Task state runs through `taskResourceLocalHandlers` → tasks.ts (the
 *   engine never calls AWS itself);
 * - the definition it runs is the stored one with the cloud's time scale
 *   applied: each retrier's IntervalSeconds and MaxDelaySeconds × scale (so
 *   the engine's backoff, MaxDelaySeconds cap and FULL jitter stay AWS's), and
 *   each Wait state becomes a task that waits Seconds / SecondsPath /
 *   Timestamp / TimestampPath × scale (the engine's waitTimeOverrides are one
 *   fixed figure per state, which cannot follow SecondsPath); Task states
 *   without TimeoutSeconds get AWS's effectively unlimited default instead of
 *   the engine's 60 s. Task time-outs themselves are real time, since the work
 *   in them is real;
 * - the engine's event log becomes the execution's history (history.ts).
 *
 * Node 20 lacks Promise.withResolvers, which the engine uses for task
 * time-outs: a standard polyfill is installed when it is missing.
 */
import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { setTimeout as sleep } from "node:timers/promises";
import type { Cloud } from "../../core/cloud.js";
import type { ExecutionRecord, SfnState } from "./state.js";
import { allStates } from "./definition.js";
import { parseResource } from "./resources.js";
import { dataDetails, HistoryWriter, jsonText } from "./history.js";
import { runTask, TaskError, type TaskRun } from "./tasks.js";
import type { MachineRoles } from "./roles.js";
import { selectPath } from "./json-path.js";

if (!(Promise as { withResolvers?: unknown }).withResolvers) {
  Object.defineProperty(Promise, "withResolvers", {
    configurable: true,
    writable: true,
    value: function withResolvers<T>(this: PromiseConstructor) {
      let resolve!: (v: T) => void;
      let reject!: (e: unknown) => void;
      const promise = new this<T>((a, b) => ((resolve = a), (reject = b)));
      return { promise, resolve, reject };
    },
  });
}

type EngineModule = typeof import("aws-local-stepfunctions");
let engine: Promise<EngineModule> | undefined;
const loadEngine = (): Promise<EngineModule> => (engine ??= import("aws-local-stepfunctions"));

/** Longest timer Node keeps (≈ 24.8 days); AWS's task default is 99999999 s. */
const MAX_TIMER_SECONDS = 2_147_483;
const WAIT_RESOURCE = "arn:aws:states:::localcloud:wait";
const FAIL_DEFAULT_CAUSE = "Execution failed because of a Fail state";

/** By `<state>#<Map iteration index>`: a failed Parallel/Map attempt whose …StateFailed waits to see if a retry follows. */
type PendingFailures = Map<string, { type: string; at: number }>;

/** How many items a Map state iterates: its input through InputPath, then ItemsPath (both "$" by default). */
function mapLength(state: Json, input: unknown): number {
  const selected = state.InputPath === null ? {} : selectPath(input, state.InputPath ?? "$");
  const items = selectPath(selected, state.ItemsPath ?? "$");
  return Array.isArray(items) ? items.length : 0;
}

type Json = Record<string, any>;

/** The definition the engine runs: time-scaled retriers, Wait states as tasks, AWS's task timeout default. */
export function runtimeDefinition(definition: Json, scale: number): Json {
  const copy = structuredClone(definition);
  // Node timers overflow past ~24.8 days (they would fire at once): every figure the engine turns into a timer is capped.
  if (copy.TimeoutSeconds !== undefined) copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_TIMER_SECONDS);
  const walk = (machine: Json) => {
    for (const [name, state] of Object.entries((machine.States ?? {}) as Json)) {
      if (state.Type === "Task") state.TimeoutSeconds = Math.min(state.TimeoutSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS);
      for (const r of state.Retry ?? []) {
        r.IntervalSeconds = (r.IntervalSeconds ?? 1) * scale;
        r.MaxDelaySeconds = Math.min((r.MaxDelaySeconds ?? MAX_TIMER_SECONDS) * scale, MAX_TIMER_SECONDS);
      }
      if (state.Type === "Wait") {
        const { Seconds: _s, Timestamp: _t, SecondsPath: _sp, TimestampPath: _tp, Comment: _c, Type: _type, ...rest } = state;
        machine.States[name] = { ...rest, Type: "Task", Resource: WAIT_RESOURCE, TimeoutSeconds: MAX_TIMER_SECONDS };
      }
      for (const branch of state.Branches ?? []) walk(branch);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) {
        delete processor.ProcessorConfig;
        walk(processor);
      }
    }
  };
  walk(copy);
  return copy;
}

interface Running {
  abort(error?: string, cause?: string): void;
  done: Promise<ExecutionRecord>;
}

export class Executor {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly cloud: Cloud,
    private readonly state: SfnState,
    private readonly roles: MachineRoles,
  ) {}

  isRunning(arn: string): boolean {
    return this.running.has(arn);
  }

  /** The promise of a running execution's final record. */
  done(arn: string): Promise<ExecutionRecord> | undefined {
    return this.running.get(arn)?.done;
  }

  /** Stop a running execution (StopExecution). */
  stop(arn: string, error?: string, cause?: string): void {
    this.running.get(arn)?.abort(error, cause);
  }

  /** Start an execution already stored as RUNNING; resolves with its final record. */
  start(record: ExecutionRecord, options: { persist: boolean; correlationId: string; save: (r: ExecutionRecord) => void }): Promise<ExecutionRecord> {
    const definition = JSON.parse(record.definition) as Json;
    const states = allStates(definition);
    const history = new HistoryWriter(this.state, record.arn, options.persist);
    const controller = new AbortController();
    let stopDetails: { error?: string; cause?: string } = {};
    const attempts: TaskRun["attempts"] = new Map();
    // Parallel/Map attempts that failed, not yet written: a retry follows (AWS then writes …StateStarted
    // again, no …StateFailed), or it is final (…StateFailed, then …StateExited if a Catch takes it).
    const failed: PendingFailures = new Map();
    const run: TaskRun = {
      cloud: this.cloud,
      roles: this.roles,
      roleArn: record.roleArn,
      region: record.region,
      account: record.account,
      history,
      correlationId: options.correlationId,
      executionArn: record.arn,
      attempts,
    };
    const handlers: Record<string, (input: any) => Promise<any>> = {};
    for (const [name, s] of states) {
      if (s.Type === "Wait") handlers[name] = (input) => this.wait(s, input, controller.signal);
      if (s.Type !== "Task") continue;
      const task = parseResource(s.Resource);
      handlers[name] = async (input) => {
        // Let the history catch up with the engine's StateEntered event before the task's own events.
        await new Promise((r) => setImmediate(r));
        if (!task.ok) throw new TaskError("States.Runtime", task.reason);
        return runTask(run, task, name, input, s.TimeoutSeconds);
      };
    }
    let execution: ReturnType<InstanceType<EngineModule["StateMachine"]>["run"]> | undefined;
    let abortRequested = false;
    const done = (async () => {
      // The engine (and the Lambda SDK it imports) loads with the first execution, not at the cloud's start.
      const { StateMachine } = await loadEngine();
      const machine = new StateMachine(runtimeDefinition(definition, this.cloud.config.timeScale) as StateMachineDefinition, { validationOptions: { noValidate: true } });
      const run = machine.run(JSON.parse(record.input), {
        overrides: { taskResourceLocalHandlers: handlers },
        noThrowOnAbort: true,
        context: {
          Execution: { Id: record.arn, Name: record.name, RoleArn: record.roleArn, StartTime: record.startDate },
          StateMachine: { Id: record.machineArn, Name: record.machineArn.split(":").pop() },
        },
      });
      execution = run;
      if (abortRequested) run.abort();
      const settled: Promise<unknown> = run.result.then(
        () => undefined,
        (err: unknown) => err ?? "failed",
      );
      let final: Partial<ExecutionRecord> = {};
      const consuming = (async () => {
        try {
          for await (const event of run.eventLogs) {
            const outcome = this.record(history, states, event as Json, record, stopDetails, attempts, failed);
            if (outcome) final = outcome;
          }
        } catch (err) {
          this.cloud.log.error(`stepfunctions: history of ${record.arn} broke off: ${(err as Error)?.stack ?? err}`);
        }
      })();
      const failure = await settled;
      // The engine's log ends with the execution's last event; if it failed before logging one, do not wait for ever.
      await Promise.race([consuming, sleep(5000)]);
      if (!final.status) {
        const cause = failure ? String((failure as Error).message ?? failure) : "The execution ended without a result.";
        final = { status: "FAILED", error: "States.Runtime", cause };
        history.add("ExecutionFailed", { error: final.error, cause });
      }
      const updated: ExecutionRecord = { ...record, ...final, stopDate: new Date().toISOString() };
      options.save(updated);
      this.running.delete(record.arn);
      this.cloud.trace.record({ correlationId: options.correlationId, kind: "states.execution", source: record.machineArn, target: record.arn, status: updated.status === "SUCCEEDED" ? "ok" : "failed", detail: `${updated.status}${updated.error ? ` (${updated.error})` : ""}` });
      return updated;
    })().catch((err: unknown) => {
      // A bug here must not leave the execution RUNNING for ever.
      this.cloud.log.error(`stepfunctions: execution ${record.arn} crashed: ${(err as Error)?.stack ?? err}`);
      const updated: ExecutionRecord = { ...record, status: "FAILED", error: "States.Runtime", cause: `The local cloud failed to run the execution: ${(err as Error)?.message ?? err}`, stopDate: new Date().toISOString() };
      options.save(updated);
      this.running.delete(record.arn);
      return updated;
    });
    this.running.set(record.arn, {
      abort: (error, cause) => {
        stopDetails = { error, cause };
        controller.abort();
        if (execution) execution.abort();
        else abortRequested = true;
      },
      done,
    });
    return done;
  }

  /** A Wait state, time-scaled. */
  private async wait(state: Json, input: unknown, signal: AbortSignal): Promise<unknown> {
    let ms = 0;
    const now = Date.now();
    if (state.Seconds !== undefined) ms = state.Seconds * 1000;
    else if (state.SecondsPath !== undefined) {
      const seconds = selectPath(input, state.SecondsPath);
      if (!Number.isInteger(seconds) || (seconds as number) < 0) throw new TaskError("States.Runtime", `The SecondsPath parameter ${state.SecondsPath} does not reference a non-negative integer value (got ${jsonText(seconds)}).`);
      ms = (seconds as number) * 1000;
    } else {
      const ts = state.Timestamp ?? selectPath(input, state.TimestampPath);
      const at = typeof ts === "string" ? Date.parse(ts) : NaN;
      if (Number.isNaN(at)) throw new TaskError("States.Runtime", `The TimestampPath parameter ${state.TimestampPath} does not reference a valid ISO-8601 timestamp (got ${jsonText(ts)}).`);
      ms = Math.max(0, at - now);
    }
    const scaled = Math.min(this.cloud.scaled(ms), MAX_TIMER_SECONDS * 1000);
    if (scaled > 0) await sleep(scaled, undefined, { signal }).catch(() => undefined);
    return input;
  }

  /** One engine event → history events; returns the final status on a terminal event. */
  private record(history: HistoryWriter, states: Map<string, Json>, event: Json, record: ExecutionRecord, stop: { error?: string; cause?: string }, attempts: TaskRun["attempts"], failed: PendingFailures): Partial<ExecutionRecord> | undefined {
    const at = event.timestamp as number;
    const name = event.state?.name as string | undefined;
    // Map iterations run the same nested state names at once; the iteration index tells them apart.
    const key = `${name}#${event.index ?? ""}`;
    const type = name ? (states.get(name)?.Type as string | undefined) : undefined;
    /** Write the failures that turned out final (of one Map iteration's states, or all). */
    const settle = (scope?: (key: string) => boolean) => {
      for (const [k, f] of failed) {
        if (scope && !scope(k)) continue;
        history.add(`${f.type}StateFailed`, undefined, f.at);
        failed.delete(k);
      }
    };
    const started = (at: number) => {
      if (type === "Parallel") history.add("ParallelStateStarted", undefined, at);
      if (type === "Map") history.add("MapStateStarted", { length: mapLength(states.get(name!)!, event.state.input) }, at);
    };
    switch (event.type) {
      case "ExecutionStarted":
        history.add("ExecutionStarted", { ...dataDetails("input", event.input), roleArn: record.roleArn }, at);
        return undefined;
      case "StateEntered":
        history.add(`${type}StateEntered`, { name, ...dataDetails("input", event.state.input) }, at);
        started(at);
        return undefined;
      case "StateExited":
        // A caught failure exits as ParallelStateFailed → ParallelStateExited (MapStateFailed → MapStateExited) on AWS, no …Succeeded.
        if (failed.has(key)) settle((k) => k === key);
        else {
          if (type === "Parallel") history.add("ParallelStateSucceeded", undefined, at);
          if (type === "Map") history.add("MapStateSucceeded", undefined, at);
        }
        history.add(`${type}StateExited`, { name, ...dataDetails("output", event.state.output) }, at);
        return undefined;
      case "StateFailed":
        if (type === "Parallel" || type === "Map") failed.set(key, { type, at });
        if (type === "Task" && event.Error === "States.Timeout") {
          const attempt = attempts.get(name!);
          if (attempt) attempt.timedOut = true;
          const task = parseResource(states.get(name!)?.Resource);
          if (task.ok && task.kind === "lambda-function") history.add("LambdaFunctionTimedOut", { error: "States.Timeout" }, at);
          else if (task.ok && task.kind === "integration") history.add("TaskTimedOut", { resourceType: task.service, resource: task.action, error: "States.Timeout" }, at);
        }
        return undefined;
      case "StateRetried":
        // The engine logs it after the retry interval, as the next attempt starts: AWS's …StateStarted.
        if (failed.delete(key)) started(at);
        return undefined;
      case "MapIterationFailed":
        // A nested Parallel/Map failing for good fails its iteration: its …StateFailed comes first.
        settle((k) => k.endsWith(`#${event.index}`));
        history.add(event.type, { name: event.parentState?.name, index: event.index }, at);
        return undefined;
      case "ParallelBranchFailed":
        settle();
        return undefined;
      case "MapIterationStarted":
      case "MapIterationSucceeded":
        history.add(event.type, { name: event.parentState?.name, index: event.index }, at);
        return undefined;
      case "ExecutionSucceeded": {
        history.add("ExecutionSucceeded", dataDetails("output", event.output), at);
        return { status: "SUCCEEDED", output: jsonText(event.output) };
      }
      case "ExecutionFailed": {
        settle();
        const error = String(event.Error ?? "States.Runtime");
        let cause = typeof event.Cause === "string" ? event.Cause : event.Cause === undefined ? undefined : jsonText(event.Cause);
        if (cause === FAIL_DEFAULT_CAUSE) cause = undefined;
        history.add("ExecutionFailed", { error, ...(cause !== undefined ? { cause } : {}) }, at);
        return { status: "FAILED", error, cause };
      }
      case "ExecutionAborted":
        settle();
        history.add("ExecutionAborted", { ...(stop.error ? { error: stop.error } : {}), ...(stop.cause ? { cause: stop.cause } : {}) }, at);
        return { status: "ABORTED", error: stop.error, cause: stop.cause };
      case "ExecutionTimeout":
        settle();
        history.add("ExecutionTimedOut", { error: "States.Timeout" }, at);
        return { status: "TIMED_OUT", error: "States.Timeout" };
      default:
        return undefined;
    }
  }

  /** Stop everything (close/reset): running executions end ABORTED. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.abort("LocalCloud.Stopped", "The local cloud stopped while this execution was running.");
    await Promise.race([Promise.allSettled(all.map((r) => r.done)), sleep(2000)]);
  }
}
