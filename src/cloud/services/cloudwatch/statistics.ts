/**
 * Statistics over stored aggregates: SampleCount, Sum, Average, Minimum,
 * Maximum exactly (they merge), percentiles `pNN` / `pNN.NN` from the values
 * each aggregate keeps (a bounded sample: approximate, as AWS's are). A
 * percentile over data sent only as StatisticValues has no values: no
 * datapoint, as AWS answers for statistic sets.
 */
import { MAX_VALUES_PER_POINT } from "../../core/metrics.js";

export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Raw values (bounded); undefined when some of the data came as statistic sets. */
  v?: number[];
}

export const BASIC_STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"] as const;
const PERCENTILE = /^p(\d{1,2}(\.\d{1,2})?|100(\.0{1,2})?)$/;

export function isPercentile(stat: string): boolean {
  return PERCENTILE.test(stat);
}

export function isKnownStatistic(stat: string): boolean {
  return (BASIC_STATISTICS as readonly string[]).includes(stat) || isPercentile(stat);
}

export function emptyAggregate(): Aggregate {
  return { n: 0, sum: 0, min: Infinity, max: -Infinity, v: [] };
}

/** Merge `from` into `into` (keeps a bounded sample of values). */
export function mergeInto(into: Aggregate, from: Aggregate): void {
  into.n += from.n;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  if (!into.v || !from.v) {
    into.v = undefined;
    return;
  }
  for (const value of from.v) {
    if (into.v.length < MAX_VALUES_PER_POINT * 50) into.v.push(value);
  }
}

/** The value of one statistic, or undefined when it cannot be computed. */
export function statisticOf(agg: Aggregate, stat: string): number | undefined {
  if (agg.n <= 0) return undefined;
  switch (stat) {
    case "SampleCount":
      return agg.n;
    case "Sum":
      return agg.sum;
    case "Average":
      return agg.sum / agg.n;
    case "Minimum":
      return agg.min;
    case "Maximum":
      return agg.max;
  }
  if (isPercentile(stat)) {
    if (!agg.v || agg.v.length === 0) return undefined;
    const p = Number(stat.slice(1));
    const sorted = [...agg.v].sort((a, b) => a - b);
    if (p <= 0) return sorted[0];
    // Nearest rank.
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }
  return undefined;
}
