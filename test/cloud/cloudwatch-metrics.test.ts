// CloudWatch metrics through the real SDK (its default awsJson 1.0, and the
// awsQuery and rpcv2Cbor protocols it can be switched to) and the AWS CLI:
// PutMetricData's three value forms, the statistics GetMetricStatistics and
// GetMetricData compute from them, ListMetrics filters, AWS's errors, and
// metrics surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloudWatchClient,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from "@aws-sdk/core/protocols";
import { awsCliAsync, errorOf, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { form, fuzz, json, type Seed } from "../helpers/fuzz.js";
import { signedRequest } from "../helpers/signed-request.js";

let cloud: TestCloud;
let cw: CloudWatchClient;
const NS = "Shop";
const dims = [{ Name: "Operation", Value: "checkout" }];
// One fixed minute in the recent past, so every value lands in one period whatever the clock does.
const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
const at = (s: number) => new Date(minute + s * 1000);
const window = { StartTime: new Date(minute), EndTime: new Date(minute + 60_000) };

beforeAll(async () => {
  cloud = await startTestCloud();
  cw = new CloudWatchClient(cloud.clientConfig);
  await cw.send(
    new PutMetricDataCommand({
      Namespace: NS,
      MetricData: [
        { MetricName: "Latency", Dimensions: dims, Timestamp: at(1), Value: 10, Unit: "Milliseconds" },
        { MetricName: "Latency", Dimensions: dims, Timestamp: at(2), Values: [20, 30], Counts: [1, 2], Unit: "Milliseconds" },
        { MetricName: "Latency", Dimensions: dims, Timestamp: at(3), StatisticValues: { SampleCount: 2, Sum: 100, Minimum: 40, Maximum: 60 }, Unit: "Milliseconds" },
        { MetricName: "Latency", Dimensions: [{ Name: "Operation", Value: "search" }], Timestamp: at(4), Value: 1, Unit: "Milliseconds" },
        { MetricName: "Orders", Timestamp: at(5), Value: 3, Unit: "Count" },
      ],
    }),
  );
});
afterAll(async () => {
  cw?.destroy();
  await cloud?.close();
});

describe("statistics", () => {
  it("computes SampleCount, Sum, Average, Minimum, Maximum over values, value lists and statistic sets", async () => {
    const out = await cw.send(
      new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Latency", Dimensions: dims, ...window, Period: 60, Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"] }),
    );
    expect(out.Label).toBe("Latency");
    // 10 ×1, 20 ×1, 30 ×2, and a set of 2 samples summing 100 → 6 samples, sum 190.
    expect(out.Datapoints).toEqual([{ Timestamp: new Date(minute), SampleCount: 6, Sum: 190, Average: 190 / 6, Minimum: 10, Maximum: 60, Unit: "Milliseconds" }]);
  });

  it("matches dimensions exactly and filters by unit", async () => {
    const none = await cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Latency", ...window, Period: 60, Statistics: ["Sum"] }));
    expect(none.Datapoints).toEqual([]);
    const wrongUnit = await cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Latency", Dimensions: dims, ...window, Period: 60, Statistics: ["Sum"], Unit: "Seconds" }));
    expect(wrongUnit.Datapoints).toEqual([]);
  });

  it("answers percentiles from the values (not from statistic sets)", async () => {
    const out = await cw.send(
      new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Latency", Dimensions: [{ Name: "Operation", Value: "search" }], ...window, Period: 60, ExtendedStatistics: ["p50", "p99"] }),
    );
    expect(out.Datapoints?.[0]?.ExtendedStatistics).toEqual({ p50: 1, p99: 1 });
  });

  it("GetMetricData returns MetricStat series newest first, with labels, and skips ReturnData false", async () => {
    await cw.send(
      new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: "Orders", Timestamp: new Date(minute + 65_000), Value: 4, Unit: "Count" }] }),
    );
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(minute),
        EndTime: new Date(minute + 120_000),
        MetricDataQueries: [
          { Id: "orders", MetricStat: { Metric: { Namespace: NS, MetricName: "Orders" }, Period: 60, Stat: "Sum" }, Label: "Orders per minute" },
          { Id: "lat", MetricStat: { Metric: { Namespace: NS, MetricName: "Latency", Dimensions: dims }, Period: 60, Stat: "Maximum" } },
          { Id: "hidden", MetricStat: { Metric: { Namespace: NS, MetricName: "Orders" }, Period: 60, Stat: "Sum" }, ReturnData: false },
        ],
      }),
    );
    expect(out.MetricDataResults).toEqual([
      { Id: "orders", Label: "Orders per minute", Timestamps: [new Date(minute + 60_000), new Date(minute)], Values: [4, 3], StatusCode: "Complete", Messages: [] },
      { Id: "lat", Label: "Latency", Timestamps: [new Date(minute)], Values: [60], StatusCode: "Complete", Messages: [] },
    ]);
    const ascending = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(minute),
        EndTime: new Date(minute + 120_000),
        ScanBy: "TimestampAscending",
        MetricDataQueries: [{ Id: "orders", MetricStat: { Metric: { Namespace: NS, MetricName: "Orders" }, Period: 120, Stat: "SampleCount" } }],
      }),
    );
    expect(ascending.MetricDataResults?.[0]).toMatchObject({ Timestamps: [new Date(minute)], Values: [2] });
  });

  it("GetMetricData evaluates metric math: arithmetic between series and scalars, SUM(METRICS()), FILL", async () => {
    const orders = { Metric: { Namespace: NS, MetricName: "Orders" }, Period: 60, Stat: "Sum" };
    const latency = { Metric: { Namespace: NS, MetricName: "Latency", Dimensions: dims }, Period: 60, Stat: "Maximum" };
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(minute),
        EndTime: new Date(minute + 120_000),
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          { Id: "o", MetricStat: orders, ReturnData: false },
          { Id: "l", MetricStat: latency, ReturnData: false },
          { Id: "ratio", Expression: "l / o * 100", Label: "ratio" },
          { Id: "total", Expression: "SUM(METRICS())" },
          { Id: "filled", Expression: "FILL(l, 0) + 1" },
          { Id: "peak", Expression: "MAX(o)" },
        ],
      }),
    );
    const byId = Object.fromEntries(out.MetricDataResults!.map((r) => [r.Id, { t: r.Timestamps!.map((d) => d.getTime() - minute), v: r.Values }]));
    // Orders: 3 then 4; Latency max: 60 in the first minute only.
    expect(byId.ratio).toEqual({ t: [0], v: [2000] });
    expect(byId.total).toEqual({ t: [0, 60_000], v: [63, 4] });
    expect(byId.filled).toEqual({ t: [0, 60_000], v: [61, 1] });
    expect(byId.peak).toEqual({ t: [0, 60_000], v: [4, 4] });
  });

  it("ListMetrics filters by namespace, name and dimension", async () => {
    const all = await cw.send(new ListMetricsCommand({ Namespace: NS }));
    expect(all.Metrics).toHaveLength(3);
    const checkout = await cw.send(new ListMetricsCommand({ Namespace: NS, MetricName: "Latency", Dimensions: [{ Name: "Operation", Value: "checkout" }] }));
    expect(checkout.Metrics).toEqual([{ Namespace: NS, MetricName: "Latency", Dimensions: dims }]);
    const anyOperation = await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: "Operation" }] }));
    expect(anyOperation.Metrics).toHaveLength(2);
  });
});

