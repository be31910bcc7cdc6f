/**
 * PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
 * DescribeAlarmHistory, SetAlarmState, DeleteAlarms, Enable/DisableAlarmActions
 * (API reference; aws-behavior.md §11). A new alarm starts INSUFFICIENT_DATA
 * ("Unchecked: Initial alarm creation") and is evaluated at the next tick; a
 * put on an existing alarm replaces its whole configuration and keeps its
 * state.
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { invalidFormat, invalidNextToken, invalidParameterCombination, invalidParameterValue, limitExceeded, missingParameter, resourceNotFound } from "./errors.js";
import type { AlarmConfig, AlarmRecord, AlarmState, AlarmStateValue, HistoryItem, TreatMissing } from "./alarm-state.js";
import { alarmPeriod, type AlarmEvaluator } from "./alarm-evaluator.js";
import { metricOf } from "./alarm-notification.js";
import { parseQueries, periodOf } from "./metric-queries.js";
import { BASIC_STATISTICS, isPercentile } from "./statistics.js";
import { checkPeriod } from "./periods.js";
import { bool, dimensions, int, list, metricName, namespace, num, requiredString, str, strings, timestamp, unit, type Input } from "./values.js";

const OPERATORS = new Set(["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]);
const ANOMALY_OPERATORS = new Set(["LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"]);
const TREATMENTS = new Set(["breaching", "notBreaching", "ignore", "missing"]);
const STATES = new Set(["OK", "ALARM", "INSUFFICIENT_DATA"]);
const MAX_ALARMS = 5000;

function actionList(value: unknown, label: string): string[] {
  const arns = strings(value);
  if (arns.length > 5) throw invalidParameterValue(`The collection ${label} must not have a size greater than 5.`);
  for (const arn of arns) if (!/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(arn)) throw invalidParameterValue(`Invalid arn syntax: ${arn}`);
  return arns;
}

function page<T>(items: T[], input: Input, max: number): { items: T[]; next?: string } {
  const limit = int(input.MaxRecords, "MaxRecords") ?? max;
  if (limit < 1 || limit > max) throw invalidParameterValue(`The parameter MaxRecords must be between 1 and ${max}.`);
  let offset = 0;
  const token = str(input.NextToken);
  if (token) {
    offset = Number(Buffer.from(token, "base64").toString("utf8").replace(/^page:/, ""));
    if (!Number.isInteger(offset) || offset < 0 || offset > items.length) throw invalidNextToken();
  }
  const slice = items.slice(offset, offset + limit);
  return { items: slice, next: offset + limit < items.length ? Buffer.from(`page:${offset + limit}`).toString("base64") : undefined };
}

/** The MetricAlarm shape of DescribeAlarms. */
export function describeAlarm(alarm: AlarmRecord): Record<string, unknown> {
  const c = alarm.config;
  const out: Record<string, unknown> = {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    AlarmDescription: c.AlarmDescription,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configUpdated),
    ActionsEnabled: c.ActionsEnabled,
    OKActions: c.OKActions,
    AlarmActions: c.AlarmActions,
    InsufficientDataActions: c.InsufficientDataActions,
    StateValue: alarm.state,
    StateReason: alarm.stateReason,
    StateReasonData: alarm.stateReasonData,
    StateUpdatedTimestamp: new Date(alarm.stateUpdated),
    MetricName: c.MetricName,
    Namespace: c.Namespace,
    Statistic: c.Statistic,
    ExtendedStatistic: c.ExtendedStatistic,
    Dimensions: c.Metrics ? undefined : c.Dimensions,
    Period: c.Period,
    Unit: c.Unit,
    EvaluationPeriods: c.EvaluationPeriods,
    DatapointsToAlarm: c.DatapointsToAlarm,
    Threshold: c.Threshold,
    ComparisonOperator: c.ComparisonOperator,
    TreatMissingData: c.TreatMissingData,
    EvaluateLowSampleCountPercentile: c.EvaluateLowSampleCountPercentile,
    Metrics: c.Metrics,
    StateTransitionedTimestamp: new Date(alarm.stateTransitioned),
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** Tags [{Key, Value}] → a map; ≤ 50, keys 1–128, values ≤ 256 (model). */
function tagMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const items = list(value);
  if (items.length > 50) throw invalidParameterValue("The collection Tags must not have a size greater than 50.");
  for (const raw of items) {
    const t = (raw && typeof raw === "object" ? raw : {}) as Input;
    const key = str(t.Key);
    const val = str(t.Value) ?? "";
    if (!key || key.length > 128) throw invalidParameterValue("A tag Key must be 1 to 128 characters long.");
    if (val.length > 256) throw invalidParameterValue("A tag Value must be at most 256 characters long.");
    out[key] = val;
  }
  return out;
}

