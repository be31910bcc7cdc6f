/**
 * S3 → SQS: a bucket notifies a queue (with the queue policy S3 needs); we
 * measure PutObject response → message received by a long-polling consumer,
 * and count lost and duplicated messages over 300 objects.
 */
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { clientConfig, type Row } from "../lib.js";
import { measureDelivery, QueueReceiver } from "../delivery.js";

export function s3KeyOf(body: string): string | undefined {
  try {
    const record = JSON.parse(body)?.Records?.[0];
    return record ? decodeURIComponent(String(record.s3.object.key).replace(/\+/g, " ")) : undefined;
  } catch {
    return undefined;
  }
}

export async function queueWithS3Policy(sqs: SQSClient, name: string, bucket: string, service = "s3.amazonaws.com", sourceArn = `arn:aws:s3:::${bucket}`) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const queueArn = Attributes!.QueueArn!;
  const { SetQueueAttributesCommand } = await import("@aws-sdk/client-sqs");
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnLike: { "aws:SourceArn": sourceArn } } }],
        }),
      },
    }),
  );
  return { queueUrl: QueueUrl!, queueArn };
}

export async function s3SqsScenario(endpoint: string, baselineRoundTrip: number): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const bucket = `bench-events-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { queueUrl, queueArn } = await queueWithS3Policy(sqs, `bench-events-${Date.now()}`, bucket);
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:ObjectCreated:*"] }] },
    }),
  );
  const receiver = new QueueReceiver(sqs, queueUrl, s3KeyOf);
  const figures = await measureDelivery(receiver, async (key) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
  }, "bench/");
  await receiver.stop();
  s3.destroy();
  sqs.destroy();
  return [
    { figure: "S3 → SQS delivery p50", value: figures.p50, unit: "ms", baseline: baselineRoundTrip, target: "≤ 5 ms", met: figures.p50 <= 5 },
    { figure: "S3 → SQS delivery p95", value: figures.p95, unit: "ms", baseline: baselineRoundTrip, target: "≤ 20 ms", met: figures.p95 <= 20 },
    {
      figure: `S3 → SQS lost / duplicated of ${figures.sent}`,
      value: figures.lost,
      unit: "lost",
      target: "0 lost, 0 duplicated",
      met: figures.lost === 0 && figures.duplicated === 0,
      note: `${figures.duplicated} duplicated`,
    },
  ];
}