describe("errors", () => {
  it("answers AWS's error codes", async () => {
    const reserved = await errorOf(cw.send(new PutMetricDataCommand({ Namespace: "AWS/Lambda", MetricData: [{ MetricName: "x", Value: 1 }] })));
    expect(reserved.name).toBe("InvalidParameterValueException");
    expect(reserved.Code).toBe("InvalidParameterValue");
    expect(reserved.$metadata.httpStatusCode).toBe(400);
    const both = await errorOf(
      cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: "x", Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }] })),
    );
    expect(both.Code).toBe("InvalidParameterCombination");
    const tooMany = await errorOf(
      cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Orders", StartTime: new Date(Date.now() - 86400_000 * 2), EndTime: new Date(), Period: 60, Statistics: ["Sum"] })),
    );
    expect(tooMany.Code).toBe("InvalidParameterCombination");
    expect(tooMany.message).toContain("exceeds the limit of 1,440");
    const badPeriod = await errorOf(cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Orders", ...window, Period: 61, Statistics: ["Sum"] })));
    expect(badPeriod.Code).toBe("InvalidParameterValue");
    const unsupported = await errorOf(cw.send(new GetMetricDataCommand({ ...window, MetricDataQueries: [{ Id: "e1", Expression: "ANOMALY_DETECTION_BAND(m1)" }] })));
    expect(unsupported.name).toBe("ValidationException");
    expect(unsupported.Code).toBe("ValidationError");
    expect(unsupported.message).toContain("not supported by the local cloud's metric math");
    const unknownId = await errorOf(cw.send(new GetMetricDataCommand({ ...window, MetricDataQueries: [{ Id: "e1", Expression: "m9 * 2" }] })));
    expect(unknownId.message).toContain("m9");
  });
});

