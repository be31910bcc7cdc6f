/**
 * CloudWatch alarms (lab 07): state (OK / ALARM / INSUFFICIENT_DATA) with its
 * reason, what is watched (metric, statistic, period, threshold), the actions
 * and the alarm's history, read through the SDK's CloudWatch client.
 * Composite alarms are listed with their rule; the local cloud answers none
 * today (see services/cloudwatch's Gaps).
 */
import type { ResourceKind, Section } from "./types.js";
import { failure } from "./types.js";

export const alarms: ResourceKind = {
  kind: "alarms",
  title: "Alarms",
  async list({ cloudwatch, sdk }) {
    const out = await cloudwatch.send(new sdk.cloudwatch.DescribeAlarmsCommand({ MaxRecords: 100, AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
    const items = [
      ...(out.MetricAlarms ?? []).map((a) => ({ id: a.AlarmName!, name: a.AlarmName!, cells: [a.AlarmName, a.StateValue, a.Namespace ? `${a.Namespace} ${a.MetricName}` : "metric math", a.StateUpdatedTimestamp?.toISOString()] })),
      ...(out.CompositeAlarms ?? []).map((a) => ({ id: a.AlarmName!, name: a.AlarmName!, cells: [a.AlarmName, a.StateValue, "composite", a.StateUpdatedTimestamp?.toISOString()] })),
    ];
    return { columns: ["alarm", "state", "metric", "state since"], items, note: out.NextToken ? "Only the first 100 alarms are listed." : undefined };
  },
  async detail({ cloudwatch, sdk }, name) {
    const out = await cloudwatch.send(new sdk.cloudwatch.DescribeAlarmsCommand({ AlarmNames: [name], AlarmTypes: ["MetricAlarm", "CompositeAlarm"] }));
    const a = out.MetricAlarms?.[0] ?? out.CompositeAlarms?.[0];
    if (!a) return { title: `alarm ${name}`, sections: [{ type: "text", title: "Alarm", text: `No alarm named ${name} in this region (deleted?).` }] };
    const metric = out.MetricAlarms?.[0];
    const composite = out.CompositeAlarms?.[0];
    const sections: Section[] = [
      { type: "kv", title: "State", rows: [["state", a.StateValue], ["reason", a.StateReason], ["since", a.StateUpdatedTimestamp?.toISOString()], ["actions enabled", a.ActionsEnabled], ["ARN", a.AlarmArn], ["description", a.AlarmDescription]] },
    ];
    if (metric) {
      const dims = (metric.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(", ");
      sections.push({
        type: "kv",
        title: "Watches",
        rows: [
          ["namespace", metric.Namespace],
          ["metric", metric.MetricName],
          ["dimensions", dims],
          ["statistic", metric.Statistic ?? metric.ExtendedStatistic],
          ["period (s)", metric.Period],
          ["evaluation periods", metric.EvaluationPeriods],
          ["datapoints to alarm", metric.DatapointsToAlarm],
          ["comparison", metric.ComparisonOperator],
          ["threshold", metric.Threshold],
          ["missing data", metric.TreatMissingData],
        ],
      });
      if (metric.Metrics?.length) sections.push({ type: "json", title: "Metric math", value: metric.Metrics });
    }
    if (composite?.AlarmRule) sections.push({ type: "text", title: "Alarm rule", text: composite.AlarmRule, pre: true });
    const actions = [
      ...(a.AlarmActions ?? []).map((arn) => ["ALARM", arn]),
      ...(a.OKActions ?? []).map((arn) => ["OK", arn]),
      ...(a.InsufficientDataActions ?? []).map((arn) => ["INSUFFICIENT_DATA", arn]),
    ];
    sections.push({
      type: "table",
      title: "Actions",
      columns: ["on state", "action"],
      rows: actions.map(([state, arn]) => ({ cells: [state, arn], open: arn!.startsWith("arn:aws:sns:") ? { kind: "topics", id: arn! } : undefined })),
      note: actions.length ? undefined : "No actions: a state change notifies nobody.",
    });
    try {
      const history = await cloudwatch.send(new sdk.cloudwatch.DescribeAlarmHistoryCommand({ AlarmName: name, MaxRecords: 100, ScanBy: "TimestampDescending" }));
      sections.push({
        type: "table",
        title: "History (newest first)",
        columns: ["time", "type", "summary"],
        rows: (history.AlarmHistoryItems ?? []).map((h) => ({ cells: [h.Timestamp?.toISOString(), h.HistoryItemType, h.HistorySummary] })),
      });
    } catch (err) {
      sections.push(failure("History", err));
    }
    return { title: `alarm ${name}`, sections };
  },
};
