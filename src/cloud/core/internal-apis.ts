/**
 * The internal APIs services offer each other through `cloud.provide(name,
 * api)` / `cloud.use<Api>(name)`. They are the only cross-service calls
 * besides `cloud.destinations` (routed events): a service folder never
 * imports another service folder. Keep these small; add a method when a
 * second service really needs it.
 */
import type { DeliveryMessage } from "./destinations.js";

/** provide("iam", …) — roles and their policies, for Lambda, STS and the policy engine. */
export interface IamInternalApi {
  /** By role name or role ARN. */
  getRole(account: string, roleNameOrArn: string): IamRoleInfo | undefined;
  /** Every identity policy of a role: inline documents and attached managed ones (JSON strings). */
  rolePolicies(account: string, roleName: string): Array<{ name: string; arn?: string; document: string }>;
}

export interface IamRoleInfo {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  /** JSON string, not URL-encoded. */
  assumeRolePolicyDocument: string;
  /** Longest session AssumeRole may grant, in seconds (3600–43200). */
  maxSessionDuration?: number;
  /**
   * The managed policy capping the role's permissions, with its default version's
   * document (JSON text); `document` is missing when that policy no longer exists,
   * and the boundary then allows nothing.
   */
  permissionsBoundary?: { arn: string; document?: string };
}

/** provide("sqs", …) — for SQS → Lambda event source mappings and anyone who must read a queue. */
export interface SqsInternalApi {
  queueExists(queueArn: string): boolean;
  /** Receive up to `max` messages (≤ 10), waiting up to `waitSeconds` for the first one; an aborted `signal` ends the wait with none. */
  receive(queueArn: string, options: { max: number; waitSeconds?: number; visibilityTimeout?: number; signal?: AbortSignal }): Promise<SqsReceivedMessage[]>;
  deleteMessage(queueArn: string, receiptHandle: string): void;
  changeVisibility(queueArn: string, receiptHandle: string, seconds: number): void;
  /** The queue's attributes as GetQueueAttributes would return them (VisibilityTimeout, RedrivePolicy…). */
  attributes(queueArn: string): Record<string, string> | undefined;
  /** Optional (the console): up to `max` messages as they are, oldest first, without receiving them. */
  peek?(queueArn: string, max: number): SqsPeekedMessage[];
}

export interface SqsPeekedMessage {
  messageId: string;
  body: string;
  sentTimestamp: number;
  receiveCount: number;
  state: "visible" | "in flight" | "delayed";
  messageAttributes: Record<string, { dataType: string; stringValue?: string }>;
  traceHeader?: string;
}

export interface SqsReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { dataType: string; stringValue?: string; binaryValue?: string }>;
  md5OfMessageAttributes?: string;
}

/** provide("lambda", …) — for event source mappings and direct invokes by other services. */
export interface LambdaInternalApi {
  functionExists(functionArn: string): boolean;
  /**
   * Optional: the function's execution role ARN and timeout (seconds), for
   * checks other services make as AWS does (an event source mapping needs a
   * role allowed to read the queue, and a queue visibility timeout ≥ the
   * function timeout). Callers skip those checks when it is absent.
   */
  functionSettings?(functionArn: string): { role: string; timeout: number } | undefined;
  /** Optional: the unqualified function ARN of an event source mapping (IAM's lambda:FunctionArn for Update/DeleteEventSourceMapping). */
  mappingFunctionArn?(account: string, region: string, uuid: string): string | undefined;
  /** Synchronous invoke (RequestResponse) as an AWS service would do it. */
  invokeSync(functionArn: string, payload: string, meta: {
    correlationId: string;
    source: DeliveryMessage["source"];
    /**
     * Loop-detection lineage of the triggering message, if any (optional). An event
     * already 16 invocations deep is refused with AwsError RecursiveInvocationException
     * when the function's RecursiveLoop is Terminate.
     */
    lineage?: DeliveryMessage["lineage"];
  }): Promise<{
    payload: string;
    functionError?: string;
  }>;
}

/** provide("logs", …) — CloudWatch Logs ingestion, for Lambda's function logs. */
export interface LogsInternalApi {
  /** Append events to a stream, creating the log group and stream when missing (as Lambda does on first write). */
  append(account: string, region: string, logGroupName: string, logStreamName: string, events: Array<{ timestamp: number; message: string }>): void;
}