describe("other protocols and the CLI", () => {
  it("serves awsQuery (older clients) and rpcv2Cbor", async () => {
    for (const protocol of [AwsQueryProtocol, AwsSmithyRpcV2CborProtocol]) {
      const client = new CloudWatchClient({ ...cloud.clientConfig, protocol });
      await client.send(new PutMetricDataCommand({ Namespace: "Proto", MetricData: [{ MetricName: protocol.name, Timestamp: at(10), Values: [1, 2, 3] }] }));
      const out = await client.send(new GetMetricStatisticsCommand({ Namespace: "Proto", MetricName: protocol.name, ...window, Period: 60, Statistics: ["Sum", "Maximum"], ExtendedStatistics: ["p50"] }));
      expect(out.Datapoints).toEqual([{ Timestamp: new Date(minute), Sum: 6, Maximum: 3, ExtendedStatistics: { p50: 2 }, Unit: "None" }]);
      const data = await client.send(
        new GetMetricDataCommand({ ...window, MetricDataQueries: [{ Id: "m", MetricStat: { Metric: { Namespace: "Proto", MetricName: protocol.name }, Period: 60, Stat: "Average" } }] }),
      );
      expect(data.MetricDataResults).toEqual([{ Id: "m", Label: protocol.name, Timestamps: [new Date(minute)], Values: [2], StatusCode: "Complete", Messages: [] }]);
      const listed = await client.send(new ListMetricsCommand({ Namespace: "Proto", MetricName: protocol.name }));
      expect(listed.Metrics).toEqual([{ Namespace: "Proto", MetricName: protocol.name, Dimensions: [] }]);
      const error = await errorOf(client.send(new PutMetricDataCommand({ Namespace: "AWS/X", MetricData: [{ MetricName: "x", Value: 1 }] })));
      expect(error.Code ?? error.name).toBe("InvalidParameterValue");
      client.destroy();
    }
  });

  it("inflates the gzip bodies SDK v3 sends for PutMetricData of 10 KiB or more, and refuses bad gzip", async () => {
    for (const protocol of [undefined, AwsQueryProtocol]) {
      const client = new CloudWatchClient({ ...cloud.clientConfig, ...(protocol ? { protocol } : {}) });
      const name = `Big${protocol ? "Query" : "Json"}`;
      const MetricData = Array.from({ length: 300 }, (_, i) => ({ MetricName: name, Dimensions: [{ Name: "Shard", Value: `shard-${i % 3}` }], Timestamp: at(30), Value: i, Unit: "Count" as const }));
      await client.send(new PutMetricDataCommand({ Namespace: "Big", MetricData }));
      const out = await client.send(new GetMetricStatisticsCommand({ Namespace: "Big", MetricName: name, Dimensions: [{ Name: "Shard", Value: "shard-0" }], ...window, Period: 60, Statistics: ["SampleCount"] }));
      expect(out.Datapoints?.[0]?.SampleCount).toBe(100);
      client.destroy();
    }
    const bad = await signedRequest(cloud.endpoint, {
      method: "POST",
      path: "/",
      service: "monitoring",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "GraniteServiceVersion20100801.PutMetricData", "content-encoding": "gzip" },
      body: "not gzip at all",
    });
    expect(bad.status).toBe(400);
    expect(bad.headers["x-amzn-query-error"]).toBe("InvalidParameterValue;Sender");
  });

  it.skipIf(!hasAwsCli)("aws cloudwatch put-metric-data and get-metric-statistics", async () => {
    const put = await awsCliAsync(cloud, ["cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-name", "Jobs", "--value", "7", "--unit", "Count", "--timestamp", at(20).toISOString(), "--dimensions", "Queue=q1"]);
    expect(put.stderr).toBe("");
    expect(put.status).toBe(0);
    const stats = await awsCliAsync(cloud, [
      "cloudwatch", "get-metric-statistics", "--namespace", "Cli", "--metric-name", "Jobs", "--dimensions", "Name=Queue,Value=q1",
      "--start-time", window.StartTime.toISOString(), "--end-time", window.EndTime.toISOString(), "--period", "60", "--statistics", "Sum", "Maximum",
    ]);
    expect(stats.status).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ Label: "Jobs", Datapoints: [{ Sum: 7, Maximum: 7, Unit: "Count" }] });
    const bad = await awsCliAsync(cloud, ["cloudwatch", "put-metric-data", "--namespace", "AWS/EC2", "--metric-name", "x", "--value", "1"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("InvalidParameterValue");
  });
});

