/**
 * Lab 07 — the grader's observability checks: the learner's two alarms are
 * saved and notify the ops topic, each goes to ALARM when its failure happens
 * and back to OK when it is over (read from the topic through a queue, as an
 * on-call tool would), CloudWatch's metrics agree with the function's REPORT
 * lines, and the structured log lines can be found with FilterLogEvents.
 * Waits are in alarm periods scaled by the cloud's time scale.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand, type MetricAlarm, type PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import { putMetricAlarm } from "../../src/kit/resources/cloudwatch.js";
import { CheckFailed, type Check, type GradeContext } from "../../src/kit/grader/types.js";
import { errorCode, errorMessage, sleep } from "../../src/kit/wait.js";
import { drainQueue, logEvents, readReports } from "./support.js";
import { ALARMS, DEPTH_ALARM, ERRORS_ALARM, LOGS, METRICS, ONCE, POISON, type State } from "./grade-state.js";

async function describeAlarm(st: State, name: string): Promise<MetricAlarm | undefined> {
  return (await st.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
}

/** Why an alarm did not do what it should, from its saved configuration. */
function diagnose(alarm: MetricAlarm | undefined, want: { namespace: string; metric: string; dimension: string; value: string }): string {
  if (!alarm) return "the alarm does not exist any more";
  const notes: string[] = [`it is ${alarm.StateValue}${alarm.StateReason ? ` (${alarm.StateReason})` : ""}`];
  if (alarm.Namespace !== want.namespace || alarm.MetricName !== want.metric) notes.push(`it watches ${alarm.Namespace}/${alarm.MetricName}, not ${want.namespace}/${want.metric}`);
  const dim = alarm.Dimensions?.find((d) => d.Name === want.dimension);
  if (dim?.Value !== want.value) notes.push(`its dimensions ${JSON.stringify(alarm.Dimensions ?? [])} do not name ${want.dimension} ${want.value}`);
  if ((alarm.Period ?? 0) > 60) notes.push(`its Period is ${alarm.Period} s: it looks at the metric once every ${alarm.Period} s, so it reacts that late`);
  if ((alarm.EvaluationPeriods ?? 1) > 1) notes.push(`it needs ${alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods} of ${alarm.EvaluationPeriods} periods to breach`);
  return notes.join("; ");
}

/**
 * Wait for the alarm's ALARM notification (after `since`), then — after `clear()` — for its OK
 * notification. Each wait lasts a few alarm periods of the cloud's time.
 */
async function alarmCycle(ctx: GradeContext, st: State, name: string, want: Parameters<typeof diagnose>[1], clear: () => Promise<void>, since: number): Promise<string> {
  // A right alarm reacts within a few minutes of AWS time (per-minute metrics, evaluated every minute), time-scaled
  // locally, plus slack for a busy machine. An alarm with a longer period is diagnosed, not waited for.
  const waitMs = 4 * 60_000 * st.timeScale + (ctx.target.kind === "aws" ? 120_000 : 4_000);
  // Only notifications read since the failure began count (an earlier check may have read this one already).
  const seen = (state: string, after: number) => st.inbox.about(name).findIndex((n, i) => i >= after && n.receivedAt >= since && n.newState === state);
  const until = async (state: string, after: number): Promise<number> => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const at = seen(state, after);
      if (at >= 0) return at;
      if (Date.now() > deadline) return -1;
      ctx.status(`waiting for "${name}" to notify ${state}…`);
      await st.inbox.receiveOnce(ctx.target.kind === "aws" ? 10 : 1);
    }
  };
  const alarmed = await until("ALARM", 0);
  if (alarmed < 0) throw new CheckFailed(`no ALARM notification from "${name}" reached the ops topic within ${(waitMs / 1000).toFixed(0)} s of the failure: ${diagnose(await describeAlarm(st, name), want)}`);
  await clear();
  const ok = await until("OK", alarmed + 1);
  if (ok < 0) {
    const alarm = await describeAlarm(st, name);
    const why = alarm?.StateValue === "INSUFFICIENT_DATA" ? ` — with TreatMissingData ${alarm.TreatMissingData ?? "missing"}, a quiet period counts as "no data", not as "no failures"` : alarm?.StateValue === "ALARM" ? ` — TreatMissingData ${alarm.TreatMissingData ?? "missing"} keeps it there while no new datapoint comes` : "";
    throw new CheckFailed(`"${name}" went to ALARM but no OK notification followed within ${(waitMs / 1000).toFixed(0)} s after the failure was over: ${diagnose(alarm, want)}${why}`);
  }
  return `ALARM, then OK — both notified through ${st.pipeline.topic.name}`;
}