/** provide("sns-outbox", …) — the local email outbox of email/email-json subscriptions (sns/outbox.ts), for the admin API and the console. */
export interface SnsOutboxInternalApi {
  /** Oldest first; `address` is compared case-insensitively, `since` is an ISO time. */
  list(filter?: { address?: string; topicArn?: string; since?: string }): SnsOutboxMessage[];
  addresses(): Array<{ address: string; messages: number; lastSentAt: string }>;
}

export interface SnsOutboxMessage {
  /** Sortable: the time sent, then a counter. */
  id: string;
  sentAt: string;
  address: string;
  protocol: "email" | "email-json";
  /** SubscriptionConfirmation or Notification. */
  type: string;
  topicArn: string;
  subscriptionArn: string;
  /** The SNS MessageId (a confirmation has one too). */
  messageId: string;
  from: string;
  subject: string;
  /** email: the text; email-json: the JSON document AWS mails. */
  body: string;
  /** Confirmations only: the link that confirms, and its token. */
  subscribeUrl?: string;
  token?: string;
}

/** provide("secretsmanager", …) — for RDS's managed master secrets, the Data API and the policy engine. */
export interface SecretsManagerInternalApi {
  /** Create a secret owned by another service (RDS's `rds!cluster-<uuid>` master secret); returns its ARN. */
  createServiceSecret(account: string, region: string, secret: { name: string; description: string; secretString: string; owningService: string; tags: Array<{ Key: string; Value: string }> }): string;
  /** Delete a secret at once (RDS deletes its managed secret with the cluster). */
  deleteServiceSecret(secretArn: string): void;
  /** The current SecretString of a secret, by name or ARN (as the Data API reads it as the caller); undefined when missing or scheduled for deletion. */
  currentSecretString(account: string, region: string, secretId: string): string | undefined;
  /** The full ARN of a secret given by name or (partial) ARN, for the IAM resource of a request. */
  resolveArn?(account: string, region: string, secretId: string): string | undefined;
}

/** provide("rds", …) — the Data API's view of a DB cluster. */
export interface RdsInternalApi {
  cluster(clusterArn: string): RdsClusterInfo | undefined;
}

export interface RdsClusterInfo {
  arn: string;
  identifier: string;
  account: string;
  region: string;
  status: string;
  httpEndpointEnabled: boolean;
  masterUsername: string;
  /** The password the database accepts for the master user (the managed secret's, or MasterUserPassword). */
  masterPassword: string;
  databaseName?: string;
  /** Serverless v2 MinCapacity (0 = auto-pause enabled). */
  minCapacity?: number;
  /** AWS seconds (300–86,400), only meaningful when minCapacity is 0. */
  secondsUntilAutoPause?: number;
  /** Whether the cluster has an available writer instance (no instance: DatabaseNotFoundException). */
  hasWriter: boolean;
  /** The writer instance's identifier, when there is one (AWS names it in DatabaseResumingException). */
  writerIdentifier?: string;
}

/** provide("rds-data", …) — RDS tells the Data API's engines about clusters being created and deleted. */
export interface RdsDataInternalApi {
  /** Lay down the cluster's database files (from the cached template); resolves when the database is usable. */
  prepareCluster(clusterArn: string): Promise<void>;
  /** Stop the cluster's engine and delete its database files. */
  dropCluster(clusterArn: string): Promise<void>;
}

/**
 * provide("tags:<service>", …) — every service whose resources carry tags
 * lists them for the Resource Groups Tagging API (services/tagging), which
 * reads them all through `cloud.useAll("tags:")`. Read-only, from the state
 * the service already keeps; IAM provides none (GetResources does not cover
 * IAM users and roles on AWS).
 */
export interface TaggedResourcesApi {
  /** The resources of one account and region with their current tags (an empty map: none). */
  taggedResources(account: string, region: string): TaggedResource[] | Promise<TaggedResource[]>;
}

export interface TaggedResource {
  arn: string;
  /** "<service>:<type>" as ResourceTypeFilters name it: "s3:bucket", "lambda:function", "states:stateMachine"… */
  resourceType: string;
  tags: Record<string, string>;
}
