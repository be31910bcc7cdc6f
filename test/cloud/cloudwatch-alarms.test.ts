// CloudWatch alarms through the real SDK and the AWS CLI, on a fast time
// scale (1/600: a 60-s period lasts 100 ms): an alarm going ALARM with AWS's
// SNS message arriving in a subscribed queue and back to OK, the four
// TreatMissingData treatments with no data, SetAlarmState running actions,
// history, deletion, and alarms surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsCliAsync, errorOf, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

const ACCOUNT = "000000000000";
let cloud: TestCloud;
let cw: CloudWatchClient;
let sqs: SQSClient;
let topicArn: string;
let queueUrl: string;

beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: 1 / 600 });
  cw = new CloudWatchClient(cloud.clientConfig);
  sqs = new SQSClient(cloud.clientConfig);
  const sns = new SNSClient(cloud.clientConfig);
  ({ TopicArn: topicArn } = (await sns.send(new CreateTopicCommand({ Name: "alarms" }))) as { TopicArn: string });
  ({ QueueUrl: queueUrl } = (await sqs.send(new CreateQueueCommand({ QueueName: "alarm-inbox" }))) as { QueueUrl: string });
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes!.QueueArn!;
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } } }],
        }),
      },
    }),
  );
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queueArn }));
  sns.destroy();
});
afterAll(async () => {
  cw?.destroy();
  sqs?.destroy();
  await cloud?.close();
});

const inbox: Array<{ Subject: string; Message: Record<string, any> }> = [];
/** The next notification for an alarm in a state (read from the queue, kept for later checks). */
async function notification(alarm: string, state: string): Promise<{ Subject: string; Message: Record<string, any> }> {
  return eventually(async () => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of Messages ?? []) {
      const envelope = JSON.parse(m.Body!);
      inbox.push({ Subject: envelope.Subject, Message: JSON.parse(envelope.Message) });
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    }
    const i = inbox.findIndex((n) => n.Message.AlarmName === alarm && n.Message.NewStateValue === state);
    return i >= 0 ? inbox.splice(i, 1)[0] : undefined;
  }, 15_000);
}

const stateOf = async (name: string) => (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0];
const waitState = (name: string, state: string) => eventually(async () => ((await stateOf(name))?.StateValue === state ? stateOf(name) : undefined), 15_000);

const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  Namespace: "App",
  MetricName: name,
  Statistic: "Sum",
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 0,
  ComparisonOperator: "GreaterThanThreshold",
  ...extra,
});

