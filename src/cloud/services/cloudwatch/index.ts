/**
 * CloudWatch metrics and alarms (issue 18, aws-behavior.md §11), over
 * awsJson 1.0, awsQuery and Smithy RPC v2 CBOR (wire.ts); SigV4 signing name
 * `monitoring`. Metrics: PutMetricData, GetMetricStatistics, GetMetricData
 * (MetricStat and expression queries), ListMetrics, stored per series and minute of cloud
 * time and persisted (metric-store.ts), with metric math (metric-math.ts,
 * metric-queries.ts). The built-in AWS/Lambda, AWS/SQS and
 * AWS/SNS metrics — and Lambda log lines in embedded metric format
 * (core/metrics-emf.ts) — arrive through core/metrics.ts, which this service
 * attaches to as the sink. Alarms: PutMetricAlarm, DescribeAlarms,
 * DescribeAlarmsForMetric, DescribeAlarmHistory, SetAlarmState,
 * DeleteAlarms, Enable/DisableAlarmActions, Tag/UntagResource,
 * ListTagsForResource, evaluated on the cloud's time
 * scale (alarm-evaluator.ts) with SNS actions that publish AWS's message
 * (alarm-notification.ts).
 *
 * Files: wire.ts (protocols), values.ts (input reading), errors.ts,
 * statistics.ts, periods.ts, metric-store.ts, metric-handlers.ts,
 * metric-queries.ts, metric-math.ts, alarm-state.ts,
 * alarm-handlers.ts, alarm-evaluator.ts (when and over what),
 * alarm-decision.ts (which state, as a pure function), alarm-notification.ts.
 *
 * **Gaps** (not implemented)
 * - Metric math is a subset (metric-math.ts: arithmetic, SUM/AVG/MIN/MAX,
 *   METRICS(), FILL, ABS/CEIL/FLOOR) in GetMetricData and in alarms' `Metrics`
 *   lists; other functions (IF, RATE, DIFF, SEARCH, ANOMALY_DETECTION_BAND…)
 *   and Metrics Insights SQL are refused with an error that names them; an
 *   expression returning an array of series must be reduced to one.
 * - Composite alarms, anomaly detection (band operators refused), dashboards,
 *   metric streams, insight rules, alarm mute rules: UnknownOperation.
 *   Tag/UntagResource and ListTagsForResource work on alarms only.
 * - GetMetricData pagination (every result is returned at once; a NextToken
 *   is refused), its Messages, and the statistics beyond SampleCount,
 *   Average, Sum, Minimum, Maximum and pNN (TM99, IQM, WM…).
 * - EvaluateLowSampleCountPercentile is stored, not applied. Alarm actions
 *   other than SNS topics (Lambda, EC2, Auto Scaling, SSM) are recorded as
 *   failed in the alarm history.
 * - PutMetricData `EntityMetricData` is accepted and ignored.
 *
 * **By design**
 * - Time: a bucket is one minute of cloud time (1 s real at the default
 *   1/60), a high-resolution bucket one cloud second; an alarm's Period of
 *   60 s lasts one cloud minute, so ALARM → OK round trips take seconds.
 *   GetMetricStatistics / GetMetricData periods are real seconds over real
 *   timestamps (what a caller passes and reads back).
 * - Retention is bounded (metric-store.ts): 15 days of cloud time but at
 *   least 3 real hours, and 20,000 points per series. ListMetrics shows a
 *   new metric at once (AWS: up to 15 minutes).
 * - Percentiles come from a bounded sample of values per bucket (200), so
 *   they are approximate, as AWS's are; statistic sets have none.
 * - Messages of errors AWS does not document word for word are close
 *   paraphrases (UNCERTAIN); the codes are the model's, in both shapes.
 * - Built-in metrics can be turned off with LOCALCLOUD_BUILTIN_METRICS=off
 *   (the bench measures their cost).
 *
 * **Client quirks**
 * - SDK v3 (3.949+) and the AWS CLI here (botocore 1.43) send awsJson 1.0
 *   with `x-amzn-query-mode: true` and read the error's name from
 *   `x-amzn-query-error` (e.g. `InvalidParameterValue`, `ResourceNotFound`).
 * - SDK v3 sends rpcv2Cbor only when constructed with that `protocol`.
 * - SDK v3 gzips PutMetricData bodies of 10 KiB or more (Content-Encoding:
 *   gzip, the model's requestCompression trait); wire.ts inflates them.
 */
import type { ServiceFactory } from "../../core/service.js";
import { builtinMetrics } from "../../core/metrics.js";
import { MetricStore } from "./metric-store.js";
import { metricHandlers } from "./metric-handlers.js";
import { AlarmState } from "./alarm-state.js";
import { AlarmEvaluator } from "./alarm-evaluator.js";
import { alarmHandlers } from "./alarm-handlers.js";
import { cloudWatchWire, TARGET_PREFIX } from "./wire.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

/** Operations whose awsQuery response has no <…Result> element. */
const NO_RESULT = new Set(["PutMetricData", "PutMetricAlarm", "SetAlarmState", "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions"]);
const PRUNE_EVERY_MS = 60_000;

const createCloudWatch: ServiceFactory = (cloud) => {
  const store = new MetricStore(cloud);
  const metrics = builtinMetrics(cloud);
  metrics.attach(store);
  const alarms = new AlarmState(cloud);
  cloud.provide<TaggedResourcesApi>("tags:cloudwatch", {
    taggedResources: (account, region) => taggedIn(alarms.list(account, region), account, region, "cloudwatch:alarm"),
  });
  const evaluator = new AlarmEvaluator(cloud, alarms, store, metrics);
  evaluator.start();
  const pruner = setInterval(() => store.prune(), PRUNE_EVERY_MS);
  pruner.unref();

  const handle = cloudWatchWire({ ...metricHandlers(store), ...alarmHandlers(alarms, evaluator) }, NO_RESULT);

  return {
    name: "cloudwatch",
    signingNames: ["monitoring"],
    targetPrefixes: [TARGET_PREFIX],
    queryVersions: ["2010-08-01"],
    handle,
    reset: () => {
      metrics.clear();
      store.reset();
      evaluator.reset();
    },
    close: async () => {
      clearInterval(pruner);
      metrics.flush();
      await evaluator.close();
    },
  };
};
export default createCloudWatch;
