/**
 * The event an SQS event source mapping hands the function (aws-behavior.md
 * §5, Lambda developer guide "Using Lambda with Amazon SQS"): one record per
 * message with messageId, receiptHandle, body, attributes, messageAttributes
 * (lower-camel, with the empty list fields AWS always includes), md5OfBody,
 * eventSource "aws:sqs", eventSourceARN and awsRegion; and how a
 * ReportBatchItemFailures response is read (the developer guide's rules for
 * what counts as complete success and complete failure).
 */
import type { SqsReceivedMessage } from "../../../core/internal-apis.js";

export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, Record<string, unknown>>;
  md5OfBody: string;
  eventSource: "aws:sqs";
  eventSourceARN: string;
  awsRegion: string;
}

const ATTRIBUTE_ORDER = ["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"];

export function sqsRecord(message: SqsReceivedMessage, queueArn: string): SqsRecord {
  const attributes: Record<string, string> = {};
  for (const name of ATTRIBUTE_ORDER) if (message.attributes[name] !== undefined) attributes[name] = message.attributes[name]!;
  for (const [name, value] of Object.entries(message.attributes)) if (!(name in attributes)) attributes[name] = value;
  const messageAttributes: SqsRecord["messageAttributes"] = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    const attr: Record<string, unknown> = {};
    if (value.stringValue !== undefined) attr.stringValue = value.stringValue;
    if (value.binaryValue !== undefined) attr.binaryValue = value.binaryValue;
    attr.stringListValues = [];
    attr.binaryListValues = [];
    attr.dataType = value.dataType;
    messageAttributes[name] = attr;
  }
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes,
    messageAttributes,
    md5OfBody: message.md5OfBody,
    eventSource: "aws:sqs",
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(":")[3]!,
  };
}

/**
 * Which message ids failed, from a ReportBatchItemFailures response.
 * Returns "all" when the response must be treated as a complete failure:
 * invalid JSON, an empty/null itemIdentifier, a bad key, or an id not in the batch.
 * Null, empty, `{}` or an empty list are complete success.
 */
export function failedItems(payload: string, batchIds: Set<string>): Set<string> | "all" {
  const text = payload.trim();
  if (!text || text === "null") return new Set();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "all";
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return typeof parsed === "string" && parsed === "" ? new Set() : "all";
  const list = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (list === undefined || list === null) return new Set();
  if (!Array.isArray(list)) return "all";
  const failed = new Set<string>();
  for (const item of list) {
    const id = item && typeof item === "object" ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== "string" || !id || !batchIds.has(id)) return "all";
    failed.add(id);
  }
  return failed;
}

/** The shape filter patterns see: body parsed when it is JSON (AWS filters on the parsed body). */
export function filterView(record: SqsRecord): Record<string, unknown> {
  let body: unknown = record.body;
  try {
    const parsed = JSON.parse(record.body);
    if (parsed && typeof parsed === "object") body = parsed;
  } catch {
    // plain-text bodies are matched as strings
  }
  return { ...record, body };
}
