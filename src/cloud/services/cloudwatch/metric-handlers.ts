/**
 * PutMetricData, GetMetricStatistics, GetMetricData (MetricStat queries),
 * ListMetrics — aws-behavior.md §11 and the API reference. Handlers return
 * plain objects with Date timestamps; wire.ts writes them in the caller's
 * protocol.
 */
import type { RequestContext } from "../../core/context.js";
import type { MetricDimension } from "../../core/metrics.js";
import { AwsError } from "../../core/aws-error.js";
import { invalidNextToken, invalidParameterCombination, invalidParameterValue, missingParameter } from "./errors.js";
import { seriesIdOf, type MetricStore } from "./metric-store.js";
import { BASIC_STATISTICS, emptyAggregate, isPercentile, mergeInto, statisticOf, type Aggregate } from "./statistics.js";
import { byPeriod, checkPeriod } from "./periods.js";
import { evaluateQueries, parseQueries } from "./metric-queries.js";
import { dimensions, int, list, metricName, namespace, num, requiredTimestamp, str, strings, timestamp, unit, type Input } from "./values.js";

const MAX_ABS = 2 ** 360;
const TWO_WEEKS_MS = 14 * 86400_000;
const TWO_HOURS_MS = 2 * 3600_000;
const LIST_PAGE = 500;

export function validationError(message: string): AwsError {
  return new AwsError("ValidationException", message, { queryCode: "ValidationError" });
}

function checkValue(v: number, label: string): number {
  if (!Number.isFinite(v) || Math.abs(v) > MAX_ABS) throw invalidParameterValue(`The value ${v} for parameter ${label} is invalid.`);
  return v;
}

