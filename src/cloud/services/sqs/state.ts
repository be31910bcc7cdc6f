/**
 * SQS records as they are persisted: one row per queue in "sqs.queues" and one
 * row per message in "sqs.messages" (a receive rewrites its message's row, so
 * in-flight state and receive counts survive a restart too). Keys start with
 * the queue key `<account>/<region>/<name>`, so a queue's messages are one
 * prefix scan away.
 */
export interface QueueRecord {
  account: string;
  region: string;
  name: string;
  arn: string;
  /** Settable attributes, as strings exactly as SetQueueAttributes stored them. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Seconds since the epoch, as AWS reports CreatedTimestamp. */
  createdTimestamp: number;
  lastModifiedTimestamp: number;
  /** ms epoch of the last PurgeQueue (one purge per 60 s). */
  lastPurgeAt?: number;
}

export interface StoredMessageAttribute {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}

export interface MessageRecord {
  queueKey: string;
  messageId: string;
  /** Monotonic per cloud, keeps FIFO-ish order among visible messages. */
  seq: number;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, StoredMessageAttribute>;
  md5OfMessageAttributes?: string;
  /** ms epoch when first enqueued (kept through a DLQ move: retention counts from it, as on AWS). */
  sentTimestamp: number;
  senderId: string;
  /** AWSTraceHeader system attribute (carries Lambda loop-detection lineage). */
  traceHeader?: string;
  /** ms epoch from which the message may be received (delay, then visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Nonce of the latest receive; a receipt handle is valid only with it. */
  receiptNonce?: string;
  /** True once received and not yet visible again (distinguishes delayed from in flight). */
  inFlight?: boolean;
  /** In a dead-letter queue: the ARN of the queue it was moved from (DeadLetterQueueSourceArn). */
  deadLetterSourceArn?: string;
}

export function queueKeyOf(account: string, region: string, name: string): string {
  return `${account}/${region}/${name}`;
}

export function messageKeyOf(queueKey: string, messageId: string): string {
  return `${queueKey}/${messageId}`;
}
