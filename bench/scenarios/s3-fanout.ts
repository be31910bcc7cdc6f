/**
 * The two fan-out paths of issue "part 3", each ending in an SQS queue so the
 * same receiver measures them: S3 → SNS → SQS (the queue gets SNS's
 * notification envelope, whose Message is the S3 event) and S3 → EventBridge
 * → rule → SQS (the queue gets the EventBridge event). Latency is PutObject
 * response → message received; loss and duplicates are counted over 300.
 */
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { clientConfig, type Row } from "../lib.js";
import { measureDelivery, QueueReceiver, type DeliveryFigures } from "../delivery.js";
import { queueWithS3Policy, s3KeyOf } from "./s3-sqs.js";
import { DEFAULT_ACCOUNT as ACCOUNT } from "../../src/cloud/core/constants.js";

/** SNS → SQS without raw delivery: the S3 event is the envelope's Message. */
function snsEnvelopeKey(body: string): string | undefined {
  try {
    return s3KeyOf(JSON.parse(body).Message);
  } catch {
    return undefined;
  }
}

/** EventBridge events carry the key as is (not URL-encoded). */
function eventBridgeKey(body: string): string | undefined {
  try {
    return JSON.parse(body)?.detail?.object?.key;
  } catch {
    return undefined;
  }
}

function rows(path: string, f: DeliveryFigures, roundTrip: number): Row[] {
  return [
    { figure: `${path} delivery p50`, value: f.p50, unit: "ms", baseline: roundTrip, target: "≤ 10 ms", met: f.p50 <= 10 },
    { figure: `${path} delivery p95`, value: f.p95, unit: "ms", baseline: roundTrip },
    {
      figure: `${path} lost / duplicated of ${f.sent}`,
      value: f.lost,
      unit: "lost",
      target: "0 lost (≥ 200 events)",
      met: f.lost === 0 && f.sent >= 200,
      note: `${f.duplicated} duplicated`,
    },
  ];
}

export async function s3SnsSqsScenario(endpoint: string, roundTrip: number): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const sns = new SNSClient(cfg);
  const stamp = Date.now();
  const bucket = `bench-sns-${stamp}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: `bench-sns-${stamp}` }));
  await sns.send(
    new SetTopicAttributesCommand({
      TopicArn,
      AttributeName: "Policy",
      AttributeValue: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sns:Publish", Resource: TopicArn, Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucket}` } } }],
      }),
    }),
  );
  const { queueUrl, queueArn } = await queueWithS3Policy(sqs, `bench-sns-${stamp}`, bucket, "sns.amazonaws.com", TopicArn);
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { TopicConfigurations: [{ TopicArn, Events: ["s3:ObjectCreated:*"] }] },
    }),
  );
  const receiver = new QueueReceiver(sqs, queueUrl, snsEnvelopeKey);
  try {
    const figures = await measureDelivery(receiver, async (key) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
    }, "bench/");
    return rows("S3 → SNS → SQS", figures, roundTrip);
  } finally {
    await receiver.stop();
    for (const c of [s3, sqs, sns]) c.destroy();
  }
}

export async function s3EventBridgeSqsScenario(endpoint: string, roundTrip: number): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const events = new EventBridgeClient(cfg);
  const stamp = Date.now();
  const bucket = `bench-eb-${stamp}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const ruleArn = `arn:aws:events:us-east-1:${ACCOUNT}:rule/bench-eb-${stamp}`;
  const { queueUrl, queueArn } = await queueWithS3Policy(sqs, `bench-eb-${stamp}`, bucket, "events.amazonaws.com", ruleArn);
  await events.send(
    new PutRuleCommand({
      Name: `bench-eb-${stamp}`,
      EventPattern: JSON.stringify({ source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: "bench/" }] } } }),
    }),
  );
  await events.send(new PutTargetsCommand({ Rule: `bench-eb-${stamp}`, Targets: [{ Id: "queue", Arn: queueArn }] }));
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { EventBridgeConfiguration: {} } }));
  const receiver = new QueueReceiver(sqs, queueUrl, eventBridgeKey);
  try {
    const figures = await measureDelivery(receiver, async (key) => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
    }, "bench/");
    return rows("S3 → EventBridge → SQS", figures, roundTrip);
  } finally {
    await receiver.stop();
    for (const c of [s3, sqs, events]) c.destroy();
  }
}