export function metricHandlers(store: MetricStore) {
  return {
    PutMetricData(ctx: RequestContext, input: Input) {
      const ns = namespace(input.Namespace);
      if (ns.startsWith("AWS/")) throw invalidParameterValue(`The value ${ns} for parameter Namespace is invalid: the AWS/ namespaces are reserved for AWS services.`);
      const data = list(input.MetricData);
      if (data.length === 0 && input.EntityMetricData === undefined) throw missingParameter("MetricData");
      if (data.length > 1000) throw invalidParameterValue("The collection MetricData must not have a size greater than 1000.");
      const now = Date.now();
      // Validate everything before storing anything: a rejected request stores nothing.
      const accepted: Array<() => void> = [];
      data.forEach((raw, i) => {
        const d = (raw && typeof raw === "object" ? raw : {}) as Input;
        const label = `MetricData.member.${i + 1}`;
        const name = metricName(d.MetricName, `${label}.MetricName`);
        const dims = dimensions(d.Dimensions, `${label}.Dimensions`);
        const at = timestamp(d.Timestamp, `${label}.Timestamp`) ?? now;
        if (at < now - TWO_WEEKS_MS) throw invalidParameterValue(`The parameter ${label}.Timestamp must specify a time no more than two weeks in the past.`);
        if (at > now + TWO_HOURS_MS) throw invalidParameterValue(`The parameter ${label}.Timestamp must specify a time no more than two hours in the future.`);
        const u = unit(d.Unit, `${label}.Unit`) ?? "None";
        const resolution = int(d.StorageResolution, `${label}.StorageResolution`) ?? 60;
        if (resolution !== 1 && resolution !== 60) throw invalidParameterValue(`The value ${resolution} for parameter ${label}.StorageResolution is invalid: use 1 or 60.`);
        const value = num(d.Value, `${label}.Value`);
        const stats = d.StatisticValues && typeof d.StatisticValues === "object" ? (d.StatisticValues as Input) : undefined;
        const values = list(d.Values).map((v, j) => checkValue(num(v, `${label}.Values.member.${j + 1}`) ?? NaN, `${label}.Values.member.${j + 1}`));
        const given = [value !== undefined, !!stats, values.length > 0].filter(Boolean).length;
        if (given > 1) throw invalidParameterCombination(`The parameters ${label}.Value, ${label}.StatisticValues and ${label}.Values are mutually exclusive and you have specified more than one.`);
        if (given === 0) throw invalidParameterCombination(`One of the parameters ${label}.Value, ${label}.StatisticValues or ${label}.Values must be specified.`);
        let agg: Aggregate;
        if (value !== undefined) {
          checkValue(value, `${label}.Value`);
          agg = { n: 1, sum: value, min: value, max: value, v: [value] };
        } else if (stats) {
          const n = num(stats.SampleCount, `${label}.StatisticValues.SampleCount`);
          const sum = num(stats.Sum, `${label}.StatisticValues.Sum`);
          const min = num(stats.Minimum, `${label}.StatisticValues.Minimum`);
          const max = num(stats.Maximum, `${label}.StatisticValues.Maximum`);
          if (n === undefined || sum === undefined || min === undefined || max === undefined) {
            throw missingParameter(`${label}.StatisticValues (SampleCount, Sum, Minimum and Maximum)`);
          }
          for (const [k, v] of Object.entries({ SampleCount: n, Sum: sum, Minimum: min, Maximum: max })) checkValue(v, `${label}.StatisticValues.${k}`);
          if (!(n > 0)) throw invalidParameterValue(`The value ${n} for parameter ${label}.StatisticValues.SampleCount is invalid: it must be greater than 0.`);
          if (min > max) throw invalidParameterValue(`The parameter ${label}.StatisticValues.Minimum must be less than or equal to ${label}.StatisticValues.Maximum.`);
          agg = { n, sum, min, max, v: undefined };
        } else {
          if (values.length > 150) throw invalidParameterValue(`The collection ${label}.Values must not have a size greater than 150.`);
          const counts = list(d.Counts).map((c, j) => num(c, `${label}.Counts.member.${j + 1}`) ?? NaN);
          if (counts.length && counts.length !== values.length) {
            throw invalidParameterCombination(`The parameters ${label}.Values and ${label}.Counts must be of the same size.`);
          }
          agg = emptyAggregate();
          values.forEach((v, j) => {
            const count = counts.length ? counts[j]! : 1;
            if (!(count >= 0) || !Number.isFinite(count)) throw invalidParameterValue(`The value ${count} for parameter ${label}.Counts.member.${j + 1} is invalid.`);
            if (count === 0) return;
            mergeInto(agg, { n: count, sum: v * count, min: v, max: v, v: Array.from({ length: Math.min(Math.ceil(count), 200) }, () => v) });
          });
          if (agg.n === 0) return;
        }
        const bucketMs = store.bucketMs(resolution);
        const bucket = Math.floor(at / bucketMs) * bucketMs;
        accepted.push(() => store.add(ctx.account, ctx.region, ns, name, dims, bucket, u, agg));
      });
      for (const put of accepted) put();
      return {};
    },

    GetMetricStatistics(ctx: RequestContext, input: Input) {
      const ns = namespace(input.Namespace);
      const name = metricName(input.MetricName);
      const dims = dimensions(input.Dimensions, "Dimensions");
      const start = requiredTimestamp(input, "StartTime");
      const end = requiredTimestamp(input, "EndTime");
      if (start >= end) throw invalidParameterValue("The parameter StartTime must be less than the parameter EndTime.");
      const period = checkPeriod(int(input.Period, "Period"), "Period");
      const statistics = strings(input.Statistics);
      const extended = strings(input.ExtendedStatistics);
      if (statistics.length === 0 && extended.length === 0) throw invalidParameterCombination("Must specify either Statistics or ExtendedStatistics.");
      for (const s of statistics) if (!(BASIC_STATISTICS as readonly string[]).includes(s)) throw invalidParameterValue(`The parameter Statistics must be a value in the set [ ${BASIC_STATISTICS.join(", ")} ] (got ${s}).`);
      for (const s of extended) if (!isPercentile(s)) throw invalidParameterValue(`The parameter ExtendedStatistics must be a percentile such as p99 or p99.9 (got ${s}).`);
      if (statistics.length + extended.length > 10) throw invalidParameterCombination("No more than 10 statistics and extended statistics may be requested.");
      const u = unit(input.Unit, "Unit");
      const periodMs = period * 1000;
      const alignedStart = Math.floor(start / Math.min(periodMs, 60_000)) * Math.min(periodMs, 60_000);
      const requested = Math.ceil((end - alignedStart) / periodMs);
      if (requested > 1440) {
        throw invalidParameterCombination(
          `You have requested up to ${requested.toLocaleString("en-US")} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
        );
      }
      const points = store.query(seriesIdOf(ctx.account, ctx.region, ns, name, dims), alignedStart, end, u);
      const datapoints = byPeriod(points, alignedStart, periodMs).map((group) => {
        const dp: Record<string, unknown> = { Timestamp: new Date(group.start) };
        for (const s of statistics) dp[s] = statisticOf(group.agg, s);
        if (extended.length) {
          const map: Record<string, number> = {};
          for (const s of extended) {
            const v = statisticOf(group.agg, s);
            if (v !== undefined) map[s] = v;
          }
          dp.ExtendedStatistics = map;
        }
        dp.Unit = u ?? group.unit;
        return dp;
      });
      return { Label: name, Datapoints: datapoints };
    },

    GetMetricData(ctx: RequestContext, input: Input) {
      const queries = parseQueries(input.MetricDataQueries, "MetricDataQueries", validationError);
      const start = requiredTimestamp(input, "StartTime");
      const end = requiredTimestamp(input, "EndTime");
      if (start >= end) throw validationError("The parameter StartTime must be less than the parameter EndTime.");
      if (input.NextToken !== undefined && input.NextToken !== "") throw invalidNextToken();
      const scanBy = str(input.ScanBy) ?? "TimestampDescending";
      if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") throw validationError("The parameter ScanBy must be TimestampDescending or TimestampAscending.");
      const maxDatapoints = int(input.MaxDatapoints, "MaxDatapoints") ?? 100_800;
      const align = (period: number) => {
        const periodMs = period * 1000;
        const unit = Math.min(periodMs, 60_000);
        return { start: Math.floor(start / unit) * unit, periodMs };
      };
      const results: Array<Record<string, unknown>> = [];
      let total = 0;
      for (const { query, points } of evaluateQueries(store, ctx.account, ctx.region, queries, end, align, validationError)) {
        if (!query.returnData) continue;
        const series = scanBy === "TimestampDescending" ? [...points].reverse() : points;
        const kept = series.slice(0, Math.max(0, maxDatapoints - total));
        total += kept.length;
        results.push({
          Id: query.id,
          Label: query.label ?? (query.kind === "stat" ? query.metricName : query.id),
          Timestamps: kept.map((p) => new Date(p.t)),
          Values: kept.map((p) => p.v),
          StatusCode: kept.length < series.length ? "PartialData" : "Complete",
          Messages: [],
        });
      }
      return { MetricDataResults: results, Messages: [] };
    },

    ListMetrics(ctx: RequestContext, input: Input) {
      const ns = str(input.Namespace);
      const name = str(input.MetricName);
      const filters = dimensions(input.Dimensions, "Dimensions", { valueOptional: true });
      const recently = str(input.RecentlyActive);
      if (recently !== undefined && recently !== "PT3H") throw invalidParameterValue("The parameter RecentlyActive must be PT3H.");
      const now = Date.now();
      const matches = store
        .seriesIn(ctx.account, ctx.region)
        .filter((s) => (ns === undefined || s.namespace === ns) && (name === undefined || s.metricName === name))
        .filter((s) => filters.every((f) => s.dimensions.some((d) => d.Name === f.Name && (f.Value === "" || d.Value === f.Value))))
        .filter((s) => (recently ? s.lastPut >= now - 3 * 3600_000 : s.lastPut >= now - TWO_WEEKS_MS))
        .sort((a, b) => (a.namespace + a.metricName + a.id < b.namespace + b.metricName + b.id ? -1 : 1));
      let offset = 0;
      const token = str(input.NextToken);
      if (token) {
        offset = Number(Buffer.from(token, "base64").toString("utf8").replace(/^list:/, ""));
        if (!Number.isInteger(offset) || offset < 0 || offset > matches.length) throw invalidNextToken();
      }
      const page = matches.slice(offset, offset + LIST_PAGE);
      const next = offset + LIST_PAGE < matches.length ? Buffer.from(`list:${offset + LIST_PAGE}`).toString("base64") : undefined;
      return {
        Metrics: page.map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: s.dimensions.map((d: MetricDimension) => ({ Name: d.Name, Value: d.Value })) })),
        ...(next ? { NextToken: next } : {}),
      };
    },
  };
}
