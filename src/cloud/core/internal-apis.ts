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
