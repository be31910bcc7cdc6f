/**
 * Lab 05's fan-out end to end, with the reference solution's pieces: a bucket
 * notifies a topic (the solution's topic policy); three subscribers — the
 * catalog function (the solution's handler, bundled, writing DynamoDB), the
 * audit queue with raw delivery (the solution's queue policy) and an email
 * subscription with the solution's body filter, confirmed through the
 * outbox's SubscribeURL. 300 uploads, every other one "large" (the filter's
 * threshold is 1,000 bytes here, so the bench moves little data).
 *
 * Per subscriber type: p50/p95 from the PutObject call (S3 publishes to SNS, and SNS
 * writes the email outbox, before S3's response is back) to
 * - Lambda: the catalog function's "catalogued …" log line (CloudWatch Logs timestamp);
 * - SQS: the message received by a long-polling receiver;
 * - email: the outbox mail's sentAt;
 * and lost / duplicated (log lines, messages, mails per key). Locally the
 * function gets 10 reserved environments (a 2-core machine; AWS would scale out).
 */
import * as path from "node:path";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { AddPermissionCommand, CreateFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { clientConfig, percentile, root, runConcurrent, sleep, type Row } from "../lib.js";
import { QueueReceiver } from "../delivery.js";
import { packageHandler } from "../../src/kit/packaging.js";
import { localTargetAt } from "../../src/kit/target.js";
import { readOutbox } from "../../src/kit/local-admin.js";
import { topicPolicy } from "../../solutions/05-fan-out-with-sns/topic-policy.js";
import { queuePolicy } from "../../solutions/05-fan-out-with-sns/queue-policy.js";
import { largeUploadsFilter } from "../../solutions/05-fan-out-with-sns/filter-policy.js";
import { DEFAULT_ACCOUNT as ACCOUNT } from "../../src/cloud/core/constants.js";

const UPLOADS = 300;
const LARGE = 1_000;
const sizeOf = (i: number) => (i % 2 ? 2 * LARGE : 100);
const keyOf = (i: number) => `uploads/bench ${i}+fan out.txt`;
const decode = (k: string) => decodeURIComponent(k.replace(/\+/g, " "));

function s3Keys(message: string): string[] {
  try {
    return ((JSON.parse(message) as { Records?: Array<{ s3: { object: { key: string } } }> }).Records ?? []).map((r) => decode(r.s3.object.key));
  } catch {
    return [];
  }
}

function figures(type: string, arrivals: Map<string, number[]>, putAt: Map<string, number>, expected: string[]): Row[] {
  const lat: number[] = [];
  for (const k of expected) {
    const first = arrivals.get(k)?.[0];
    if (first !== undefined) lat.push(Math.max(0, first - putAt.get(k)!));
  }
  const lost = expected.filter((k) => !arrivals.has(k)).length;
  const duplicated = expected.reduce((n, k) => n + Math.max(0, (arrivals.get(k)?.length ?? 0) - 1), 0);
  return [
    { figure: `${type} p50`, value: percentile(lat, 50), unit: "ms" },
    { figure: `${type} p95`, value: percentile(lat, 95), unit: "ms" },
    { figure: `${type} lost / duplicated of ${expected.length}`, value: lost, unit: "lost", target: "0 lost, 0 duplicated", met: lost === 0 && duplicated === 0, note: `${duplicated} duplicated` },
  ];
}

export async function fanout5Scenario(endpoint: string): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const sns = new SNSClient(cfg);
  const lambda = new LambdaClient(cfg);
  const iam = new IAMClient(cfg);
  const dynamodb = new DynamoDBClient(cfg);
  const logs = new CloudWatchLogsClient(cfg);
  const target = localTargetAt(endpoint);
  const stamp = Date.now();
  const name = `bench-fan5-${stamp}`;
  const address = `ops+${stamp}@example.com`;
  let receiver: QueueReceiver | undefined;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: JSON.stringify(topicPolicy({ topicArn: TopicArn!, bucketName: name, accountId: ACCOUNT })) }));
    await dynamodb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    const role = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "catalog", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:PutItem", Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${name}` }, { Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }] }) }));
    const pkg = await packageHandler({ entry: path.join(root, "solutions/05-fan-out-with-sns/handler.ts") });
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role.Role!.Arn!, Handler: pkg.handler, Code: { ZipFile: pkg.zip }, Environment: { Variables: { TABLE_NAME: name } } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 10 }));
    await lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: "sns", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: TopicArn }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: fn.FunctionArn }));
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(queuePolicy({ queueArn, topicArn: TopicArn! })) } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArn, Attributes: { RawMessageDelivery: "true" } }));
    const filter = largeUploadsFilter({ minBytes: LARGE });
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: address, Attributes: { FilterPolicyScope: filter.FilterPolicyScope, FilterPolicy: JSON.stringify(filter.FilterPolicy) } }));
    const confirmation = (await readOutbox(target, { address })).messages.find((m) => m.subscribeUrl);
    if (!confirmation) throw new Error("no confirmation mail in the outbox");
    await fetch(confirmation.subscribeUrl!);
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: name, NotificationConfiguration: { TopicConfigurations: [{ TopicArn, Events: ["s3:ObjectCreated:*"] }] } }));

    const sqsArrivals = new Map<string, number[]>();
    receiver = new QueueReceiver(sqs, queueUrl, (body) => s3Keys(body)[0]);
    const putAt = new Map<string, number>();
    const started = Date.now();
    await runConcurrent(UPLOADS, 4, async (i) => {
      // From the PutObject call: SNS fans out to the email outbox before S3's response is back.
      putAt.set(keyOf(i), Date.now());
      await s3.send(new PutObjectCommand({ Bucket: name, Key: keyOf(i), Body: "x".repeat(sizeOf(i)) }));
    });
    const all = Array.from({ length: UPLOADS }, (_, i) => keyOf(i));
    const large = all.filter((_, i) => sizeOf(i) >= LARGE);
    const lambdaArrivals = new Map<string, number[]>();
    const mailArrivals = new Map<string, number[]>();
    const collect = async () => {
      lambdaArrivals.clear();
      let nextToken: string | undefined;
      do {
        const out = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, startTime: started - 1000, filterPattern: '"catalogued"', nextToken }));
        for (const e of out.events ?? []) {
          const m = /catalogued [^/]+\/(.*) \(\d+ bytes\)/.exec(e.message ?? "");
          if (m) lambdaArrivals.set(m[1]!, [...(lambdaArrivals.get(m[1]!) ?? []), e.timestamp!]);
        }
        nextToken = out.nextToken;
      } while (nextToken);
      mailArrivals.clear();
      for (const mail of (await readOutbox(target, { address })).messages.filter((m) => m.type === "Notification")) {
        const text = mail.body.slice(0, mail.body.indexOf("\n\n--\n"));
        for (const k of s3Keys(text)) mailArrivals.set(k, [...(mailArrivals.get(k) ?? []), Date.parse(mail.sentAt)]);
      }
      sqsArrivals.clear();
      for (const [k, times] of receiver!.arrivals) sqsArrivals.set(k, times.map((t) => performance.timeOrigin + t));
    };
    const deadline = Date.now() + 120_000;
    for (;;) {
      await collect();
      if ((lambdaArrivals.size >= UPLOADS && sqsArrivals.size >= UPLOADS && mailArrivals.size >= large.length) || Date.now() > deadline) break;
      await sleep(250);
    }
    await sleep(500); // duplicates, if any
    await collect();
    return [...figures("Lambda (catalog log line)", lambdaArrivals, putAt, all), ...figures("SQS raw (received)", sqsArrivals, putAt, all), ...figures("email ≥ 1000 B (outbox sentAt)", mailArrivals, putAt, large)];
  } finally {
    await receiver?.stop();
    for (const c of [s3, sqs, sns, lambda, iam, dynamodb, logs]) c.destroy();
  }
}
