// One fixture for the "what AWS sends today" tests: a bucket's events reach
// one of three destinations — an SQS queue (direct), an SNS topic with a raw
// SQS subscription, or a Lambda function that prints each event to its log —
// and always EventBridge's default bus, with a rule whose target is an SQS queue. Every
// sink hands back parsed records (or EventBridge events) so a test can ask
// "did S3 → X deliver this, and what did it look like" for each X alike.
import { PutBucketNotificationConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from "@aws-sdk/client-sns";
import { PutRuleCommand, PutTargetsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { AddPermissionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient } from "@aws-sdk/client-iam";
import { eventually, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";

const ACCOUNT = "000000000000";
const arnOf = (service: string, name: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${service === "lambda" ? "function:" : ""}${name}`;

const openQueuePolicy = (name: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: ["s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com"] },
        Action: "sqs:SendMessage",
        Resource: arnOf("sqs", name),
      },
    ],
  });

export type Via = "sqs" | "sns" | "lambda";
export const VIAS: Via[] = ["sqs", "sns", "lambda"];

export interface SqsMessage {
  body: any;
  attributes: Record<string, string>;
}

export interface EventSinks {
  /** Configure a bucket to send `events` to one destination (queue, topic or function) and to EventBridge. */
  configure(bucket: string, via: Via, events: string[]): Promise<void>;
  /** Records for a bucket (and key) from each destination, waiting until `count` arrived. */
  records(via: Via, bucket: string, eventName: string, count?: number): Promise<any[]>;
  /** Raw SQS messages (body + system attributes) of the direct queue. */
  sqsMessages(): SqsMessage[];
  /** EventBridge events (through the rule's SQS target) for a bucket and detail-type. */
  eventBridge(bucket: string, detailType: string, count?: number): Promise<any[]>;
}

export async function createEventSinks(cloud: TestCloud, clients: { s3: S3Client; sqs: SQSClient; sns: SNSClient; eb: EventBridgeClient; lambda: LambdaClient }, prefix: string): Promise<EventSinks> {
  const { s3, sqs, sns, eb, lambda } = clients;
  const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { Policy: openQueuePolicy(name) } }))).QueueUrl!;
  const direct = await queue(`${prefix}-direct`);
  const viaSns = await queue(`${prefix}-via-sns`);
  const viaEb = await queue(`${prefix}-via-eb`);

  const topicArn = arnOf("sns", `${prefix}-topic`);
  const topicPolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn }] });
  await sns.send(new CreateTopicCommand({ Name: `${prefix}-topic`, Attributes: { Policy: topicPolicy } }));
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: arnOf("sqs", `${prefix}-via-sns`), Attributes: { RawMessageDelivery: "true" } }));

  await eb.send(new PutRuleCommand({ Name: `${prefix}-rule`, EventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: [{ prefix }] } } }) }));
  await eb.send(new PutTargetsCommand({ Rule: `${prefix}-rule`, Targets: [{ Id: "q", Arn: arnOf("sqs", `${prefix}-via-eb`) }] }));

  const fn = `${prefix}-printer`;
  await createExecutionRole(new IAMClient(cloud.clientConfig), `${prefix}-role`).catch(() => undefined);
  await createFunction(lambda, fn, "export const handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };", {
    Role: `arn:aws:iam::${ACCOUNT}:role/${prefix}-role`,
  });
  await lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }));
  const logs = new CloudWatchLogsClient(cloud.clientConfig);

  const store: Record<string, SqsMessage[]> = { [direct]: [], [viaSns]: [], [viaEb]: [] };
  async function pump(url: string): Promise<SqsMessage[]> {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"] }));
    for (const m of out.Messages ?? []) store[url]!.push({ body: JSON.parse(m.Body!), attributes: (m.Attributes ?? {}) as Record<string, string> });
    if (out.Messages?.length) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    return store[url]!;
  }
  const recordsIn = (bodies: any[], bucket: string, eventName: string) =>
    bodies.flatMap((b) => b.Records ?? []).filter((r: any) => r.s3.bucket.name === bucket && r.eventName === eventName);

  async function lambdaRecords(): Promise<any[]> {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}` })).catch(() => ({ events: [] as Array<{ message?: string }> }));
    return (out.events ?? []).map((e) => e.message ?? "").filter((m) => m.includes("EVENT ")).map((m) => JSON.parse(m.slice(m.indexOf("EVENT ") + 6)));
  }

  return {
    async configure(bucket, via, events) {
      // One destination per bucket: S3 refuses overlapping configurations (fan-out is SNS's or EventBridge's job).
      const configuration =
        via === "sqs"
          ? { QueueConfigurations: [{ Id: "queue", QueueArn: arnOf("sqs", `${prefix}-direct`), Events: events as never }] }
          : via === "sns"
            ? { TopicConfigurations: [{ Id: "topic", TopicArn: topicArn, Events: events as never }] }
            : { LambdaFunctionConfigurations: [{ Id: "function", LambdaFunctionArn: arnOf("lambda", fn), Events: events as never }] };
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { ...configuration, EventBridgeConfiguration: {} } }));
    },
    async records(via, bucket, eventName, count = 1) {
      const timeout = via === "lambda" ? 30_000 : 10_000;
      return eventually(
        async () => {
          const bodies = via === "sqs" ? (await pump(direct)).map((m) => m.body) : via === "sns" ? (await pump(viaSns)).map((m) => m.body) : await lambdaRecords();
          const found = recordsIn(bodies, bucket, eventName);
          return found.length >= count ? found : undefined;
        },
        timeout,
        100,
      ).catch(() => {
        throw new Error(`never received ${count} ${eventName} record(s) for ${bucket} via ${via}`);
      });
    },
    sqsMessages: () => store[direct]!,
    async eventBridge(bucket, detailType, count = 1) {
      return eventually(async () => {
        const found = (await pump(viaEb)).map((m) => m.body).filter((e) => e.detail?.bucket?.name === bucket && e["detail-type"] === detailType);
        return found.length >= count ? found : undefined;
      }).catch(() => {
        throw new Error(`never received ${count} "${detailType}" event(s) for ${bucket} via EventBridge`);
      });
    },
  };
}
