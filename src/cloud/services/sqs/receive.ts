/**
 * ReceiveMessage (with long polling), DeleteMessage(+Batch) and
 * ChangeMessageVisibility(+Batch). A long poll returns as soon as one message
 * is available (it does not wait to fill MaxNumberOfMessages), or empty after
 * WaitTimeSeconds (the request's, else the queue's
 * ReceiveMessageWaitTimeSeconds). System attributes and message attributes are
 * only returned when asked for, by name, "All", or (message attributes) a
 * `prefix.*` pattern; MD5OfMessageAttributes covers the attributes returned.
 */
import type { RequestContext } from "../../core/context.js";
import type { SqsService } from "./service-context.js";
import { requireQueue, stringList } from "./service-context.js";
import type { MessageRecord, StoredMessageAttribute } from "./state.js";
import { intParam } from "./message-validation.js";
import { md5OfMessageAttributes } from "./message-md5.js";
import { GETTABLE, numberAttribute } from "./queue-attributes.js";
import { checkBatch, failureOf, type BatchFailure } from "./send.js";
import { invalidAttributeName, messageNotInFlight, missingParameter } from "./errors.js";
import type { Received } from "./queue-engine.js";

type Input = Record<string, unknown>;

const SYSTEM_ATTRIBUTES = [
  "SenderId",
  "SentTimestamp",
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "AWSTraceHeader",
  "DeadLetterQueueSourceArn",
] as const;
/** Accepted in requests though a standard queue never has them (FIFO / DLQ-move attributes). */
const OTHER_SYSTEM = new Set(["SqsManagedSseEnabled", "SequenceNumber", "MessageDeduplicationId", "MessageGroupId"]);

export function systemAttributesOf(message: MessageRecord, names: string[]): Record<string, string> {
  const all = names.includes("All");
  const values: Record<string, string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentTimestamp),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceiveTimestamp !== undefined ? String(message.firstReceiveTimestamp) : undefined,
    AWSTraceHeader: message.traceHeader,
    // Only on messages a redrive policy moved into this (dead-letter) queue.
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const out: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = values[name];
    if (value !== undefined && (all || names.includes(name))) out[name] = value;
  }
  return out;
}

/** Message attributes selected by names, "All"/".*" or "prefix.*". */
export function selectMessageAttributes(attributes: Record<string, StoredMessageAttribute>, names: string[]): Record<string, StoredMessageAttribute> {
  const out: Record<string, StoredMessageAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = names.some((n) => n === "All" || n === ".*" || n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -1))));
    if (wanted) out[name] = value;
  }
  return out;
}

function toWireMessage(received: Received, systemNames: string[], attributeNames: string[]) {
  const { message } = received;
  const out: Record<string, unknown> = {
    MessageId: message.messageId,
    ReceiptHandle: received.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
  };
  const attributes = systemAttributesOf(message, systemNames);
  if (Object.keys(attributes).length) out.Attributes = attributes;
  const messageAttributes = selectMessageAttributes(message.messageAttributes, attributeNames);
  if (Object.keys(messageAttributes).length) {
    out.MD5OfMessageAttributes = md5OfMessageAttributes(messageAttributes);
    out.MessageAttributes = messageAttributes;
  }
  return out;
}

export function receiveHandlers(svc: SqsService) {
  const { engine } = svc;
  return {
    async ReceiveMessage(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const max = intParam("MaxNumberOfMessages", input.MaxNumberOfMessages, 1, 10, "Must be between 1 and 10, if provided.") ?? 1;
      const waitSeconds = intParam("WaitTimeSeconds", input.WaitTimeSeconds, 0, 20, "Must be >= 0 and <= 20, if provided.") ?? numberAttribute(queue, "ReceiveMessageWaitTimeSeconds");
      const visibilityTimeout = intParam("VisibilityTimeout", input.VisibilityTimeout, 0, 43200, "Must be >= 0 and <= 43200, if provided.");
      const systemNames = [...stringList(input.AttributeNames), ...stringList(input.MessageSystemAttributeNames)];
      for (const name of systemNames) {
        if (!GETTABLE.has(name) && !(SYSTEM_ATTRIBUTES as readonly string[]).includes(name) && !OTHER_SYSTEM.has(name)) throw invalidAttributeName(name);
      }
      const attributeNames = stringList(input.MessageAttributeNames);
      const received = await engine.receive(queue, { max, visibilityTimeout, waitSeconds });
      // Query clients read an empty <ReceiveMessageResult/>; JSON clients an absent Messages list.
      return received.length ? { Messages: received.map((r) => toWireMessage(r, systemNames, attributeNames)) } : {};
    },

    DeleteMessage(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      if (typeof input.ReceiptHandle !== "string" || !input.ReceiptHandle) throw missingParameter("ReceiptHandle");
      engine.deleteMessage(queue, input.ReceiptHandle);
      return {};
    },

    DeleteMessageBatch(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const entries = checkBatch(input.Entries, "DeleteMessageBatchRequestEntry");
      const Successful: Array<{ Id: string }> = [];
      const Failed: BatchFailure[] = [];
      for (const entry of entries) {
        const id = entry.Id as string;
        try {
          if (typeof entry.ReceiptHandle !== "string" || !entry.ReceiptHandle) throw missingParameter("ReceiptHandle");
          engine.deleteMessage(queue, entry.ReceiptHandle);
          Successful.push({ Id: id });
        } catch (err) {
          Failed.push(failureOf(id, err));
        }
      }
      return { Successful, Failed };
    },

    ChangeMessageVisibility(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      changeOne(svc, queue, input);
      return {};
    },

    ChangeMessageVisibilityBatch(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const entries = checkBatch(input.Entries, "ChangeMessageVisibilityBatchRequestEntry");
      const Successful: Array<{ Id: string }> = [];
      const Failed: BatchFailure[] = [];
      for (const entry of entries) {
        const id = entry.Id as string;
        try {
          changeOne(svc, queue, entry);
          Successful.push({ Id: id });
        } catch (err) {
          Failed.push(failureOf(id, err));
        }
      }
      return { Successful, Failed };
    },
  };
}

function changeOne(svc: SqsService, queue: Parameters<SqsService["engine"]["changeVisibility"]>[0], input: Input): void {
  if (typeof input.ReceiptHandle !== "string" || !input.ReceiptHandle) throw missingParameter("ReceiptHandle");
  if (input.VisibilityTimeout === undefined) throw missingParameter("VisibilityTimeout");
  const seconds = intParam("VisibilityTimeout", input.VisibilityTimeout, 0, 43200, "Must be >= 0 and <= 43200, if provided.")!;
  if (!svc.engine.changeVisibility(queue, input.ReceiptHandle, seconds)) throw messageNotInFlight(input.ReceiptHandle);
}
