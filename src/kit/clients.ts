/**
 * The one place that builds AWS SDK v3 clients for the chosen target
 * (issue 6, item 1). Every lab, guided step and grader check gets its clients
 * from here, so "local or AWS" is decided once. Local and endpoint targets use
 * path-style S3 addressing (a custom endpoint otherwise gets virtual-hosted
 * names such as bucket.127.0.0.1, which do not resolve). Clients are created
 * on first use and destroyed together.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { RDSClient } from "@aws-sdk/client-rds";
import { RDSDataClient } from "@aws-sdk/client-rds-data";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Target } from "./target.js";

export interface Clients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  lambda: LambdaClient;
  iam: IAMClient;
  sts: STSClient;
  logs: CloudWatchLogsClient;
  dynamodb: DynamoDBClient;
  events: EventBridgeClient;
  rds: RDSClient;
  rdsData: RDSDataClient;
  secretsManager: SecretsManagerClient;
  /** The config every client was built with (for clients a lab makes itself, e.g. lib-dynamodb). */
  config: ClientConfig;
  destroy(): void;
}

export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: Target["credentials"];
  forcePathStyle?: boolean;
  maxAttempts: number;
}

export function clientConfig(target: Target): ClientConfig {
  const custom = target.kind !== "aws";
  return {
    region: target.region,
    endpoint: target.endpoint,
    credentials: target.credentials,
    maxAttempts: 3,
    ...(custom ? { forcePathStyle: true } : {}),
  };
}

export function createClients(target: Target): Clients {
  const config = clientConfig(target);
  const { forcePathStyle, ...common } = config;
  const made: Array<{ destroy(): void }> = [];
  const lazy = <T extends { destroy(): void }>(make: () => T) => {
    let client: T | undefined;
    return () => {
      if (!client) made.push((client = make()));
      return client;
    };
  };
  const s3 = lazy(() => new S3Client({ ...common, forcePathStyle }));
  const sqs = lazy(() => new SQSClient(common));
  const sns = lazy(() => new SNSClient(common));
  const lambda = lazy(() => new LambdaClient(common));
  const iam = lazy(() => new IAMClient(common));
  const sts = lazy(() => new STSClient(common));
  const logs = lazy(() => new CloudWatchLogsClient(common));
  const dynamodb = lazy(() => new DynamoDBClient(common));
  const events = lazy(() => new EventBridgeClient(common));
  const rds = lazy(() => new RDSClient(common));
  const rdsData = lazy(() => new RDSDataClient(common));
  const secretsManager = lazy(() => new SecretsManagerClient(common));
  return {
    get s3() { return s3(); },
    get sqs() { return sqs(); },
    get sns() { return sns(); },
    get lambda() { return lambda(); },
    get iam() { return iam(); },
    get sts() { return sts(); },
    get logs() { return logs(); },
    get dynamodb() { return dynamodb(); },
    get events() { return events(); },
    get rds() { return rds(); },
    get rdsData() { return rdsData(); },
    get secretsManager() { return secretsManager(); },
    config,
    destroy() {
      for (const c of made.splice(0)) c.destroy();
    },
  };
}
