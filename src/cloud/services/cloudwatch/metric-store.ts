/**
 * The metrics store: one record per series (namespace, name, dimensions —
 * table cloudwatch.series) and one per aggregated datapoint (series, bucket
 * start, unit — table cloudwatch.points), persisted through the cloud's store
 * so metrics survive a restart. Points merge: PutMetricData and the built-in
 * metrics (core/metrics.ts) add to the bucket their timestamp falls in; a
 * bucket is one minute of cloud time (`cloud.scaled(60 s)`, 1 s at the
 * default scale) for standard resolution and one second of cloud time for
 * StorageResolution 1.
 *
 * Bounded retention (By design; AWS keeps 1-minute data 15 days): points are
 * kept for 15 days of cloud time but at least 3 hours of real time, and at
 * most MAX_POINTS_PER_SERIES per series (the oldest go first); a series with
 * no points left and no data for that long disappears from ListMetrics.
 */
import { createHash } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";
import type { AggregatedPoint, MetricDimension, MetricsSink } from "../../core/metrics.js";
import { MAX_VALUES_PER_POINT } from "../../core/metrics.js";
import { emptyAggregate, mergeInto, type Aggregate } from "./statistics.js";

export interface SeriesRecord {
  id: string;
  account: string;
  region: string;
  namespace: string;
  metricName: string;
  dimensions: MetricDimension[];
  /** Last time data was put (ms, real time). */
  lastPut: number;
}

export interface PointRecord extends Aggregate {
  /** Series id. */
  s: string;
  /** Bucket start (ms). */
  t: number;
  /** Unit ("None" when none was given). */
  u: string;
}

export const MAX_POINTS_PER_SERIES = 20_000;
const MIN_RETENTION_MS = 3 * 3600_000;
/** Refresh a series' persisted lastPut at most this often (it only feeds ListMetrics' RecentlyActive). */
const LAST_PUT_PERSIST_MS = 60_000;

export function seriesIdOf(account: string, region: string, namespace: string, metricName: string, dimensions: MetricDimension[]): string {
  const identity = JSON.stringify([account, region, namespace, metricName, dimensions.map((d) => [d.Name, d.Value])]);
  return createHash("sha1").update(identity).digest("hex").slice(0, 24);
}

export class MetricStore implements MetricsSink {
  readonly series: Table<SeriesRecord>;
  private readonly points: Table<PointRecord>;
  /** series id → point key → point. */
  private readonly index = new Map<string, Map<string, PointRecord>>();
  private readonly persistedLastPut = new Map<string, number>();

  constructor(private readonly cloud: Cloud) {
    this.series = cloud.store.table<SeriesRecord>("cloudwatch.series");
    this.points = cloud.store.table<PointRecord>("cloudwatch.points");
    for (const [key, point] of this.points.entries()) this.pointsOf(point.s).set(key, point);
    for (const s of this.series.values()) this.persistedLastPut.set(s.id, s.lastPut);
  }

  get retentionMs(): number {
    return Math.max(MIN_RETENTION_MS, this.cloud.scaled(15 * 86400_000));
  }

  /** Bucket length for a storage resolution (60 = standard, 1 = high resolution). */
  bucketMs(storageResolution: number): number {
    return storageResolution === 1 ? Math.max(1, this.cloud.scaled(1000)) : Math.max(10, this.cloud.scaled(60_000));
  }

  private pointsOf(seriesId: string): Map<string, PointRecord> {
    let map = this.index.get(seriesId);
    if (!map) this.index.set(seriesId, (map = new Map()));
    return map;
  }

  /** The series record, created when new. */
  private touchSeries(account: string, region: string, namespace: string, metricName: string, dimensions: MetricDimension[], now: number): SeriesRecord {
    const id = seriesIdOf(account, region, namespace, metricName, dimensions);
    let record = this.series.get(id);
    if (!record) {
      record = { id, account, region, namespace, metricName, dimensions, lastPut: now };
      this.series.set(id, record);
      this.persistedLastPut.set(id, now);
      return record;
    }
    record.lastPut = now;
    if (now - (this.persistedLastPut.get(id) ?? 0) > LAST_PUT_PERSIST_MS) {
      this.series.set(id, record);
      this.persistedLastPut.set(id, now);
    }
    return record;
  }

  /** Merge one aggregate into its bucket (bucket start already computed by the caller). */
  add(account: string, region: string, namespace: string, metricName: string, dimensions: MetricDimension[], bucket: number, unit: string, agg: Aggregate): void {
    const now = Date.now();
    const series = this.touchSeries(account, region, namespace, metricName, dimensions, now);
    const key = `${series.id}|${bucket}|${unit}`;
    const points = this.pointsOf(series.id);
    const existing = points.get(key);
    const point: PointRecord = existing ?? { s: series.id, t: bucket, u: unit, ...emptyAggregate() };
    mergeInto(point, agg);
    if (point.v && point.v.length > MAX_VALUES_PER_POINT) point.v = downsample(point.v, MAX_VALUES_PER_POINT);
    points.set(key, point);
    this.points.set(key, point);
    if (!existing && points.size > MAX_POINTS_PER_SERIES) this.dropOldest(points);
  }

  /** MetricsSink: the built-in metrics' aggregates. */
  ingest(list: AggregatedPoint[]): void {
    for (const p of list) {
      this.add(p.account, p.region, p.namespace, p.metricName, p.dimensions, p.timestamp, p.unit, { n: p.sampleCount, sum: p.sum, min: p.min, max: p.max, v: p.values });
    }
  }

  /** Points of a series with start ≤ t < end, optionally of one unit. */
  query(seriesId: string, start: number, end: number, unit?: string): PointRecord[] {
    const out: PointRecord[] = [];
    const points = this.index.get(seriesId);
    if (!points) return out;
    for (const p of points.values()) if (p.t >= start && p.t < end && (unit === undefined || p.u === unit)) out.push(p);
    return out;
  }

  /** The series of one account and region (ListMetrics, alarms' metric lookups). */
  seriesIn(account: string, region: string): SeriesRecord[] {
    const out: SeriesRecord[] = [];
    for (const s of this.series.values()) if (s.account === account && s.region === region) out.push(s);
    return out;
  }

  private dropOldest(points: Map<string, PointRecord>): void {
    let oldestKey: string | undefined;
    let oldest = Infinity;
    for (const [key, p] of points) if (p.t < oldest) (oldest = p.t), (oldestKey = key);
    if (oldestKey) {
      points.delete(oldestKey);
      this.points.delete(oldestKey);
    }
  }

  /** Drop points past retention and series left without data. */
  prune(now = Date.now()): void {
    const cutoff = now - this.retentionMs;
    for (const [seriesId, points] of this.index) {
      for (const [key, p] of points) {
        if (p.t < cutoff) {
          points.delete(key);
          this.points.delete(key);
        }
      }
      if (points.size === 0) this.index.delete(seriesId);
    }
    for (const s of [...this.series.values()]) {
      if (!this.index.has(s.id) && s.lastPut < cutoff) {
        this.series.delete(s.id);
        this.persistedLastPut.delete(s.id);
      }
    }
  }

  reset(): void {
    this.index.clear();
    this.persistedLastPut.clear();
  }
}

function downsample(values: number[], size: number): number[] {
  const out: number[] = [];
  const step = values.length / size;
  for (let i = 0; i < size; i++) out.push(values[Math.floor(i * step)]!);
  return out;
}