describe("an alarm's life", () => {
  it("goes to ALARM on a breaching datapoint, notifies the topic with AWS's message, and returns to OK", async () => {
    await cw.send(
      new PutMetricAlarmCommand(
        alarm("errors", { AlarmDescription: "Errors above zero", TreatMissingData: "notBreaching", AlarmActions: [topicArn], OKActions: [topicArn], Dimensions: [{ Name: "FunctionName", Value: "fn" }] }),
      ),
    );
    // No data, treated as not breaching: INSUFFICIENT_DATA → OK, which runs the OK actions.
    const first = await notification("errors", "OK");
    expect(first.Message).toMatchObject({ OldStateValue: "INSUFFICIENT_DATA", NewStateReason: expect.stringContaining("treated as [NonBreaching]") });

    await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "errors", Dimensions: [{ Name: "FunctionName", Value: "fn" }], Value: 3, Unit: "Count" }] }));
    const { Subject, Message } = await notification("errors", "ALARM");
    expect(Subject).toBe('ALARM: "errors" in US East (N. Virginia)');
    expect(Object.keys(Message)).toEqual([
      "AlarmName", "AlarmDescription", "AWSAccountId", "AlarmConfigurationUpdatedTimestamp", "NewStateValue", "NewStateReason", "StateChangeTime",
      "Region", "AlarmArn", "OldStateValue", "OKActions", "AlarmActions", "InsufficientDataActions", "Trigger",
    ]);
    expect(Message).toMatchObject({
      AlarmName: "errors",
      AlarmDescription: "Errors above zero",
      AWSAccountId: ACCOUNT,
      NewStateValue: "ALARM",
      OldStateValue: "OK",
      Region: "US East (N. Virginia)",
      AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:errors`,
      AlarmActions: [topicArn],
      OKActions: [topicArn],
      InsufficientDataActions: [],
      Trigger: {
        MetricName: "errors",
        Namespace: "App",
        StatisticType: "Statistic",
        Statistic: "SUM",
        Unit: null,
        Dimensions: [{ value: "fn", name: "FunctionName" }],
        Period: 60,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        ComparisonOperator: "GreaterThanThreshold",
        Threshold: 0,
        TreatMissingData: "notBreaching",
        EvaluateLowSampleCountPercentile: "",
      },
    });
    expect(Message.StateChangeTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(Message.NewStateReason).toMatch(
      /^Threshold Crossed: 1 out of the last 1 datapoints \[3\.0 \(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d\)\] was greater than the threshold \(0\.0\) \(minimum 1 datapoint for OK -> ALARM transition\)\.$/,
    );

    // The data stops: missing datapoints are not breaching, so the alarm returns to OK.
    const back = await notification("errors", "OK");
    expect(back.Subject).toBe('OK: "errors" in US East (N. Virginia)');
    expect(back.Message.OldStateValue).toBe("ALARM");

    const described = await stateOf("errors");
    expect(described).toMatchObject({ StateValue: "OK", AlarmArn: Message.AlarmArn, ActionsEnabled: true, TreatMissingData: "notBreaching" });
    expect(JSON.parse(described!.StateReasonData!)).toMatchObject({ version: "1.0", statistic: "Sum", period: 60, threshold: 0 });
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "errors" }));
    const summaries = history.AlarmHistoryItems!.map((h) => h.HistorySummary);
    expect(summaries).toContain("Alarm updated from OK to ALARM");
    expect(summaries).toContain(`Successfully executed action ${topicArn}`);
    expect(summaries[summaries.length - 1]).toBe('Alarm "errors" created');
    const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: "App", MetricName: "errors", Dimensions: [{ Name: "FunctionName", Value: "fn" }] }));
    expect(forMetric.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["errors"]);
  });

  it("evaluates a metric math alarm (an error rate) and a percentile alarm", async () => {
    const stat = (MetricName: string) => ({ Metric: { Namespace: "Rate", MetricName }, Period: 60, Stat: "Sum" });
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "error-rate",
        EvaluationPeriods: 1,
        Threshold: 50,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "ignore",
        AlarmActions: [topicArn],
        Metrics: [
          { Id: "e", MetricStat: stat("Errors"), ReturnData: false },
          { Id: "i", MetricStat: stat("Invocations"), ReturnData: false },
          { Id: "rate", Expression: "100 * e / i", Label: "Error rate", ReturnData: true },
        ],
      }),
    );
    await cw.send(new PutMetricAlarmCommand(alarm("slow", { Statistic: undefined, ExtendedStatistic: "p90", Namespace: "Rate", MetricName: "Latency", Threshold: 100, TreatMissingData: "ignore" })));
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Rate",
        MetricData: [
          { MetricName: "Errors", Value: 3 },
          { MetricName: "Invocations", Value: 4 },
          { MetricName: "Latency", Values: [10, 20, 500], Unit: "Milliseconds" },
        ],
      }),
    );
    const { Message } = await notification("error-rate", "ALARM");
    expect(Message.NewStateReason).toContain("[75.0 (");
    expect(Message.Trigger).toMatchObject({ Period: 60, Threshold: 50, EvaluationPeriods: 1, Metrics: [{ Id: "e" }, { Id: "i" }, { Id: "rate", Expression: "100 * e / i", ReturnData: true }] });
    expect((await stateOf("error-rate"))!.Metrics).toHaveLength(3);
    const slow = await waitState("slow", "ALARM");
    expect(slow!.StateReason).toContain("[500.0 (");
    const bad = await errorOf(cw.send(new PutMetricAlarmCommand({ AlarmName: "bad-math", EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold", Metrics: [{ Id: "x", Expression: "nope * 2" }] })));
    expect(bad.Code).toBe("InvalidParameterValue");
  });

  it("applies TreatMissingData when no data arrives", async () => {
    for (const treat of ["breaching", "notBreaching", "missing", "ignore"] as const) {
      await cw.send(new PutMetricAlarmCommand(alarm(`quiet-${treat}`, { TreatMissingData: treat })));
    }
    expect((await waitState("quiet-breaching", "ALARM"))!.StateReason).toBe("Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].");
    await waitState("quiet-notBreaching", "OK");
    expect((await stateOf("quiet-missing"))!.StateValue).toBe("INSUFFICIENT_DATA");
    // Forced into ALARM, `missing` falls back to INSUFFICIENT_DATA at the next evaluation, `ignore` stays.
    for (const name of ["quiet-missing", "quiet-ignore"]) {
      await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "ALARM", StateReason: "testing" }));
    }
    expect((await stateOf("quiet-ignore"))!.StateReason).toBe("testing");
    await waitState("quiet-missing", "INSUFFICIENT_DATA");
    expect((await stateOf("quiet-ignore"))!.StateValue).toBe("ALARM");
  });

  it("SetAlarmState runs the new state's actions; errors are AWS's", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm("manual", { TreatMissingData: "ignore", AlarmActions: [topicArn] })));
    await cw.send(new SetAlarmStateCommand({ AlarmName: "manual", StateValue: "ALARM", StateReason: "drill" }));
    const { Message } = await notification("manual", "ALARM");
    expect(Message).toMatchObject({ NewStateReason: "drill", OldStateValue: "INSUFFICIENT_DATA" });
    const missing = await errorOf(cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "x" })));
    expect(missing.name).toBe("ResourceNotFound");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const badJson = await errorOf(cw.send(new SetAlarmStateCommand({ AlarmName: "manual", StateValue: "OK", StateReason: "x", StateReasonData: "{" })));
    expect(badJson.Code).toBe("InvalidFormat");
    const both = await errorOf(cw.send(new PutMetricAlarmCommand(alarm("bad", { ExtendedStatistic: "p99" }))));
    expect(both.Code).toBe("InvalidParameterCombination");
    const badM = await errorOf(cw.send(new PutMetricAlarmCommand(alarm("bad", { DatapointsToAlarm: 3, EvaluationPeriods: 2 }))));
    expect(badM.Code).toBe("InvalidParameterValue");
  });
});

describe("tags", () => {
  it("keeps the tags an alarm is created with (an update's are ignored, as on AWS), and tags and untags it", async () => {
    const arn = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:tagged`;
    await cw.send(new PutMetricAlarmCommand(alarm("tagged", { Tags: [{ Key: "lab", Value: "07" }] })));
    await cw.send(new PutMetricAlarmCommand(alarm("tagged", { Tags: [{ Key: "ignored", Value: "x" }] })));
    await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: "team", Value: "a" }] }));
    await cw.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ["lab"] }));
    expect((await cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags).toEqual([{ Key: "team", Value: "a" }]);
    const missing = await errorOf(cw.send(new ListTagsForResourceCommand({ ResourceARN: `${arn}-nope` })));
    expect(missing.$metadata.httpStatusCode).toBe(404);
  });
});

