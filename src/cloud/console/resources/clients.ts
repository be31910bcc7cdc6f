/**
 * The console reads resources the way a test would (design.md: "the console
 * is a client"): SDK v3 clients against the cloud's own endpoint, signed with
 * the administrator's credentials. The SDK is resolved from node_modules (it
 * stays outside bin/localcloud.mjs's bundle) and imported only when the
 * console first lists a resource. One set of clients per region, kept.
 */
import type { Cloud } from "../../core/cloud.js";

type Sdk = {
  s3: typeof import("@aws-sdk/client-s3");
  sqs: typeof import("@aws-sdk/client-sqs");
  sns: typeof import("@aws-sdk/client-sns");
  dynamodb: typeof import("@aws-sdk/client-dynamodb");
  lambda: typeof import("@aws-sdk/client-lambda");
  events: typeof import("@aws-sdk/client-eventbridge");
  logs: typeof import("@aws-sdk/client-cloudwatch-logs");
  sfn: typeof import("@aws-sdk/client-sfn");
  cloudwatch: typeof import("@aws-sdk/client-cloudwatch");
};

export interface ConsoleClients {
  cloud: Cloud;
  region: string;
  sdk: Sdk;
  s3: InstanceType<Sdk["s3"]["S3Client"]>;
  sqs: InstanceType<Sdk["sqs"]["SQSClient"]>;
  sns: InstanceType<Sdk["sns"]["SNSClient"]>;
  dynamodb: InstanceType<Sdk["dynamodb"]["DynamoDBClient"]>;
  lambda: InstanceType<Sdk["lambda"]["LambdaClient"]>;
  events: InstanceType<Sdk["events"]["EventBridgeClient"]>;
  logs: InstanceType<Sdk["logs"]["CloudWatchLogsClient"]>;
  sfn: InstanceType<Sdk["sfn"]["SFNClient"]>;
  cloudwatch: InstanceType<Sdk["cloudwatch"]["CloudWatchClient"]>;
}

let sdk: Promise<Sdk> | undefined;
const byRegion = new WeakMap<Cloud, Map<string, ConsoleClients>>();

async function loadSdk(): Promise<Sdk> {
  const [s3, sqs, sns, dynamodb, lambda, events, logs, sfn, cloudwatch] = await Promise.all([
    import("@aws-sdk/client-s3"),
    import("@aws-sdk/client-sqs"),
    import("@aws-sdk/client-sns"),
    import("@aws-sdk/client-dynamodb"),
    import("@aws-sdk/client-lambda"),
    import("@aws-sdk/client-eventbridge"),
    import("@aws-sdk/client-cloudwatch-logs"),
    import("@aws-sdk/client-sfn"),
    import("@aws-sdk/client-cloudwatch"),
  ]);
  return { s3, sqs, sns, dynamodb, lambda, events, logs, sfn, cloudwatch };
}

export async function consoleClients(cloud: Cloud, region: string): Promise<ConsoleClients> {
  const known = byRegion.get(cloud)?.get(region);
  if (known) return known;
  const loaded = await (sdk ??= loadSdk());
  const { accessKeyId, secretAccessKey } = cloud.identity.auth;
  const config = { endpoint: cloud.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 };
  const clients: ConsoleClients = {
    cloud,
    region,
    sdk: loaded,
    s3: new loaded.s3.S3Client({ ...config, forcePathStyle: true }),
    sqs: new loaded.sqs.SQSClient(config),
    sns: new loaded.sns.SNSClient(config),
    dynamodb: new loaded.dynamodb.DynamoDBClient(config),
    lambda: new loaded.lambda.LambdaClient(config),
    events: new loaded.events.EventBridgeClient(config),
    logs: new loaded.logs.CloudWatchLogsClient(config),
    sfn: new loaded.sfn.SFNClient(config),
    cloudwatch: new loaded.cloudwatch.CloudWatchClient(config),
  };
  if (!byRegion.has(cloud)) {
    byRegion.set(cloud, new Map());
    cloud.onClose(() => {
      for (const c of byRegion.get(cloud)?.values() ?? []) for (const client of [c.s3, c.sqs, c.sns, c.dynamodb, c.lambda, c.events, c.logs, c.sfn, c.cloudwatch]) client.destroy();
      byRegion.delete(cloud);
    });
  }
  byRegion.get(cloud)!.set(region, clients);
  return clients;
}
