/**
 * EventBridge records in the cloud's store (they survive a restart): custom
 * event buses and rules (with their targets), keyed by ARN. The default bus
 * of every account and region exists without a record.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";

export interface BusRecord {
  arn: string;
  name: string;
  account: string;
  region: string;
  description?: string;
  policy?: string;
  tags: Record<string, string>;
  createdAt: string;
  modifiedAt: string;
}

export interface TargetRecord {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  /** Other target parameters (SqsParameters, HttpParameters…), stored and echoed, not applied. */
  [other: string]: unknown;
}

export interface RuleRecord {
  arn: string;
  name: string;
  busName: string;
  account: string;
  region: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: "ENABLED" | "DISABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
  description?: string;
  roleArn?: string;
  targets: TargetRecord[];
  tags: Record<string, string>;
  createdAt: string;
}

export interface ArchiveRecord {
  arn: string;
  name: string;
  account: string;
  region: string;
  /** The bus ARN whose events it keeps. */
  eventSourceArn: string;
  description?: string;
  eventPattern?: string;
  /** 0 = forever. */
  retentionDays: number;
  state: "ENABLED" | "DISABLED";
  eventCount: number;
  sizeBytes: number;
  createdAt: string;
}

/** One archived event: key `<archiveArn>#<event time>#<event id>`, so an archive's events sort by time. */
export interface ArchivedEvent {
  archiveArn: string;
  event: Record<string, unknown>;
  archivedAt: string;
}

export type ReplayState = "STARTING" | "RUNNING" | "CANCELLING" | "COMPLETED" | "CANCELLED" | "FAILED";

export interface ReplayRecord {
  arn: string;
  name: string;
  account: string;
  region: string;
  description?: string;
  /** The archive ARN. */
  eventSourceArn: string;
  destination: { Arn: string; FilterArns?: string[] };
  eventStartTime: string;
  eventEndTime: string;
  eventLastReplayedTime?: string;
  state: ReplayState;
  stateReason?: string;
  replayStartTime: string;
  replayEndTime?: string;
}

export interface EventsState {
  buses: Table<BusRecord>;
  rules: Table<RuleRecord>;
  archives: Table<ArchiveRecord>;
  archived: Table<ArchivedEvent>;
  replays: Table<ReplayRecord>;
}

export function openState(cloud: Cloud): EventsState {
  return {
    buses: cloud.store.table<BusRecord>("events.buses"),
    rules: cloud.store.table<RuleRecord>("events.rules"),
    archives: cloud.store.table<ArchiveRecord>("events.archives"),
    archived: cloud.store.table<ArchivedEvent>("events.archived"),
    replays: cloud.store.table<ReplayRecord>("events.replays"),
  };
}

export function archiveArn(region: string, account: string, name: string): string {
  return `arn:aws:events:${region}:${account}:archive/${name}`;
}

export function replayArn(region: string, account: string, name: string): string {
  return `arn:aws:events:${region}:${account}:replay/${name}`;
}

export function busArn(region: string, account: string, name: string): string {
  return `arn:aws:events:${region}:${account}:event-bus/${name}`;
}

/** Rules on the default bus are `rule/<name>`, on a custom bus `rule/<bus>/<name>` (as AWS writes them). */
export function ruleArn(region: string, account: string, busName: string, name: string): string {
  return `arn:aws:events:${region}:${account}:rule/${busName === "default" ? "" : `${busName}/`}${name}`;
}

/** Rules of one bus, by name. */
export function rulesOf(state: EventsState, account: string, region: string, busName: string): RuleRecord[] {
  const out: RuleRecord[] = [];
  for (const rule of state.rules.values()) {
    if (rule.account === account && rule.region === region && rule.busName === busName) out.push(rule);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
