/**
 * What an alarm's SNS action publishes on a state change (aws-behavior.md §11;
 * aws-lambda-go's testdata and payloads recorded by users): Subject
 * `ALARM: "<name>" in US East (N. Virginia)`, and a JSON Message with
 * AlarmName, AlarmDescription (null when none), AWSAccountId,
 * AlarmConfigurationUpdatedTimestamp, NewStateValue, NewStateReason,
 * StateChangeTime (`…+0000`), Region (the long name), AlarmArn,
 * OldStateValue, OKActions, AlarmActions, InsufficientDataActions and
 * Trigger {MetricName, Namespace, StatisticType, Statistic (upper case) |
 * ExtendedStatistic, Unit (null when none), Dimensions [{value, name}],
 * Period, EvaluationPeriods, DatapointsToAlarm, ComparisonOperator,
 * Threshold, TreatMissingData, EvaluateLowSampleCountPercentile}.
 */
import type { AlarmRecord, AlarmStateValue } from "./alarm-state.js";

const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "sa-east-1": "South America (Sao Paulo)",
  "eu-west-1": "EU (Ireland)",
  "eu-west-2": "EU (London)",
  "eu-west-3": "EU (Paris)",
  "eu-central-1": "EU (Frankfurt)",
  "eu-north-1": "EU (Stockholm)",
  "eu-south-1": "EU (Milan)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-east-1": "Asia Pacific (Hong Kong)",
  "me-south-1": "Middle East (Bahrain)",
  "af-south-1": "Africa (Cape Town)",
};

export function regionLongName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

/** 2026-12-02T06:01:00.123+0000, as CloudWatch writes times in its messages and StateReasonData. */
export function cloudWatchTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

/** Java's Double.toString for the values in reasons: 5 → "5.0". */
export function formatNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? n.toFixed(1) : String(n);
}

export function notificationSubject(alarm: AlarmRecord, state: AlarmStateValue): string {
  const subject = `${state}: "${alarm.name}" in ${regionLongName(alarm.region)}`;
  // SNS subjects are at most 100 characters.
  return subject.length <= 100 ? subject : subject.slice(0, 97) + "...";
}

export function notificationMessage(alarm: AlarmRecord, oldState: AlarmStateValue, changedAt: number): Record<string, unknown> {
  const c = alarm.config;
  const stat = c.MetricName ? metricOf(alarm) : undefined;
  const common = {
    EvaluationPeriods: c.EvaluationPeriods,
    DatapointsToAlarm: c.DatapointsToAlarm ?? c.EvaluationPeriods,
    ComparisonOperator: c.ComparisonOperator,
    Threshold: c.Threshold ?? null,
    TreatMissingData: c.TreatMissingData ?? "missing",
    EvaluateLowSampleCountPercentile: c.EvaluateLowSampleCountPercentile ?? "",
  };
  // Metric math alarms: the Metrics list instead of one metric (UNCERTAIN: the exact casing AWS uses inside it).
  const trigger = stat
    ? {
        MetricName: stat.metricName,
        Namespace: stat.namespace,
        StatisticType: /^p/.test(stat.stat) ? "ExtendedStatistic" : "Statistic",
        ...(/^p/.test(stat.stat) ? { ExtendedStatistic: stat.stat } : { Statistic: stat.stat.toUpperCase() }),
        Unit: stat.unit ?? null,
        Dimensions: stat.dimensions.map((d) => ({ value: d.Value, name: d.Name })),
        Period: stat.period,
        ...common,
      }
    : { Period: mathPeriod(c.Metrics ?? []), ...common, Metrics: c.Metrics ?? [] };
  return {
    AlarmName: alarm.name,
    AlarmDescription: c.AlarmDescription ?? null,
    AWSAccountId: alarm.account,
    AlarmConfigurationUpdatedTimestamp: cloudWatchTime(alarm.configUpdated),
    NewStateValue: alarm.state,
    NewStateReason: alarm.stateReason,
    StateChangeTime: cloudWatchTime(changedAt),
    Region: regionLongName(alarm.region),
    AlarmArn: alarm.arn,
    OldStateValue: oldState,
    OKActions: c.OKActions,
    AlarmActions: c.AlarmActions,
    InsufficientDataActions: c.InsufficientDataActions,
    Trigger: trigger,
  };
}

function mathPeriod(metrics: Array<Record<string, unknown>>): number | null {
  const returned = metrics.find((m) => m.ReturnData !== false);
  const own = returned?.Period ?? (returned?.MetricStat as { Period?: number } | undefined)?.Period;
  if (typeof own === "number") return own;
  const any = metrics.find((m) => m.MetricStat)?.MetricStat as { Period?: number } | undefined;
  return any?.Period ?? null;
}

export interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Array<{ Name: string; Value: string }>;
  stat: string;
  period: number;
  unit?: string;
}

/** The one metric an alarm watches: its own fields, or the single MetricStat of its Metrics list. */
export function metricOf(alarm: AlarmRecord): AlarmMetric | undefined {
  const c = alarm.config;
  if (c.MetricName && c.Namespace && c.Period) {
    return { namespace: c.Namespace, metricName: c.MetricName, dimensions: c.Dimensions, stat: c.Statistic ?? c.ExtendedStatistic ?? "Average", period: c.Period, unit: c.Unit };
  }
  const q = c.Metrics?.find((m) => m.ReturnData !== false && m.MetricStat);
  if (!q) return undefined;
  const ms = q.MetricStat as { Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: string }> }; Period: number; Stat: string; Unit?: string };
  return { namespace: ms.Metric.Namespace, metricName: ms.Metric.MetricName, dimensions: ms.Metric.Dimensions ?? [], stat: ms.Stat, period: Number(ms.Period), unit: ms.Unit };
}
