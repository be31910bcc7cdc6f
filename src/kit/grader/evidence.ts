/**
 * Waiting for evidence (issue 13, item 5): a check that waits for a result of
 * the learner's function ends as soon as the outcome is conclusive — the
 * result is there, or the function's own CloudWatch Logs show that the
 * invocation failed (an "Invoke Error" line of the Node runtime, "Task timed
 * out", a REPORT with Status: error/timeout, "Runtime exited"). Locally that is
 * within one poll (≈ a quarter second) of the failure, not the full timeout.
 * The logs are read through the SDK (FilterLogEvents from the upload's time
 * on), so the same wait works on --target aws, only slower (logs arrive late).
 *
 * Failures are summarised for a learner: error type, message and the first
 * stack frame in the function's own code (/var/task/…, not node: or the SDK);
 * `verbose` keeps the full log text.
 *
 * By design: a failure of ANY invocation that started since `since` counts as evidence —
 * callers that expect failures (a bad-input round) must not use this wait.
 */
import { FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import type { KitContext } from "../context.js";
import { pace } from "../context.js";
import { errorCode, sleep, TimeoutError } from "../wait.js";
import { CheckFailed } from "./types.js";

export interface FunctionFailure {
  /** One line: "TypeError: Cannot read properties of undefined (reading 'key') at handler (index.mjs:12:20)". */
  summary: string;
  /** The log text of the failure, unabridged. */
  full: string;
}

const FAILURE = /Invoke Error|Task timed out|Runtime exited|Runtime\.ExitError|^REPORT RequestId:.*Status: (error|timeout)/;

/** The learner's own frame: the first in /var/task (the bundle) or outside node_modules and node: internals. */
function ownFrame(stack: unknown): string | undefined {
  const lines = Array.isArray(stack) ? stack.map(String) : typeof stack === "string" ? stack.split("\n") : [];
  const frame = lines.map((l) => l.trim()).find((l) => l.startsWith("at ") && !/node:|node_modules|\/var\/runtime\//.test(l));
  // The bundle's path (/var/task/ on AWS, a scratch folder locally) says nothing to a learner: keep the file name.
  return frame?.replace(/(?:file:\/\/)?\/[^\s()]*\/([^/\s()]+:\d+:\d+)/, "$1");
}

/** Summarise one failure from its log lines (the runtime writes the error as JSON after "Invoke Error"). */
export function summarizeFailure(lines: string[]): FunctionFailure {
  const full = lines.join("\n");
  for (const line of lines) {
    const at = line.indexOf("{");
    if (!/Invoke Error|\tERROR\t/.test(line) || at < 0) continue;
    try {
      const e = JSON.parse(line.slice(at)) as { errorType?: string; errorMessage?: string; stack?: unknown };
      if (!e.errorType && !e.errorMessage) continue;
      const frame = ownFrame(e.stack);
      return { summary: `${e.errorType ?? "Error"}: ${e.errorMessage ?? ""}${frame ? ` ${frame}` : ""}`, full };
    } catch {
      /* not the JSON line */
    }
  }
  const timeout = lines.find((l) => /Task timed out/.test(l));
  if (timeout) return { summary: timeout.replace(/^\S+\s+[0-9a-f-]{36}\s+/i, "").trim(), full };
  const exit = lines.find((l) => /Runtime exited/.test(l));
  if (exit) return { summary: exit.replace(/^RequestId: \S+ /, "").split("\n")[0]!.trim(), full };
  const report = lines.find((l) => /^REPORT/.test(l));
  const type = report && /Error Type: (\S+)/.exec(report)?.[1];
  return { summary: `the invocation failed${type ? ` (${type})` : ""}`, full };
}

export interface FunctionActivity {
  /** Failed invocations, summarised. */
  failures: FunctionFailure[];
  /** Finished invocations (REPORT lines), failed or not. */
  completed: number;
}

/** The function's log events (optionally from a time on, optionally matching a filter pattern), every page; none before its first invocation (no log group yet). */
export async function logEvents(ctx: KitContext, functionName: string, options: { startTime?: number; filterPattern?: string } = {}): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await ctx.clients.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, startTime: options.startTime, filterPattern: options.filterPattern, nextToken }));
      events.push(...(out.events ?? []));
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (err) {
    if (errorCode(err) === "ResourceNotFoundException") return [];
    throw err;
  }
  return events;
}