describe("the CLI, deletion and restarts", () => {
  it.skipIf(!hasAwsCli)("aws cloudwatch put-metric-alarm and describe-alarms; DeleteAlarms with a wrong name deletes nothing", async () => {
    const put = await awsCliAsync(cloud, [
      "cloudwatch", "put-metric-alarm", "--alarm-name", "cli-depth", "--namespace", "AWS/SQS", "--metric-name", "ApproximateNumberOfMessagesVisible",
      "--dimensions", "Name=QueueName,Value=jobs", "--statistic", "Maximum", "--period", "60", "--evaluation-periods", "3", "--datapoints-to-alarm", "2",
      "--threshold", "10", "--comparison-operator", "GreaterThanOrEqualToThreshold", "--alarm-actions", topicArn,
    ]);
    expect(put.stderr).toBe("");
    const out = await awsCliAsync(cloud, ["cloudwatch", "describe-alarms", "--alarm-names", "cli-depth"]);
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout).MetricAlarms[0]).toMatchObject({
      AlarmName: "cli-depth",
      Namespace: "AWS/SQS",
      Statistic: "Maximum",
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 10,
      Dimensions: [{ Name: "QueueName", Value: "jobs" }],
      AlarmActions: [topicArn],
    });
    // A wrong name makes DeleteAlarms delete nothing, and still succeed (API reference).
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["cli-depth", "no-such-alarm"] }));
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["cli-depth"] }))).MetricAlarms).toHaveLength(1);
  });

  it("keeps alarms and their state across a restart, and deletes them", async () => {
    const before = await stateOf("quiet-ignore");
    cw.destroy();
    sqs.destroy();
    cloud = await cloud.restart();
    cw = new CloudWatchClient(cloud.clientConfig);
    sqs = new SQSClient(cloud.clientConfig);
    const after = await stateOf("quiet-ignore");
    expect(after).toMatchObject({ StateValue: "ALARM", StateReason: before!.StateReason, AlarmConfigurationUpdatedTimestamp: before!.AlarmConfigurationUpdatedTimestamp });
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["quiet-ignore", "quiet-missing"] }));
    const left = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "quiet-" }))).MetricAlarms!.map((a) => a.AlarmName);
    expect(left).toEqual(["quiet-breaching", "quiet-notBreaching"]);
    // History outlives the alarm.
    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "quiet-ignore", HistoryItemType: "ConfigurationUpdate" }));
    expect(history.AlarmHistoryItems?.[0]?.HistorySummary).toBe('Alarm "quiet-ignore" deleted');
  });
});
