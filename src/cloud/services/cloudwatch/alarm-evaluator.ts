/**
 * Alarm evaluation on the cloud's time scale. An alarm's Period of P seconds
 * lasts `cloud.scaled(P s)` of real time (1 s for 60 s at the default 1/60),
 * and each alarm is evaluated once per minute of cloud time (every period
 * for 10/20/30-s alarms), just after a period ends, over its last N periods
 * (EvaluationPeriods) within an evaluation range of N + 2 periods:
 *
 * - at least N real datapoints in the range: the newest N decide, ALARM when
 *   M (DatapointsToAlarm, default N) of them breach, else OK;
 * - fewer: TreatMissingData fills the gap up to N — `breaching` counts the
 *   missing ones as breaching, `notBreaching` as not; `missing` with no data
 *   at all goes to INSUFFICIENT_DATA, `ignore` keeps the state; with some
 *   data, `missing`/`ignore` go to ALARM on M breaching points, to OK when
 *   ALARM has become impossible, and otherwise wait for more data (so
 *   `- - X` does not jump to ALARM when M > 1: AWS's "avoiding premature
 *   transitions"). AWS/DynamoDB metrics always ignore missing data.
 * UNCERTAIN: AWS does not document the evaluation range for every N; N + 2
 * follows its example (5 for N = 3).
 *
 * The decision itself is alarm-decision.ts (a pure function, unit-tested).
 * A state change is written to the alarm, to its history, and runs the new
 * state's actions when ActionsEnabled: SNS topics get the JSON message of
 * alarm-notification.ts through cloud.destinations (traced, retried).
 */
import type { Cloud } from "../../core/cloud.js";
import type { BuiltinMetrics } from "../../core/metrics.js";
import { alarmKey, type AlarmConfig, type AlarmRecord, type AlarmState, type AlarmStateValue, type TreatMissing } from "./alarm-state.js";
import { cloudWatchTime, metricOf, notificationMessage, notificationSubject } from "./alarm-notification.js";
import { seriesIdOf, type MetricStore } from "./metric-store.js";
import { byPeriod } from "./periods.js";
import { statisticOf } from "./statistics.js";
import { evaluateQueries, parseQueries, periodOf } from "./metric-queries.js";
import { invalidParameterValue } from "./errors.js";
import { decideState, type Outcome } from "./alarm-decision.js";

/** An alarm's period in AWS seconds: its own, or that of its Metrics list. */
export function alarmPeriod(config: Pick<AlarmConfig, "Period" | "Metrics">): number {
  if (config.Period) return config.Period;
  const queries = parseQueries(config.Metrics, "Metrics", invalidParameterValue);
  return periodOf(queries.find((q) => q.returnData) ?? queries[0]!, queries);
}