/** What the function's log shows since `since` (epoch ms): failed and finished invocations (none when there is no log group yet). */
export async function functionActivity(ctx: KitContext, functionName: string, since: number): Promise<FunctionActivity> {
  const events = (await logEvents(ctx, functionName, { startTime: since })).map((e) => ({ message: (e.message ?? "").trimEnd(), stream: e.logStreamName ?? "" }));
  // Group lines by request id (START … REPORT); a line without one belongs to the request before it in its stream.
  // Only invocations that STARTED since `since` count: an earlier one still finishing is not evidence about this wait.
  const byRequest = new Map<string, string[]>();
  const current = new Map<string, string>();
  for (const e of events) {
    const id = /RequestId: ([0-9a-f-]{36})/i.exec(e.message)?.[1] ?? /^\S+\t([0-9a-f-]{36})\t/i.exec(e.message)?.[1] ?? /^\S+ ([0-9a-f-]{36}) /i.exec(e.message)?.[1] ?? current.get(e.stream) ?? "?";
    current.set(e.stream, id);
    const lines = byRequest.get(id);
    if (lines) lines.push(e.message);
    else byRequest.set(id, [e.message]);
  }
  const started = [...byRequest.values()].filter((lines) => lines.some((l) => l.startsWith("START RequestId:")));
  const failures = started.filter((lines) => lines.some((l) => FAILURE.test(l))).map(summarizeFailure);
  return { failures, completed: started.filter((lines) => lines.some((l) => l.startsWith("REPORT RequestId:"))).length };
}

/** Failed invocations since `since`, summarised. */
export async function functionFailures(ctx: KitContext, functionName: string, since: number): Promise<FunctionFailure[]> {
  return (await functionActivity(ctx, functionName, since)).failures;
}

/** How a failure reads in a check's message: the summary, or the full text under --verbose. */
export function describeFailure(f: FunctionFailure, verbose = false): string {
  return verbose ? `\n      ${f.full.split("\n").join("\n      ")}` : f.summary;
}

export interface EvidenceWait<T> {
  /** The result the check waits for; undefined while it is not there. */
  result(): Promise<T | undefined>;
  /** The learner's function: its logs are the other evidence. */
  functionName: string;
  /** Epoch ms of the first action that could cause a failure (the upload). */
  since: number;
  timeoutMs: number;
  /** What is awaited ("reports/sales.json"), for the status line and the timeout message. */
  what: string;
  /** The failure message; default: `the function failed while <what> was awaited: <summary>`. */
  failed?(failure: FunctionFailure): string;
  /**
   * How many invocations the awaited result comes from. Once that many have finished (REPORT lines
   * since `since`) without failing and the result is still missing, the wait ends: it will not come.
   */
  invocations?: number;
  /** The message for that case; default: `the function finished without producing <what>`. */
  notProduced?(failure?: FunctionFailure): string;
  /**
   * false: a logged failure alone does not end the wait (other uploads of the same round may fail for
   * reasons that are another check's business); only `invocations` finished does, and the message
   * then names the last failure. Default true.
   */
  failFast?: boolean;
  verbose?: boolean;
}

/**
 * Wait for the result or a logged failure, whichever comes first. Returns the result; throws
 * CheckFailed on a failure, TimeoutError when neither arrives in time.
 */
export async function waitForEvidence<T>(ctx: KitContext, w: EvidenceWait<T>): Promise<T> {
  const p = pace(ctx);
  const started = Date.now();
  let interval = p.intervalMs * 2;
  let polls = 0;
  for (;;) {
    const value = await w.result();
    if (value !== undefined) return value;
    // The log is read every other poll: a result is cheaper to look for, and it is what usually comes.
    if (polls++ % 2 === 1) {
      const { failures, completed } = await functionActivity(ctx, w.functionName, w.since);
      const done = w.invocations !== undefined && completed >= w.invocations;
      if ((failures.length && w.failFast !== false) || done) {
        const again = await w.result(); // the result may have landed just before the log line
        if (again !== undefined) return again;
        const f = failures[failures.length - 1];
        if (f && (w.failFast !== false || !w.notProduced)) throw new CheckFailed(w.failed ? w.failed(f) : `the function failed while ${w.what} was awaited: ${describeFailure(f, w.verbose)}${failures.length > 1 ? ` (${failures.length} failed invocations)` : ""}`);
        throw new CheckFailed(w.notProduced ? w.notProduced(f) : `the function finished ${completed} invocation(s) without producing ${w.what}`);
      }
    }
    if (Date.now() - started > w.timeoutMs) throw new TimeoutError(`waited ${(w.timeoutMs / 1000).toFixed(0)} s for ${w.what}`);
    ctx.status(`waiting for ${w.what}…`);
    await sleep(interval);
    interval = Math.min(p.maxIntervalMs, Math.ceil(interval * 1.5));
  }
}
