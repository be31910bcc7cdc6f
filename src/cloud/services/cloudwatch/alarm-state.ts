/**
 * Alarm records (table cloudwatch.alarms, key account|region|name) and their
 * history (table cloudwatch.alarm-history), which AWS keeps after the alarm
 * is deleted; bounded here to the newest HISTORY_PER_ALARM items per alarm
 * name (AWS: two weeks).
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";
import { hex } from "../../core/ids.js";
import type { MetricDimension } from "../../core/metrics.js";

export type AlarmStateValue = "OK" | "ALARM" | "INSUFFICIENT_DATA";
export type TreatMissing = "breaching" | "notBreaching" | "ignore" | "missing";

/** The configuration as PutMetricAlarm gave it (overwritten whole on every put). */
export interface AlarmConfig {
  AlarmDescription?: string;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions: MetricDimension[];
  Period?: number;
  Unit?: string;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator: string;
  TreatMissingData?: TreatMissing;
  EvaluateLowSampleCountPercentile?: string;
  /** Metric math form: only a single MetricStat with ReturnData is evaluated (see index.ts Gaps). */
  Metrics?: Array<Record<string, unknown>>;
}

export interface AlarmRecord {
  account: string;
  region: string;
  name: string;
  arn: string;
  config: AlarmConfig;
  configUpdated: number;
  state: AlarmStateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdated: number;
  stateTransitioned: number;
  /** Set by PutMetricAlarm on creation only (AWS ignores Tags on an update), then Tag/UntagResource. */
  tags?: Record<string, string>;
}

export interface HistoryItem {
  account: string;
  region: string;
  AlarmName: string;
  AlarmType: "MetricAlarm";
  Timestamp: number;
  HistoryItemType: "ConfigurationUpdate" | "StateUpdate" | "Action";
  HistorySummary: string;
  HistoryData: string;
}

const HISTORY_PER_ALARM = 100;

export function alarmKey(account: string, region: string, name: string): string {
  return `${account}|${region}|${name}`;
}

export class AlarmState {
  readonly alarms: Table<AlarmRecord>;
  private readonly history: Table<HistoryItem>;
  private seq = 0;

  constructor(cloud: Cloud) {
    this.alarms = cloud.store.table<AlarmRecord>("cloudwatch.alarms");
    this.history = cloud.store.table<HistoryItem>("cloudwatch.alarm-history");
  }

  get(account: string, region: string, name: string): AlarmRecord | undefined {
    return this.alarms.get(alarmKey(account, region, name));
  }

  save(alarm: AlarmRecord): void {
    this.alarms.set(alarmKey(alarm.account, alarm.region, alarm.name), alarm);
  }

  delete(alarm: AlarmRecord): void {
    this.alarms.delete(alarmKey(alarm.account, alarm.region, alarm.name));
  }

  /** Alarms of one account and region, by name. */
  list(account: string, region: string): AlarmRecord[] {
    return this.alarms.withPrefix(`${account}|${region}|`).map(([, a]) => a);
  }

  addHistory(alarm: Pick<AlarmRecord, "account" | "region" | "name">, type: HistoryItem["HistoryItemType"], summary: string, data: unknown): void {
    const now = Date.now();
    const prefix = `${alarmKey(alarm.account, alarm.region, alarm.name)}|`;
    // Sortable keys: time, then a sequence for items of the same millisecond.
    const key = `${prefix}${String(now).padStart(15, "0")}|${String(++this.seq % 1e6).padStart(6, "0")}${hex(2)}`;
    this.history.set(key, {
      account: alarm.account,
      region: alarm.region,
      AlarmName: alarm.name,
      AlarmType: "MetricAlarm",
      Timestamp: now,
      HistoryItemType: type,
      HistorySummary: summary,
      HistoryData: JSON.stringify(data),
    });
    const items = this.history.withPrefix(prefix);
    for (let i = 0; i < items.length - HISTORY_PER_ALARM; i++) this.history.delete(items[i]![0]);
  }

  /** History of an account and region (optionally one alarm name), oldest first. */
  historyOf(account: string, region: string, name?: string): HistoryItem[] {
    const prefix = name === undefined ? `${account}|${region}|` : `${alarmKey(account, region, name)}|`;
    return this.history.withPrefix(prefix).map(([, item]) => item).sort((a, b) => a.Timestamp - b.Timestamp);
  }
}