export class AlarmEvaluator {
  private timer?: NodeJS.Timeout;
  private readonly nextAt = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly cloud: Cloud,
    private readonly state: AlarmState,
    private readonly store: MetricStore,
    private readonly metrics: BuiltinMetrics,
  ) {}

  start(): void {
    const every = Math.max(20, Math.floor(this.cloud.scaled(10_000) / 2));
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  /** Evaluate at the next tick (a new or updated alarm). */
  schedule(alarm: AlarmRecord): void {
    this.nextAt.set(alarmKey(alarm.account, alarm.region, alarm.name), 0);
  }

  forget(alarm: AlarmRecord): void {
    this.nextAt.delete(alarmKey(alarm.account, alarm.region, alarm.name));
  }

  private tick(): void {
    const now = Date.now();
    let flushed = false;
    for (const alarm of [...this.state.alarms.values()]) {
      const key = alarmKey(alarm.account, alarm.region, alarm.name);
      const due = this.nextAt.get(key) ?? 0;
      if (now < due) continue;
      // Only for alarms that are due (a Metrics alarm's period means parsing its queries).
      const period = alarmPeriod(alarm.config);
      const every = Math.max(10, this.cloud.scaled(Math.min(period, 60) * 1000));
      // Just after the next boundary, with a little grace for data stamped before it but recorded after.
      this.nextAt.set(key, (Math.floor(now / every) + 1) * every + Math.min(250, Math.floor(every / 4)));
      if (!flushed) {
        this.metrics.flush();
        flushed = true;
      }
      try {
        const outcome = this.evaluate(alarm, period, now);
        if (outcome && outcome.state !== alarm.state) this.transition(alarm, outcome);
      } catch (err) {
        this.cloud.log.error(`cloudwatch: evaluating alarm ${alarm.name} failed: ${(err as Error)?.stack ?? err}`);
      }
    }
  }

  /** The alarm's datapoints over [start, end) in periods of `periodMs`, newest first. */
  private datapoints(alarm: AlarmRecord, start: number, end: number, periodMs: number): Array<{ t: number; v: number; n: number }> {
    const metric = metricOf(alarm);
    if (alarm.config.MetricName && metric) {
      const points = this.store.query(seriesIdOf(alarm.account, alarm.region, metric.namespace, metric.metricName, metric.dimensions), start, end, metric.unit);
      return byPeriod(points, start, periodMs)
        .map((g) => ({ t: g.start, v: statisticOf(g.agg, metric.stat), n: g.agg.n }))
        .filter((p): p is { t: number; v: number; n: number } => p.v !== undefined)
        .reverse();
    }
    const queries = parseQueries(alarm.config.Metrics, "Metrics", invalidParameterValue);
    const evaluated = evaluateQueries(this.store, alarm.account, alarm.region, queries, end, () => ({ start, periodMs }), invalidParameterValue);
    const returned = evaluated.find((e) => e.query.returnData) ?? evaluated[0]!;
    return returned.points.map((p) => ({ t: p.t, v: p.v, n: p.n ?? 1 })).reverse();
  }

  private evaluate(alarm: AlarmRecord, period: number, now: number): Outcome | undefined {
    const c = alarm.config;
    const n = c.EvaluationPeriods;
    const m = c.DatapointsToAlarm ?? n;
    const threshold = c.Threshold ?? 0;
    const periodMs = Math.max(10, this.cloud.scaled(period * 1000));
    const range = n + 2;
    const end = Math.floor(now / periodMs) * periodMs;
    const start = end - range * periodMs;
    // Newest first.
    const real = this.datapoints(alarm, start, end, periodMs);
    const metric = metricOf(alarm);
    const treat: TreatMissing = metric?.namespace === "AWS/DynamoDB" ? "ignore" : (c.TreatMissingData ?? "missing");
    const evaluated = real.slice(0, n);
    const reasonData = JSON.stringify({
      version: "1.0",
      queryDate: cloudWatchTime(now),
      startDate: cloudWatchTime(start),
      ...(c.Statistic ? { statistic: c.Statistic } : c.ExtendedStatistic ? { extendedStatistic: c.ExtendedStatistic } : {}),
      ...(c.Unit ? { unit: c.Unit } : {}),
      period,
      recentDatapoints: evaluated.map((p) => p.v),
      threshold,
      evaluatedDatapoints: evaluated.map((p) => ({ timestamp: cloudWatchTime(p.t), sampleCount: p.n, value: p.v })),
    });
    return decideState(real, { evaluationPeriods: n, datapointsToAlarm: m, threshold, operator: c.ComparisonOperator, treatMissingData: treat, reasonData });
  }

  /** Change the state, record it, and run the new state's actions. */
  transition(alarm: AlarmRecord, outcome: Outcome): void {
    const old = alarm.state;
    const now = Date.now();
    const oldReason = alarm.stateReason;
    alarm.state = outcome.state;
    alarm.stateReason = outcome.reason;
    alarm.stateReasonData = outcome.reasonData;
    alarm.stateUpdated = now;
    alarm.stateTransitioned = now;
    this.state.save(alarm);
    this.state.addHistory(alarm, "StateUpdate", `Alarm updated from ${old} to ${outcome.state}`, {
      version: "1.0",
      oldState: { stateValue: old, stateReason: oldReason },
      newState: { stateValue: outcome.state, stateReason: outcome.reason, ...(outcome.reasonData ? { stateReasonData: JSON.parse(outcome.reasonData) } : {}) },
    });
    this.cloud.log.info(`cloudwatch: alarm ${alarm.name} ${old} → ${outcome.state}: ${outcome.reason}`);
    if (!alarm.config.ActionsEnabled) return;
    const actions = outcome.state === "ALARM" ? alarm.config.AlarmActions : outcome.state === "OK" ? alarm.config.OKActions : alarm.config.InsufficientDataActions;
    for (const arn of actions) this.runAction(alarm, arn, old, now);
  }

  private runAction(alarm: AlarmRecord, arn: string, old: AlarmStateValue, now: number): void {
    const correlationId = this.cloud.trace.newCorrelationId();
    if (arn.split(":")[2] !== "sns") {
      const why = "the local cloud runs only SNS alarm actions";
      this.state.addHistory(alarm, "Action", `Failed to execute action ${arn}. Received error: "${why}"`, { actionState: "Failed", notificationResource: arn, error: why });
      this.cloud.trace.record({ correlationId, kind: "cloudwatch→action", source: alarm.arn, target: arn, status: "failed", detail: why });
      return;
    }
    const body = JSON.stringify(notificationMessage(alarm, old, now));
    const work = this.cloud.destinations
      .deliver(arn, { body, subject: notificationSubject(alarm, alarm.state), source: { principal: "cloudwatch.amazonaws.com", arn: alarm.arn, account: alarm.account }, correlationId }, { kind: "cloudwatch→sns" })
      .then((result) => {
        if (result.ok) {
          this.state.addHistory(alarm, "Action", `Successfully executed action ${arn}`, { actionState: "Succeeded", notificationResource: arn, stateUpdateTimestamp: now, publishedMessage: body });
        } else {
          this.state.addHistory(alarm, "Action", `Failed to execute action ${arn}. Received error: "${result.error}"`, { actionState: "Failed", notificationResource: arn, stateUpdateTimestamp: now, error: result.error });
        }
      });
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.pending]);
  }

  reset(): void {
    this.nextAt.clear();
  }
}
