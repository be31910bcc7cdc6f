/**
 * Step Functions records in the cloud's store (they survive a restart):
 * state machines, executions, and each execution's history events, one
 * record per event (`<executionArn>#<id>`) so appending an event writes one
 * journal line, not the whole history again. An in-memory index (rebuilt at
 * start) gives an execution's events in order.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";

export type MachineType = "STANDARD" | "EXPRESS";

export interface MachineRecord {
  arn: string;
  name: string;
  account: string;
  region: string;
  type: MachineType;
  definition: string;
  roleArn: string;
  loggingConfiguration?: unknown;
  tracingConfiguration?: unknown;
  description?: string;
  tags: Record<string, string>;
  createdAt: string;
  updatedAt?: string;
  revisionId: string;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";

export interface ExecutionRecord {
  arn: string;
  name: string;
  machineArn: string;
  account: string;
  region: string;
  type: MachineType;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  /** The definition and role it ran with (UpdateStateMachine does not change a running execution). */
  definition: string;
  roleArn: string;
  traceHeader?: string;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: string;
  type: string;
  /** `<camelCaseType>EventDetails` → details, as the API returns them. */
  [details: string]: unknown;
}

export interface SfnState {
  machines: Table<MachineRecord>;
  executions: Table<ExecutionRecord>;
  events: Table<HistoryEvent & { executionArn: string }>;
  /** executionArn → its events in id order (in memory, rebuilt from `events`). */
  history: Map<string, HistoryEvent[]>;
}

export function openState(cloud: Cloud): SfnState {
  const state: SfnState = {
    machines: cloud.store.table<MachineRecord>("stepfunctions.machines"),
    executions: cloud.store.table<ExecutionRecord>("stepfunctions.executions"),
    events: cloud.store.table<HistoryEvent & { executionArn: string }>("stepfunctions.events"),
    history: new Map(),
  };
  rebuildHistoryIndex(state);
  return state;
}

export function rebuildHistoryIndex(state: SfnState): void {
  state.history.clear();
  for (const { executionArn, ...event } of state.events.values()) {
    let list = state.history.get(executionArn);
    if (!list) state.history.set(executionArn, (list = []));
    list.push(event);
  }
  for (const list of state.history.values()) list.sort((a, b) => a.id - b.id);
}

export function machineArn(region: string, account: string, name: string): string {
  return `arn:aws:states:${region}:${account}:stateMachine:${name}`;
}

/** STANDARD executions are `execution:`, EXPRESS ones `express:` (as AWS writes them). */
export function executionArn(machine: MachineRecord, name: string): string {
  return `arn:aws:states:${machine.region}:${machine.account}:${machine.type === "EXPRESS" ? "express" : "execution"}:${machine.name}:${name}`;
}
