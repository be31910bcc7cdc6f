/**
 * MetricDataQueries — the query list of GetMetricData and of an alarm's
 * `Metrics` — read, validated and evaluated once for both: MetricStat
 * queries read the store, Expression queries run through metric-math.ts in
 * dependency order (cycles refused). Periods are given in AWS seconds and
 * turned into real milliseconds by the caller (GetMetricData: as is; alarms:
 * on the cloud's time scale).
 */
import { AwsError } from "../../core/aws-error.js";
import type { MetricDimension } from "../../core/metrics.js";
import { missingParameter } from "./errors.js";
import { seriesIdOf, type MetricStore } from "./metric-store.js";
import { byPeriod, checkPeriod } from "./periods.js";
import { asSeries, evaluate, MathError, parseExpression, referencedIds, usesMetrics, type MathValue, type Series } from "./metric-math.js";
import { isKnownStatistic, statisticOf } from "./statistics.js";
import { bool, dimensions, int, list, metricName, namespace, str, unit, type Input } from "./values.js";

export interface StatQuery {
  kind: "stat";
  id: string;
  label?: string;
  returnData: boolean;
  namespace: string;
  metricName: string;
  dimensions: MetricDimension[];
  period: number;
  stat: string;
  unit?: string;
}

export interface ExpressionQuery {
  kind: "expression";
  id: string;
  label?: string;
  returnData: boolean;
  expression: string;
  node: ReturnType<typeof parseExpression>;
  period?: number;
}

export type MetricQuery = StatQuery | ExpressionQuery;

/** Validation errors in the caller's words (GetMetricData: ValidationError; PutMetricAlarm: InvalidParameterValue). */
export type ErrorMaker = (message: string) => AwsError;

export function parseQueries(raw: unknown, listName: string, fail: ErrorMaker): MetricQuery[] {
  const items = list(raw);
  if (items.length === 0) throw missingParameter(listName);
  if (items.length > 500) throw fail(`The collection ${listName} must not have a size greater than 500.`);
  const ids = new Set<string>();
  const queries = items.map((item, i): MetricQuery => {
    const q = (item && typeof item === "object" ? item : {}) as Input;
    const label = `${listName}.member.${i + 1}`;
    const id = str(q.Id);
    if (!id) throw missingParameter(`${label}.Id`);
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(id) || id.length > 255) throw fail(`The value ${id} for parameter ${label}.Id is invalid: it must start with a lowercase letter and contain only letters, numbers and underscores.`);
    if (ids.has(id)) throw fail(`The value ${id} for parameter ${label}.Id is used more than once.`);
    ids.add(id);
    const stat = q.MetricStat && typeof q.MetricStat === "object" ? (q.MetricStat as Input) : undefined;
    const expression = str(q.Expression);
    if (!!stat === (expression !== undefined)) throw fail(`Exactly one of ${label}.MetricStat and ${label}.Expression must be specified.`);
    const returnData = bool(q.ReturnData) ?? true;
    const common = { id, label: str(q.Label), returnData };
    if (expression !== undefined) {
      let node;
      try {
        node = parseExpression(expression);
      } catch (err) {
        throw fail(`${label}.Expression: ${(err as Error).message}`);
      }
      const period = int(q.Period, `${label}.Period`);
      return { kind: "expression", ...common, expression, node, period: period === undefined ? undefined : checkPeriod(period, `${label}.Period`) };
    }
    const metric = (stat!.Metric && typeof stat!.Metric === "object" ? stat!.Metric : {}) as Input;
    const statName = str(stat!.Stat);
    if (!statName) throw missingParameter(`${label}.MetricStat.Stat`);
    if (!isKnownStatistic(statName)) throw fail(`The value ${statName} for parameter ${label}.MetricStat.Stat is not a statistic the local cloud computes (SampleCount, Average, Sum, Minimum, Maximum, pNN).`);
    return {
      kind: "stat",
      ...common,
      namespace: namespace(metric.Namespace, `${label}.MetricStat.Metric.Namespace`),
      metricName: metricName(metric.MetricName, `${label}.MetricStat.Metric.MetricName`),
      dimensions: dimensions(metric.Dimensions, `${label}.MetricStat.Metric.Dimensions`),
      period: checkPeriod(int(stat!.Period, `${label}.MetricStat.Period`), `${label}.MetricStat.Period`),
      stat: statName,
      unit: unit(stat!.Unit, `${label}.MetricStat.Unit`),
    };
  });
  // Every Id an expression names must exist, and expressions must not refer to themselves in a loop.
  const byId = new Map(queries.map((q) => [q.id, q]));
  const visiting = new Set<string>();
  const check = (q: MetricQuery) => {
    if (q.kind !== "expression") return;
    if (visiting.has(q.id)) throw fail(`The expression of ${q.id} refers to itself (directly or through other expressions).`);
    visiting.add(q.id);
    for (const ref of referencedIds(q.node)) {
      const target = byId.get(ref);
      if (!target) throw fail(`The expression of ${q.id} refers to ${ref}, which is not the Id of a query in this request.`);
      check(target);
    }
    visiting.delete(q.id);
  };
  for (const q of queries) check(q);
  return queries;
}