export const observabilityChecks: Array<Check<State>> = [
  {
    name: ALARMS,
    async run(ctx, st) {
      const topicArn = st.pipeline.topic.arn;
      const inputs: Array<[string, PutMetricAlarmCommandInput]> = [
        ["errorsAlarm", await ctx.callLearner("errorsAlarm", () => st.alarms.errorsAlarm({ alarmName: st.errorsAlarmName, functionName: st.fn.name, topicArn }))],
        ["failureQueueAlarm", await ctx.callLearner("failureQueueAlarm", () => st.alarms.failureQueueAlarm({ alarmName: st.depthAlarmName, queueName: st.pipeline.failureQueue.name, topicArn }))],
      ];
      const problems: string[] = [];
      for (const [what, input] of inputs) {
        const name = what === "errorsAlarm" ? st.errorsAlarmName : st.depthAlarmName;
        if (!input.AlarmActions?.includes(topicArn)) problems.push(`${what}(): AlarmActions ${JSON.stringify(input.AlarmActions ?? [])} does not include the ops topic: nobody would hear about the failure`);
        if (!input.OKActions?.includes(topicArn)) problems.push(`${what}(): OKActions ${JSON.stringify(input.OKActions ?? [])} does not include the ops topic: nobody would hear that it is over`);
        try {
          await putMetricAlarm(ctx, { ...input, AlarmName: name });
        } catch (err) {
          problems.push(`${what}(): CloudWatch refused the alarm: ${errorCode(err) ?? "Error"}: ${errorMessage(err)}`);
        }
      }
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      return `${st.errorsAlarmName} and ${st.depthAlarmName} saved, both notifying ${st.pipeline.topic.name}`;
    },
  },
  {
    name: ERRORS_ALARM,
    needs: [ALARMS, POISON],
    async run(ctx, st) {
      // The poison order's failed attempts are the errors; once its retries are over, no more come.
      return alarmCycle(ctx, st, st.errorsAlarmName, { namespace: "AWS/Lambda", metric: "Errors", dimension: "FunctionName", value: st.fn.name }, async () => {}, st.poisonAt!);
    },
  },
  {
    name: DEPTH_ALARM,
    needs: [ALARMS, POISON],
    async run(ctx, st) {
      // The poison order's record waits in the failure queue until someone deals with it: here, the grader drains it.
      return alarmCycle(ctx, st, st.depthAlarmName, { namespace: "AWS/SQS", metric: "ApproximateNumberOfMessagesVisible", dimension: "QueueName", value: st.pipeline.failureQueue.name }, async () => {
        await drainQueue(ctx, st.pipeline.failureQueue.url);
      }, st.poisonAt!);
    },
  },
  {
    name: METRICS,
    needs: [ONCE],
    async run(ctx, st) {
      const start = new Date(Math.floor(st.startedAt / 60_000) * 60_000 - 60_000);
      const deadline = Date.now() + (ctx.target.kind === "aws" ? 300_000 : Math.max(10_000, 3 * 60_000 * st.timeScale + 5000));
      let last = "";
      for (;;) {
        const reports = await readReports(ctx, st.fn.name, st.startedAt - 1000);
        const end = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 60_000);
        const query = (id: string, MetricName: string) => ({ Id: id, MetricStat: { Metric: { Namespace: "AWS/Lambda", MetricName, Dimensions: [{ Name: "FunctionName", Value: st.fn.name }] }, Period: 60, Stat: "Sum" } });
        let sums: Record<string, number>;
        try {
          const out = await st.cloudwatch.send(new GetMetricDataCommand({ StartTime: start, EndTime: end, MetricDataQueries: [query("invocations", "Invocations"), query("errors", "Errors")] }));
          sums = Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id!, (r.Values ?? []).reduce((a, b) => a + b, 0)]));
        } catch (err) {
          throw new CheckFailed(`GetMetricData failed: ${errorCode(err) ?? "Error"}: ${errorMessage(err)}`);
        }
        last = `Invocations ${sums.invocations ?? 0} vs ${reports.total} REPORT lines; Errors ${sums.errors ?? 0} vs ${reports.failedInvocations} failed invocations`;
        if (sums.invocations === reports.total && (sums.errors ?? 0) === reports.failedInvocations) return last;
        if (Date.now() > deadline) throw new CheckFailed(`the metrics and the logs disagree: ${last}`);
        ctx.status(`comparing metrics with the logs (${last})…`);
        await sleep(ctx.target.kind === "aws" ? 15_000 : 500);
      }
    },
  },
  {
    name: LOGS,
    needs: [ONCE],
    async run(ctx, st) {
      const round = st.onceRound!;
      const count = async (pattern: string) => (await logEvents(ctx, st.fn.name, { startTime: round.since, filterPattern: pattern })).filter((e) => (e.timestamp ?? 0) <= round.until).length;
      let applied: number;
      let duplicates: number;
      try {
        applied = await count('{ $.outcome = "applied" }');
        duplicates = await count('{ $.outcome = "duplicate" }');
      } catch (err) {
        throw new CheckFailed(`FilterLogEvents refused the JSON filter pattern: ${errorCode(err) ?? "Error"}: ${errorMessage(err)}`);
      }
      const problems: string[] = [];
      if (applied !== round.orders) problems.push(`{ $.outcome = "applied" } finds ${applied} log lines for the ${round.orders} orders of "${ONCE}"`);
      if (ctx.target.kind !== "aws" && duplicates !== round.duplicates) problems.push(`{ $.outcome = "duplicate" } finds ${duplicates} log lines, but ${round.duplicates} deliveries were duplicated`);
      if (problems.length) {
        const sample = (await logEvents(ctx, st.fn.name, { startTime: round.since })).map((e) => (e.message ?? "").trim()).find((m) => !/^(START|END|REPORT) /.test(m));
        throw new CheckFailed(`${problems.join("\n    ")}${sample ? `\n    a line of your function's log: ${sample.slice(0, 200)}` : ""}`);
      }
      return `${applied} "applied" and ${duplicates} "duplicate" lines found by JSON filter patterns`;
    },
  },
];
