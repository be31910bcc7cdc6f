/**
 * Periods: AWS's rule for a Period value, and grouping stored points into
 * periods aligned on a start.
 */
import { invalidParameterValue, missingParameter } from "./errors.js";
import type { PointRecord } from "./metric-store.js";
import { emptyAggregate, mergeInto, type Aggregate } from "./statistics.js";

/** Period rules: 1, 5, 10, 30 or a multiple of 60 seconds. */
export function checkPeriod(period: number | undefined, label: string): number {
  if (period === undefined) throw missingParameter(label);
  if (!(period >= 1) || !(period % 60 === 0 || [1, 5, 10, 30].includes(period))) {
    throw invalidParameterValue(`The parameter ${label} must be 1, 5, 10, 30, or a multiple of 60.`);
  }
  return period;
}

export interface PeriodDatapoint {
  start: number;
  agg: Aggregate;
  unit: string;
}

/** Group points into periods of `periodMs` aligned on `start`; only periods with data. */
export function byPeriod(points: PointRecord[], start: number, periodMs: number): PeriodDatapoint[] {
  const groups = new Map<number, PeriodDatapoint>();
  for (const p of points) {
    const periodStart = start + Math.floor((p.t - start) / periodMs) * periodMs;
    let group = groups.get(periodStart);
    if (!group) groups.set(periodStart, (group = { start: periodStart, agg: emptyAggregate(), unit: p.u }));
    mergeInto(group.agg, p);
    if (group.unit !== p.u) group.unit = "None";
  }
  return [...groups.values()].sort((a, b) => a.start - b.start);
}