/** The period (AWS seconds) an expression's result uses: its own, else that of the metrics it uses. */
export function periodOf(q: MetricQuery, queries: MetricQuery[]): number {
  if (q.kind === "stat") return q.period;
  if (q.period) return q.period;
  const byId = new Map(queries.map((x) => [x.id, x]));
  for (const ref of referencedIds(q.node)) {
    const target = byId.get(ref);
    if (target) return periodOf(target, queries);
  }
  if (usesMetrics(q.node)) for (const x of queries) if (x.kind === "stat") return x.period;
  return 60;
}

export interface Evaluated {
  query: MetricQuery;
  /** Period start → value, ascending. */
  points: Array<{ t: number; v: number; n?: number }>;
}

/**
 * Evaluate every query up to `end`: `alignOf(periodSeconds)` gives the real
 * start and period length (ms) to group by.
 */
export function evaluateQueries(store: MetricStore, account: string, region: string, queries: MetricQuery[], end: number, alignOf: (periodSeconds: number) => { start: number; periodMs: number }, fail: ErrorMaker): Evaluated[] {
  const values = new Map<string, MathValue>();
  const counts = new Map<string, Map<number, number>>();
  for (const q of queries) {
    if (q.kind !== "stat") continue;
    const { start: from, periodMs } = alignOf(q.period);
    const groups = byPeriod(store.query(seriesIdOf(account, region, q.namespace, q.metricName, q.dimensions), from, end, q.unit), from, periodMs);
    const series: Series = new Map();
    const n = new Map<number, number>();
    for (const g of groups) {
      const v = statisticOf(g.agg, q.stat);
      if (v !== undefined) series.set(g.start, v), n.set(g.start, g.agg.n);
    }
    values.set(q.id, { kind: "series", s: series });
    counts.set(q.id, n);
  }
  const metricIds = queries.filter((q) => q.kind === "stat").map((q) => q.id);
  const byId = new Map(queries.map((q) => [q.id, q]));
  const resolve = (q: ExpressionQuery): MathValue => {
    const known = values.get(q.id);
    if (known) return known;
    for (const ref of referencedIds(q.node)) {
      const target = byId.get(ref);
      if (target?.kind === "expression") resolve(target);
    }
    const { start: from, periodMs } = alignOf(periodOf(q, queries));
    const grid: number[] = [];
    for (let t = from; t < end && grid.length < 100_800; t += periodMs) grid.push(t);
    let value: MathValue;
    try {
      value = { kind: "series", s: asSeries(evaluate(q.node, { values, metricIds, grid }), grid) };
    } catch (err) {
      if (err instanceof MathError) throw fail(`The expression of ${q.id} (${q.expression}): ${err.message}`);
      throw err;
    }
    values.set(q.id, value);
    return value;
  };
  return queries.map((q) => {
    const value = q.kind === "stat" ? values.get(q.id)! : resolve(q);
    const s = (value as { s: Series }).s;
    const n = counts.get(q.id);
    return { query: q, points: [...s].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ t, v, n: n?.get(t) })) };
  });
}
