// The built-in metrics real traffic produces, read back through the SDK as a
// learner would: AWS/Lambda after real invocations (one succeeding, one
// throwing — and an alarm on Errors that goes to ALARM from them), AWS/SQS
// counters and the per-minute queue-depth gauge, AWS/SNS publish and
// delivery counts. Time scale 1/600: one cloud minute is 100 ms.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloudWatchClient, DescribeAlarmHistoryCommand, DescribeAlarmsCommand, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { errorOf, eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";

let cloud: TestCloud;
let cw: CloudWatchClient;
const ACCOUNT = "000000000000";
const recent = () => ({ StartTime: new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000), EndTime: new Date(Date.now() + 60_000) });

beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: 1 / 600 });
  cw = new CloudWatchClient(cloud.clientConfig);
});
afterAll(async () => {
  cw?.destroy();
  await cloud?.close();
});

/** One statistic summed over the last few minutes, once it reaches `atLeast`. */
async function total(namespace: string, metric: string, dimensions: Array<{ Name: string; Value: string }>, stat: "Sum" | "Maximum" | "SampleCount", atLeast: number): Promise<number> {
  return eventually(async () => {
    const out = await cw.send(new GetMetricStatisticsCommand({ Namespace: namespace, MetricName: metric, Dimensions: dimensions, ...recent(), Period: 300, Statistics: [stat] }));
    const values = (out.Datapoints ?? []).map((d) => d[stat]!);
    const value = stat === "Maximum" ? Math.max(0, ...values) : values.reduce((a, b) => a + b, 0);
    return value >= atLeast ? value : undefined;
  }, 15_000);
}

describe("AWS/Lambda", () => {
  it("counts invocations, errors and duration of real invocations, and an Errors alarm fires from them", async () => {
    const lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
    await createExecutionRole(new IAMClient(cloud.clientConfig));
    await createFunction(lambda, "worker", `export const handler = async (e) => { if (e.fail) throw new Error("nope"); return "ok"; };`);
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "worker-errors",
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: "worker" }],
        Statistic: "Sum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "notBreaching",
      }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "worker", Payload: JSON.stringify({}) }));
    await lambda.send(new InvokeCommand({ FunctionName: "worker", Payload: JSON.stringify({}) }));
    const failed = await lambda.send(new InvokeCommand({ FunctionName: "worker", Payload: JSON.stringify({ fail: true }) }));
    expect(failed.FunctionError).toBe("Unhandled");
    const fn = [{ Name: "FunctionName", Value: "worker" }];
    expect(await total("AWS/Lambda", "Invocations", fn, "Sum", 3)).toBe(3);
    expect(await total("AWS/Lambda", "Errors", fn, "Sum", 1)).toBe(1);
    expect(await total("AWS/Lambda", "Errors", fn, "SampleCount", 3)).toBe(3);
    expect(await total("AWS/Lambda", "Invocations", [...fn, { Name: "Resource", Value: "worker" }], "Sum", 3)).toBe(3);
    expect(await total("AWS/Lambda", "Invocations", [], "Sum", 3)).toBe(3);
    expect(await total("AWS/Lambda", "ConcurrentExecutions", fn, "Maximum", 1)).toBe(1);
    const duration = await cw.send(new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: fn, ...recent(), Period: 300, Statistics: ["SampleCount", "Maximum"] }));
    expect(duration.Datapoints?.reduce((n, d) => n + d.SampleCount!, 0)).toBe(3);
    expect(duration.Datapoints?.[0]).toMatchObject({ Unit: "Milliseconds", Maximum: expect.any(Number) });

    // The failed invocation breached the alarm's threshold; it was evaluated on the cloud's time scale.
    const fired = await eventually(async () => {
      const { AlarmHistoryItems } = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "worker-errors", HistoryItemType: "StateUpdate" }));
      return AlarmHistoryItems?.find((h) => h.HistorySummary?.endsWith("to ALARM"));
    }, 15_000);
    expect(JSON.parse(fired.HistoryData!).newState.stateReason).toContain("[1.0 (");
    const { MetricAlarms } = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["worker-errors"] }));
    expect(MetricAlarms?.[0]?.StateValue).toMatch(/^(ALARM|OK)$/);

    // Embedded metric format: a log line that is a whole EMF JSON document (as Powertools writes it) becomes metrics;
    // the same document behind console.log's "time\trequestId\tINFO\t" prefix does not (it is not pure JSON), as on AWS.
    const emf = `JSON.stringify({ _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: "Shop", Dimensions: [["Service"], []], Metrics: [{ Name: "Orders", Unit: "Count" }] }] }, Service: "checkout", Orders: [2, 3] })`;
    await createFunction(lambda, "emitter", `export const handler = async () => { process.stdout.write(${emf} + "\\n"); console.log(${emf}); return "ok"; };`);
    await lambda.send(new InvokeCommand({ FunctionName: "emitter", Payload: JSON.stringify({}) }));
    expect(await total("Shop", "Orders", [{ Name: "Service", Value: "checkout" }], "Sum", 5)).toBe(5);
    expect(await total("Shop", "Orders", [], "SampleCount", 2)).toBe(2);

    const async = await lambda.send(new InvokeCommand({ FunctionName: "worker", InvocationType: "Event", Payload: JSON.stringify({}) }));
    expect(async.StatusCode).toBe(202);
    expect(await total("AWS/Lambda", "AsyncEventsReceived", fn, "Sum", 1)).toBe(1);
    expect(await total("AWS/Lambda", "AsyncEventAge", fn, "SampleCount", 1)).toBe(1);
    lambda.destroy();
  });
});

