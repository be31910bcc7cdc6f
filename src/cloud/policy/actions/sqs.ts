/**
 * SQS operations → IAM actions on queue ARNs (arn:aws:sqs:<region>:<acct>:<name>).
 * The queue comes from QueueUrl (http://<host>/<account>/<name>, or the
 * sqs.<region>.amazonaws.com form) or, for CreateQueue/GetQueueUrl, QueueName.
 * Batch operations are authorised as their single form (SendMessageBatch →
 * sqs:SendMessage), as AWS documents.
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const RENAMED: Record<string, string> = {
  SendMessageBatch: "SendMessage",
  DeleteMessageBatch: "DeleteMessage",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibility",
};

const KNOWN = new Set([
  "CreateQueue", "DeleteQueue", "GetQueueUrl", "GetQueueAttributes", "SetQueueAttributes", "ListQueues", "PurgeQueue",
  "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "ListQueueTags", "TagQueue", "UntagQueue",
  "AddPermission", "RemovePermission", "ListDeadLetterSourceQueues", "StartMessageMoveTask", "ListMessageMoveTasks", "CancelMessageMoveTask",
  ...Object.keys(RENAMED),
]);

export function queueArnFromUrl(url: string, where: Where): string | undefined {
  const m = /^[a-z]+:\/\/[^/]+\/(\d{12})\/([^/?#]+)/i.exec(url);
  if (!m) return undefined;
  const region = /sqs\.([a-z0-9-]+)\.amazonaws/.exec(url)?.[1] ?? where.region;
  return `arn:aws:sqs:${region}:${m[1]}:${m[2]}`;
}

export function sqsActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `sqs:${RENAMED[operation] ?? operation}`;
  const url = str(input, "QueueUrl");
  const name = str(input, "QueueName");
  const arn =
    (url && queueArnFromUrl(url, where)) ??
    (name ? `arn:aws:sqs:${where.region}:${str(input, "QueueOwnerAWSAccountId") ?? where.account}:${name}` : undefined) ??
    str(input, "SourceArn") ??
    `arn:aws:sqs:${where.region}:${where.account}:*`;
  return { checks: [{ action, resource: arn }], guessed: !KNOWN.has(operation) };
}
