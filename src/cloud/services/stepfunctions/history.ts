/**
 * An execution's history (GetExecutionHistory), built from the ASL engine's
 * event log plus the task events tasks.ts records while a task runs, in AWS's
 * event types and detail fields (aws-behavior.md §10):
 *
 *   ExecutionStarted → <Type>StateEntered → (TaskScheduled → TaskStarted →
 *   TaskSucceeded | TaskFailed) or (LambdaFunctionScheduled → LambdaFunctionStarted
 *   → LambdaFunctionSucceeded | LambdaFunctionFailed) … → <Type>StateExited →
 *   ExecutionSucceeded | ExecutionFailed | ExecutionAborted | ExecutionTimedOut
 *
 * plus ParallelStateStarted/Succeeded/Failed and MapStateStarted,
 * MapIterationStarted/Succeeded/Failed, MapStateSucceeded/Failed for the
 * nested states (a failure a Catch takes is …StateFailed → …StateExited with
 * no …StateSucceeded, as AWS records it; executor.ts tracks that). Ids count from 1; previousEventId is the event before it
 * (AWS points a branch's events at the branch's own previous event: UNCERTAIN
 * for Parallel and Map, where the local order interleaves).
 *
 * Every event is one record in the store, written when it happens.
 */
import { AwsError } from "../../core/aws-error.js";
import type { HistoryEvent, SfnState } from "./state.js";

const SIZE_LIMIT_NOTE = { truncated: false };

export function detailsKey(type: string, kind: "state" | "own"): string {
  if (kind === "state") return type.endsWith("Entered") ? "stateEnteredEventDetails" : "stateExitedEventDetails";
  return type.charAt(0).toLowerCase() + type.slice(1) + "EventDetails";
}

export class HistoryWriter {
  private nextId: number;
  private closed = false;

  constructor(
    private readonly state: SfnState,
    readonly executionArn: string,
    /** false for EXPRESS executions: not stored (AWS keeps no history for them; here the in-memory one answers GetExecutionHistory). */
    private readonly persist = true,
  ) {
    this.nextId = (state.history.get(executionArn)?.length ?? 0) + 1;
  }

  /** Append an event: `details` goes under AWS's `<type>EventDetails` key (or the state key for *StateEntered/Exited). */
  add(type: string, details?: Record<string, unknown>, timestamp = Date.now()): number {
    // After the execution ended (stopped while a task ran), late task events are not history any more.
    if (this.closed) return 0;
    if (/^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(type)) this.closed = true;
    const id = this.nextId++;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp: new Date(timestamp).toISOString(), type };
    if (details) {
      const isState = /State(Entered|Exited)$/.test(type);
      event[detailsKey(type, isState ? "state" : "own")] = details;
    }
    let list = this.state.history.get(this.executionArn);
    if (!list) this.state.history.set(this.executionArn, (list = []));
    list.push(event);
    if (this.persist) this.state.events.set(`${this.executionArn}#${String(id).padStart(6, "0")}`, { ...event, executionArn: this.executionArn });
    return id;
  }
}

/** JSON text of a value, as history details carry it. */
export function jsonText(value: unknown): string {
  return value === undefined ? "null" : JSON.stringify(value);
}

export function dataDetails(key: "input" | "output", value: unknown): Record<string, unknown> {
  return { [key]: jsonText(value), [`${key}Details`]: SIZE_LIMIT_NOTE };
}

/** The history page GetExecutionHistory returns. */
export function historyPage(
  events: HistoryEvent[],
  options: { reverseOrder?: boolean; maxResults?: number; nextToken?: string; includeExecutionData?: boolean },
): { events: HistoryEvent[]; nextToken?: string } {
  const ordered = options.reverseOrder ? [...events].reverse() : events;
  const start = options.nextToken ? Number(Buffer.from(options.nextToken, "base64").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidToken", `Invalid Token: '${options.nextToken}'`);
  const size = options.maxResults && options.maxResults > 0 ? Math.min(options.maxResults, 1000) : 100;
  let page = ordered.slice(start, start + size);
  if (options.includeExecutionData === false) page = page.map(withoutData);
  return { events: page, nextToken: start + size < ordered.length ? Buffer.from(String(start + size)).toString("base64") : undefined };
}

/** includeExecutionData: false drops input/output/parameters, keeping the rest. */
function withoutData(event: HistoryEvent): HistoryEvent {
  const out: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith("EventDetails") || !value || typeof value !== "object") continue;
    const { input: _i, output: _o, parameters: _p, ...rest } = value as Record<string, unknown>;
    out[key] = rest;
  }
  return out;
}