describe("malformed input", () => {
  it("200 mutated JSON and query requests: no 5xx, the cloud stays healthy", async () => {
    const op = (name: string, body: Record<string, unknown>) => json("monitoring", `GraniteServiceVersion20100801.${name}`, "1.0", body);
    const now = Date.now() / 1000;
    const seeds: Seed[] = [
      op("PutMetricData", { Namespace: "Fuzz", MetricData: [{ MetricName: "m", Dimensions: [{ Name: "d", Value: "v" }], Value: 1.5, Unit: "Count", Timestamp: now }, { MetricName: "m", Values: [1, 2], Counts: [1, 3] }] }),
      op("GetMetricStatistics", { Namespace: "Fuzz", MetricName: "m", StartTime: now - 600, EndTime: now, Period: 60, Statistics: ["Sum", "Average"], ExtendedStatistics: ["p90"] }),
      op("GetMetricData", { StartTime: now - 600, EndTime: now, MetricDataQueries: [{ Id: "a", MetricStat: { Metric: { Namespace: "Fuzz", MetricName: "m" }, Period: 60, Stat: "p50" } }] }),
      op("ListMetrics", { Namespace: "Fuzz", Dimensions: [{ Name: "d" }] }),
      op("PutMetricAlarm", { AlarmName: "fz", Namespace: "Fuzz", MetricName: "m", Statistic: "Sum", Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "breaching" }),
      op("PutMetricAlarm", { AlarmName: "fz2", Metrics: [{ Id: "m1", MetricStat: { Metric: { Namespace: "Fuzz", MetricName: "m" }, Period: 60, Stat: "Maximum" }, ReturnData: true }], EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "LessThanThreshold" }),
      op("DescribeAlarms", { AlarmNamePrefix: "f", StateValue: "ALARM", MaxRecords: 5 }),
      op("DescribeAlarmHistory", { AlarmName: "fz", HistoryItemType: "StateUpdate", ScanBy: "TimestampAscending" }),
      op("SetAlarmState", { AlarmName: "fz", StateValue: "OK", StateReason: "r", StateReasonData: "{}" }),
      op("DeleteAlarms", { AlarmNames: ["fz-nope"] }),
      form("monitoring", { Action: "PutMetricData", Version: "2010-08-01", Namespace: "Fuzz", "MetricData.member.1.MetricName": "q", "MetricData.member.1.Value": "2", "MetricData.member.1.Dimensions.member.1.Name": "d", "MetricData.member.1.Dimensions.member.1.Value": "v" }),
      form("monitoring", { Action: "DescribeAlarms", Version: "2010-08-01", "AlarmNames.member.1": "fz" }),
    ];
    const { sent } = await fuzz(cloud.endpoint, { seeds, seed: 18, count: 200 });
    expect(sent).toBe(200);
  });
});

describe("persistence", () => {
  it("keeps metrics across a restart", async () => {
    cw.destroy();
    cloud = await cloud.restart();
    cw = new CloudWatchClient(cloud.clientConfig);
    const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: "Latency", Dimensions: dims, ...window, Period: 60, Statistics: ["Sum", "SampleCount"] }));
    expect(out.Datapoints).toEqual([{ Timestamp: new Date(minute), Sum: 190, SampleCount: 6, Unit: "Milliseconds" }]);
    expect((await cw.send(new ListMetricsCommand({ Namespace: NS }))).Metrics).toHaveLength(3);
  });
});
