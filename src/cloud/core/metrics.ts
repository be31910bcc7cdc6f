/**
 * Built-in metrics (design.md: "services publish their built-in metrics
 * through one core API"). Lambda, SQS and SNS call `builtinMetrics(cloud)`
 * and `record(…)` one value per event (an invocation, a message sent), or
 * register a `sampler` for gauges (queue depth) that runs once per minute of
 * cloud time. Nothing here knows CloudWatch's wire protocol or store: the
 * CloudWatch service attaches itself as the sink.
 *
 * Cheap on the hot path: a record is one Map update of an in-memory
 * aggregate (SampleCount, Sum, Minimum, Maximum, a bounded sample of values
 * for percentiles) per series and minute-bucket; a timer off the hot path
 * (unref'd) hands the aggregates to the sink, which persists them. A minute
 * is a minute of *cloud* time (`cloud.scaled(60 s)`: 1 s at the default time
 * scale of 1/60), so alarms with AWS's periods react at the cloud's pace.
 *
 * Off switch: `npm run cloud -- --builtin-metrics off` or
 * LOCALCLOUD_BUILTIN_METRICS=off (or 0/false) — then `enabled`
 * is false and every record returns at once (the bench compares both). Also
 * disabled while no sink is attached (a cloud without the CloudWatch service).
 * Values not yet flushed (at most one flush interval, ≤ 1 s) are lost if the
 * process is killed: built-in metrics are not acknowledged writes.
 */
import type { Cloud } from "./cloud.js";

export interface MetricDimension {
  Name: string;
  Value: string;
}

/** One aggregated datapoint: a series in one time bucket, in one unit. */
export interface AggregatedPoint {
  account: string;
  region: string;
  namespace: string;
  metricName: string;
  /** Sorted by Name. */
  dimensions: MetricDimension[];
  /** Start of the bucket (ms since the epoch). */
  timestamp: number;
  unit: string;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
  /** A bounded sample of the raw values (percentiles); absent for statistic sets. */
  values?: number[];
}

export interface MetricsSink {
  /** Store aggregates (merged into what is there already). */
  ingest(points: AggregatedPoint[]): void;
}

/** Raw values kept per aggregate for percentiles (AWS's percentiles are approximate too). */
export const MAX_VALUES_PER_POINT = 200;

/** The off switch, read when the sink attaches (cloud start). */
export function builtinMetricsDisabled(): boolean {
  return /^(off|0|false|no)$/i.test(process.env.LOCALCLOUD_BUILTIN_METRICS ?? "");
}

export class BuiltinMetrics {
  private sink?: MetricsSink;
  private readonly pending = new Map<string, AggregatedPoint>();
  private readonly samplers: Array<(bucketStart: number) => void> = [];
  private flushTimer?: NodeJS.Timeout;
  private sampleTimer?: NodeJS.Timeout;
  private lastSampledBucket = -1;
  private readonly dimensionCache = new WeakMap<Record<string, string>, { key: string; list: MetricDimension[] }>();
  /** True when records are kept (a sink is attached and the env switch is not off). */
  enabled = false;

  constructor(private readonly cloud: Cloud) {}

  /** Length of one minute of cloud time in real ms: the bucket of built-in (standard-resolution) metrics. */
  get minuteMs(): number {
    return Math.max(10, this.cloud.scaled(60_000));
  }

  /** Attach the store (the CloudWatch service) and start the flush and sampling timers. */
  attach(sink: MetricsSink): void {
    this.sink = sink;
    this.enabled = !builtinMetricsDisabled();
    if (!this.enabled) return;
    const minute = this.minuteMs;
    this.flushTimer = setInterval(() => this.flush(), Math.min(1000, minute));
    this.flushTimer.unref();
    // Twice per bucket, so a late timer never skips one; each bucket is sampled once.
    this.sampleTimer = setInterval(() => this.sample(), Math.max(5, Math.floor(minute / 2)));
    this.sampleTimer.unref();
  }

  /** Count one value. `dimensions` as AWS names them ({ FunctionName: "fn" }); `{}` = the account-wide series. */
  record(account: string, region: string, namespace: string, metricName: string, dimensions: Record<string, string>, value: number, unit: string, at = Date.now()): void {
    if (!this.enabled || !Number.isFinite(value)) return;
    const minute = this.minuteMs;
    const bucket = Math.floor(at / minute) * minute;
    // Callers that keep their dimension objects (one per function, queue, topic) pay for sorting them once.
    let dims = this.dimensionCache.get(dimensions);
    if (!dims) {
      const names = Object.keys(dimensions).sort();
      let key = "";
      for (const name of names) key += `${name}=${dimensions[name]};`;
      dims = { key, list: names.map((Name) => ({ Name, Value: dimensions[Name]! })) };
      this.dimensionCache.set(dimensions, dims);
    }
    const key = `${account}|${region}|${namespace}|${metricName}|${dims.key}|${bucket}|${unit}`;
    const point = this.pending.get(key);
    if (point) {
      point.sampleCount++;
      point.sum += value;
      if (value < point.min) point.min = value;
      if (value > point.max) point.max = value;
      const values = point.values!;
      if (values.length < MAX_VALUES_PER_POINT) values.push(value);
      else values[Math.floor(Math.random() * MAX_VALUES_PER_POINT)] = value;
      return;
    }
    this.pending.set(key, {
      account,
      region,
      namespace,
      metricName,
      dimensions: dims.list,
      timestamp: bucket,
      unit,
      sampleCount: 1,
      sum: value,
      min: value,
      max: value,
      values: [value],
    });
  }

  /** Register a gauge sampler: called once per cloud minute with the bucket's start; it calls record(…, at = bucketStart). */
  sampler(sample: (bucketStart: number) => void): void {
    this.samplers.push(sample);
  }

  private sample(): void {
    const bucket = Math.floor(Date.now() / this.minuteMs) * this.minuteMs;
    if (bucket === this.lastSampledBucket) return;
    this.lastSampledBucket = bucket;
    for (const sample of this.samplers) {
      try {
        sample(bucket);
      } catch (err) {
        this.cloud.log.warn(`metrics: a sampler failed: ${(err as Error).message}`);
      }
    }
  }

  /** Hand everything recorded so far to the sink (the timer does it; alarms call it before they evaluate). */
  flush(): void {
    if (!this.sink || this.pending.size === 0) return;
    const points = [...this.pending.values()];
    this.pending.clear();
    try {
      this.sink.ingest(points);
    } catch (err) {
      this.cloud.log.error(`metrics: could not store ${points.length} datapoint(s): ${(err as Error).message}`);
    }
  }

  /** Forget what is not flushed yet (cloud reset). */
  clear(): void {
    this.pending.clear();
  }

  close(): void {
    this.flush();
    clearInterval(this.flushTimer);
    clearInterval(this.sampleTimer);
    this.enabled = false;
  }
}

/** The cloud's one BuiltinMetrics (created on first use, whichever service asks first). */
export function builtinMetrics(cloud: Cloud): BuiltinMetrics {
  let metrics = cloud.use<BuiltinMetrics>("metrics");
  if (!metrics) {
    const created = new BuiltinMetrics(cloud);
    metrics = created;
    cloud.provide("metrics", created);
    cloud.onReset(() => created.clear());
    cloud.onClose(() => created.close());
  }
  return metrics;
}