/** An alarm's Metrics list (metric math alarms), validated like GetMetricData's queries and stored normalized. */
function parseMetricsList(value: unknown): Array<Record<string, unknown>> | undefined {
  if (list(value).length === 0) return undefined;
  const queries = parseQueries(value, "Metrics", invalidParameterValue);
  if (queries.length > 10) throw invalidParameterValue("The collection Metrics must not have a size greater than 10.");
  if (queries.filter((q) => q.returnData).length !== 1) throw invalidParameterValue("Exactly one element of the Metrics list must have ReturnData set to true.");
  const periods = new Set(queries.map((q) => periodOf(q, queries)));
  if (periods.size > 1) throw invalidParameterValue("All metrics of a metric math alarm must have the same period.");
  return queries.map((q) => ({
    Id: q.id,
    ...(q.kind === "stat"
      ? { MetricStat: { Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions: q.dimensions }, Period: q.period, Stat: q.stat, ...(q.unit ? { Unit: q.unit } : {}) } }
      : { Expression: q.expression, ...(q.period ? { Period: q.period } : {}) }),
    ReturnData: q.returnData,
    ...(q.label ? { Label: q.label } : {}),
  }));
}

export function alarmHandlers(state: AlarmState, evaluator: AlarmEvaluator) {
  function require(ctx: RequestContext, name: string): AlarmRecord {
    const alarm = state.get(ctx.account, ctx.region, name);
    if (!alarm) throw resourceNotFound(`Alarm ${name} not found`);
    return alarm;
  }

  function byArn(ctx: RequestContext, arn: string): AlarmRecord {
    const m = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/.exec(arn);
    const alarm = m && m[1] === ctx.region && m[2] === ctx.account ? state.get(ctx.account, ctx.region, m[3]!) : undefined;
    if (!alarm) {
      if (!m) throw invalidParameterValue(`The ARN ${arn} is not an alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>); the local cloud tags only alarms.`);
      throw new AwsError("ResourceNotFoundException", `The alarm ${arn} does not exist.`, { status: 404, queryCode: "ResourceNotFoundException" });
    }
    return alarm;
  }

  return {
    PutMetricAlarm(ctx: RequestContext, input: Input) {
      const name = requiredString(input, "AlarmName");
      if (name.length > 255) throw invalidParameterValue("The parameter AlarmName must be shorter than 256 characters.");
      const description = str(input.AlarmDescription);
      if (description !== undefined && description.length > 1024) throw invalidParameterValue("The parameter AlarmDescription must be shorter than 1025 characters.");
      const metrics = parseMetricsList(input.Metrics);
      const statistic = str(input.Statistic);
      const extended = str(input.ExtendedStatistic);
      let config: Partial<AlarmConfig> = {};
      if (metrics) {
        if (input.MetricName !== undefined || input.Namespace !== undefined || statistic || extended || input.Period !== undefined) {
          throw invalidParameterCombination("The parameters MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions and Period cannot be used together with Metrics.");
        }
        config = { Metrics: metrics, Dimensions: [] };
      } else {
        if (!!statistic === !!extended) throw invalidParameterCombination("Exactly one of the parameters Statistic and ExtendedStatistic must be specified.");
        if (statistic && !(BASIC_STATISTICS as readonly string[]).includes(statistic)) throw invalidParameterValue(`The parameter Statistic must be a value in the set [ ${BASIC_STATISTICS.join(", ")} ].`);
        if (extended && !isPercentile(extended)) throw invalidParameterValue("The parameter ExtendedStatistic must be a percentile such as p99 or p99.9.");
        config = {
          MetricName: metricName(input.MetricName),
          Namespace: namespace(input.Namespace),
          Statistic: statistic,
          ExtendedStatistic: extended,
          Dimensions: dimensions(input.Dimensions, "Dimensions"),
          Period: checkPeriod(int(input.Period, "Period"), "Period"),
          Unit: unit(input.Unit, "Unit"),
        };
        if (config.Period! < 60 && ![10, 20, 30].includes(config.Period!)) throw invalidParameterValue("The parameter Period must be 10, 20, 30 or a multiple of 60.");
      }
      const evaluationPeriods = int(input.EvaluationPeriods, "EvaluationPeriods");
      if (evaluationPeriods === undefined) throw missingParameter("EvaluationPeriods");
      if (evaluationPeriods < 1) throw invalidParameterValue("The parameter EvaluationPeriods must be greater than or equal to 1.");
      const datapoints = int(input.DatapointsToAlarm, "DatapointsToAlarm");
      if (datapoints !== undefined && (datapoints < 1 || datapoints > evaluationPeriods)) {
        throw invalidParameterValue("DatapointsToAlarm must be greater than 0 and less than or equal to EvaluationPeriods.");
      }
      const period = config.Period ?? alarmPeriod({ Metrics: metrics } as AlarmConfig);
      if (period * evaluationPeriods > 7 * 86400) throw invalidParameterValue("The evaluation period multiplied by the number of periods cannot exceed 7 days.");
      const operator = requiredString(input, "ComparisonOperator");
      if (ANOMALY_OPERATORS.has(operator)) throw invalidParameterValue(`ComparisonOperator ${operator} needs an anomaly detection band, which the local cloud does not model.`);
      if (!OPERATORS.has(operator)) throw invalidParameterValue(`The parameter ComparisonOperator must be a value in the set [ ${[...OPERATORS].join(", ")} ].`);
      const threshold = num(input.Threshold, "Threshold");
      if (threshold === undefined) throw invalidParameterCombination("Threshold is required for static threshold alarms.");
      const treat = str(input.TreatMissingData);
      if (treat !== undefined && !TREATMENTS.has(treat)) throw invalidParameterValue("The parameter TreatMissingData must be a value in the set [ breaching, notBreaching, ignore, missing ].");
      const lowSample = str(input.EvaluateLowSampleCountPercentile);
      if (lowSample !== undefined && lowSample !== "" && lowSample !== "evaluate" && lowSample !== "ignore") throw invalidParameterValue("The parameter EvaluateLowSampleCountPercentile must be evaluate or ignore.");
      const full: AlarmConfig = {
        ...config,
        AlarmDescription: description,
        ActionsEnabled: bool(input.ActionsEnabled) ?? true,
        OKActions: actionList(input.OKActions, "OKActions"),
        AlarmActions: actionList(input.AlarmActions, "AlarmActions"),
        InsufficientDataActions: actionList(input.InsufficientDataActions, "InsufficientDataActions"),
        Dimensions: config.Dimensions ?? [],
        EvaluationPeriods: evaluationPeriods,
        DatapointsToAlarm: datapoints,
        Threshold: threshold,
        ComparisonOperator: operator,
        TreatMissingData: treat as TreatMissing | undefined,
        EvaluateLowSampleCountPercentile: lowSample || undefined,
      };
      const now = Date.now();
      const existing = state.get(ctx.account, ctx.region, name);
      if (!existing && state.list(ctx.account, ctx.region).length >= MAX_ALARMS) throw limitExceeded(`The maximum number of alarms (${MAX_ALARMS}) has been reached in the local cloud.`);
      const alarm: AlarmRecord = existing
        ? { ...existing, config: full, configUpdated: now }
        : {
            account: ctx.account,
            region: ctx.region,
            name,
            arn: `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${name}`,
            config: full,
            configUpdated: now,
            state: "INSUFFICIENT_DATA",
            stateReason: "Unchecked: Initial alarm creation",
            stateUpdated: now,
            stateTransitioned: now,
            tags: tagMap(input.Tags),
          };
      state.save(alarm);
      state.addHistory(alarm, "ConfigurationUpdate", `Alarm "${name}" ${existing ? "updated" : "created"}`, {
        version: "1.0",
        type: existing ? "Update" : "Create",
        createdAlarm: describeAlarm(alarm),
      });
      evaluator.schedule(alarm);
      return {};
    },

    DescribeAlarms(ctx: RequestContext, input: Input) {
      const names = strings(input.AlarmNames);
      if (names.length > 100) throw invalidParameterValue("The collection AlarmNames must not have a size greater than 100.");
      const prefix = str(input.AlarmNamePrefix);
      if (names.length && prefix) throw invalidParameterCombination("AlarmNames and AlarmNamePrefix cannot be used together.");
      const stateValue = str(input.StateValue);
      if (stateValue !== undefined && !STATES.has(stateValue)) throw invalidParameterValue("The parameter StateValue must be OK, ALARM or INSUFFICIENT_DATA.");
      const actionPrefix = str(input.ActionPrefix);
      const types = strings(input.AlarmTypes);
      const wantMetric = types.length === 0 || types.includes("MetricAlarm");
      const alarms = wantMetric
        ? state
            .list(ctx.account, ctx.region)
            .filter((a) => (names.length === 0 || names.includes(a.name)) && (!prefix || a.name.startsWith(prefix)) && (!stateValue || a.state === stateValue))
            .filter((a) => !actionPrefix || [...a.config.AlarmActions, ...a.config.OKActions, ...a.config.InsufficientDataActions].some((arn) => arn.startsWith(actionPrefix)))
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        : [];
      const { items, next } = page(alarms, input, 100);
      return { MetricAlarms: items.map(describeAlarm), CompositeAlarms: [], ...(next ? { NextToken: next } : {}) };
    },

    DescribeAlarmsForMetric(ctx: RequestContext, input: Input) {
      const ns = namespace(input.Namespace);
      const name = metricName(input.MetricName);
      const dims = input.Dimensions === undefined ? undefined : dimensions(input.Dimensions, "Dimensions");
      const statistic = str(input.Statistic);
      const extended = str(input.ExtendedStatistic);
      const period = int(input.Period, "Period");
      const u = unit(input.Unit, "Unit");
      const alarms = state.list(ctx.account, ctx.region).filter((a) => {
        const metric = metricOf(a);
        if (!metric || metric.namespace !== ns || metric.metricName !== name) return false;
        if (dims && JSON.stringify(metric.dimensions) !== JSON.stringify(dims)) return false;
        if (statistic && a.config.Statistic !== statistic) return false;
        if (extended && a.config.ExtendedStatistic !== extended) return false;
        if (period !== undefined && metric.period !== period) return false;
        return !u || metric.unit === u;
      });
      return { MetricAlarms: alarms.map(describeAlarm) };
    },

    DescribeAlarmHistory(ctx: RequestContext, input: Input) {
      const name = str(input.AlarmName);
      const type = str(input.HistoryItemType);
      if (type !== undefined && !["ConfigurationUpdate", "StateUpdate", "Action"].includes(type)) {
        throw invalidParameterValue("The parameter HistoryItemType must be ConfigurationUpdate, StateUpdate or Action.");
      }
      const startDate = timestamp(input.StartDate, "StartDate");
      const endDate = timestamp(input.EndDate, "EndDate");
      const scanBy = str(input.ScanBy) ?? "TimestampDescending";
      const types = strings(input.AlarmTypes);
      if (types.length && !types.includes("MetricAlarm")) return { AlarmHistoryItems: [] };
      let items: HistoryItem[] = state
        .historyOf(ctx.account, ctx.region, name)
        .filter((h) => (!type || h.HistoryItemType === type) && (startDate === undefined || h.Timestamp >= startDate) && (endDate === undefined || h.Timestamp <= endDate));
      if (scanBy !== "TimestampAscending") items = items.reverse();
      const { items: shown, next } = page(items, input, 100);
      return {
        AlarmHistoryItems: shown.map((h) => ({ AlarmName: h.AlarmName, AlarmType: h.AlarmType, Timestamp: new Date(h.Timestamp), HistoryItemType: h.HistoryItemType, HistorySummary: h.HistorySummary, HistoryData: h.HistoryData })),
        ...(next ? { NextToken: next } : {}),
      };
    },

    SetAlarmState(ctx: RequestContext, input: Input) {
      const name = requiredString(input, "AlarmName");
      const value = requiredString(input, "StateValue");
      if (!STATES.has(value)) throw invalidParameterValue("The parameter StateValue must be OK, ALARM or INSUFFICIENT_DATA.");
      const reason = requiredString(input, "StateReason");
      if (reason.length > 1023) throw invalidParameterValue("The parameter StateReason must be shorter than 1024 characters.");
      const data = str(input.StateReasonData);
      if (data !== undefined) {
        try {
          JSON.parse(data);
        } catch {
          throw invalidFormat("Invalid JSON in StateReasonData");
        }
      }
      const alarm = require(ctx, name);
      // Only a transition runs actions; setting the current state again just takes the new reason.
      if (alarm.state === value) {
        alarm.stateReason = reason;
        alarm.stateReasonData = data;
        alarm.stateUpdated = Date.now();
        state.save(alarm);
        return {};
      }
      evaluator.transition(alarm, { state: value as AlarmStateValue, reason, reasonData: data });
      return {};
    },

    DeleteAlarms(ctx: RequestContext, input: Input) {
      const names = strings(input.AlarmNames);
      if (names.length > 100) throw invalidParameterValue("The collection AlarmNames must not have a size greater than 100.");
      // API reference: "If you specify an incorrect alarm name …, no alarms are deleted. To confirm that alarms
      // were deleted successfully, you can use the DescribeAlarms operation" — a success that deleted nothing.
      const missing = names.filter((n) => !state.get(ctx.account, ctx.region, n));
      if (missing.length) {
        ctx.cloud.log.info(`cloudwatch: DeleteAlarms deleted nothing: no alarm named ${missing.join(", ")}`);
        return {};
      }
      for (const n of names) {
        const alarm = state.get(ctx.account, ctx.region, n)!;
        state.delete(alarm);
        evaluator.forget(alarm);
        state.addHistory(alarm, "ConfigurationUpdate", `Alarm "${n}" deleted`, { version: "1.0", type: "Delete", deletedAlarm: describeAlarm(alarm) });
      }
      return {};
    },

    TagResource(ctx: RequestContext, input: Input) {
      const alarm = byArn(ctx, requiredString(input, "ResourceARN"));
      state.save({ ...alarm, tags: { ...(alarm.tags ?? {}), ...tagMap(input.Tags) } });
      return {};
    },

    UntagResource(ctx: RequestContext, input: Input) {
      const alarm = byArn(ctx, requiredString(input, "ResourceARN"));
      const tags = { ...(alarm.tags ?? {}) };
      for (const key of strings(input.TagKeys)) delete tags[key];
      state.save({ ...alarm, tags });
      return {};
    },

    ListTagsForResource(ctx: RequestContext, input: Input) {
      const alarm = byArn(ctx, requiredString(input, "ResourceARN"));
      return { Tags: Object.entries(alarm.tags ?? {}).map(([Key, Value]) => ({ Key, Value })) };
    },

    EnableAlarmActions(ctx: RequestContext, input: Input) {
      for (const n of strings(input.AlarmNames)) {
        const alarm = state.get(ctx.account, ctx.region, n);
        if (alarm && !alarm.config.ActionsEnabled) state.save({ ...alarm, config: { ...alarm.config, ActionsEnabled: true } });
      }
      return {};
    },

    DisableAlarmActions(ctx: RequestContext, input: Input) {
      for (const n of strings(input.AlarmNames)) {
        const alarm = state.get(ctx.account, ctx.region, n);
        if (alarm && alarm.config.ActionsEnabled) state.save({ ...alarm, config: { ...alarm.config, ActionsEnabled: false } });
      }
      return {};
    },
  };
}