describe("AWS/SQS and AWS/SNS", () => {
  it("counts sends, receives and empty receives, samples queue depth each cloud minute, and counts SNS deliveries", async () => {
    const sqs = new SQSClient(cloud.clientConfig);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs" }));
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `job ${i}` }));
    const queue = [{ Name: "QueueName", Value: "jobs" }];
    expect(await total("AWS/SQS", "NumberOfMessagesSent", queue, "Sum", 3)).toBe(3);
    expect(await total("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue, "Maximum", 3)).toBe(3);
    // Several one-minute samples of the same depth, not one per message.
    const depth = await cw.send(
      new GetMetricDataCommand({
        ...recent(),
        MetricDataQueries: [{ Id: "depth", MetricStat: { Metric: { Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: queue }, Period: 60, Stat: "Average" } }],
      }),
    );
    expect(depth.MetricDataResults?.[0]?.Values?.[0]).toBeGreaterThan(0);

    // A queue-depth alarm on the sampled gauge: ALARM while 3 messages wait.
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: "jobs-depth",
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: queue,
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 3,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
    const alarmState = async (state: string) =>
      eventually(async () => ((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["jobs-depth"] }))).MetricAlarms?.[0]?.StateValue === state ? true : undefined), 15_000);
    await alarmState("ALARM");

    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    // Received (in flight) messages are not visible: the depth alarm returns to OK.
    await alarmState("OK");
    expect(await total("AWS/SQS", "NumberOfMessagesReceived", queue, "Sum", 3)).toBe(3);
    expect(await total("AWS/SQS", "NumberOfEmptyReceives", queue, "Sum", 1)).toBe(1);
    expect(await total("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", queue, "Maximum", 3)).toBe(3);
    expect(await total("AWS/SQS", "SentMessageSize", queue, "Maximum", 5)).toBe(5);

    const sns = new SNSClient(cloud.clientConfig);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "news" }));
    // A queue without a policy for SNS: the delivery fails, as on AWS.
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs` }));
    await sns.send(new PublishCommand({ TopicArn, Message: "hello" }));
    const topic = [{ Name: "TopicName", Value: "news" }];
    expect(await total("AWS/SNS", "NumberOfMessagesPublished", topic, "Sum", 1)).toBe(1);
    expect(await total("AWS/SNS", "NumberOfNotificationsFailed", topic, "Sum", 1)).toBe(1);
    const namespaces = new Set((await cw.send(new ListMetricsCommand({}))).Metrics!.map((m) => m.Namespace));
    expect([...namespaces].sort()).toEqual(["AWS/Lambda", "AWS/SNS", "AWS/SQS", "Shop"]);
    sqs.destroy();
    sns.destroy();
  });
});

describe("IAM", () => {
  it("a role session needs cloudwatch:PutMetricData, and the cloudwatch:namespace condition key limits it", async () => {
    const iam = new IAMClient(cloud.clientConfig);
    await iam.send(
      new CreateRoleCommand({
        RoleName: "metrics-writer",
        AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }] }),
      }),
    );
    const sts = new STSClient(cloud.clientConfig);
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/metrics-writer`, RoleSessionName: "app" }));
    const asRole = new CloudWatchClient({
      ...cloud.clientConfig,
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
    const put = (Namespace: string) => asRole.send(new PutMetricDataCommand({ Namespace, MetricData: [{ MetricName: "Hits", Value: 1 }] }));
    const denied = await errorOf(put("App"));
    expect(denied.$metadata.httpStatusCode).toBe(403);
    expect(denied.message).toContain("cloudwatch:PutMetricData");
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "metrics-writer",
        PolicyName: "app-metrics",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "App" } } }] }),
      }),
    );
    await put("App");
    expect((await errorOf(put("Other"))).$metadata.httpStatusCode).toBe(403);
    for (const c of [asRole, sts, iam]) c.destroy();
  });
});
