/**
 * Publish and PublishBatch: validate as SNS does (message present and at most
 * 256 KB with its attributes, Subject printable ASCII ≤ 100 characters,
 * MessageStructure "json" with a "default" key, message attributes), answer
 * with the MessageId at once, and fan out in the background (delivery.ts).
 * `publishInternal` is the same path for deliveries routed to a topic by other
 * services (S3 notifications, EventBridge targets, Lambda destinations).
 */
import type { RequestContext } from "../../core/context.js";
import type { Cloud } from "../../core/cloud.js";
import { AwsError } from "../../core/aws-error.js";
import { uuid } from "../../core/ids.js";
import type { DeliveryMessage } from "../../core/destinations.js";
import { members } from "../../protocols/xml.js";
import type { SnsState, TopicRecord } from "./state.js";
import { invalidParameter } from "./errors.js";
import { requireTopic } from "./topics.js";
import { attributesSize, validateAttributes, type SnsAttributes } from "./message-attributes.js";
import type { PublishedMessage } from "./envelopes.js";
import type { SnsDelivery } from "./delivery.js";

const MAX_BYTES = 262_144;

interface PublishFields {
  Message?: unknown;
  Subject?: unknown;
  MessageStructure?: unknown;
  MessageAttributes?: unknown;
}

/** Validate a publish's fields; throws InvalidParameter / InvalidParameterValue. */
export function preparePublish(topic: TopicRecord, fields: PublishFields): PublishedMessage {
  if (fields.Message === undefined) throw new AwsError("ValidationError", "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
  const message = String(fields.Message);
  if (message.length === 0) throw invalidParameter("Empty message");
  let subject: string | undefined;
  if (fields.Subject !== undefined) {
    subject = String(fields.Subject);
    if (subject.length === 0 || subject.length > 100 || !/^[\x20-\x7e]+$/.test(subject) ) throw invalidParameter("Subject");
  }
  let structure: Record<string, string> | undefined;
  if (fields.MessageStructure !== undefined) {
    if (fields.MessageStructure !== "json") throw invalidParameter("MessageStructure");
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalidParameter("Message Structure - JSON message body failed to parse");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidParameter("Message Structure - JSON message body failed to parse");
    if (!("default" in parsed)) throw invalidParameter("Message Structure - No default entry in JSON message body");
    structure = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== "string") throw invalidParameter(`Message Structure - the value for "${k}" must be a string`);
      structure[k] = v;
    }
  }
  const attributes = validateAttributes(fields.MessageAttributes);
  if (Buffer.byteLength(message) + attributesSize(attributes) > MAX_BYTES) throw invalidParameter("Message too long");
  return {
    messageId: uuid(),
    topicArn: topic.arn,
    region: topic.region,
    message,
    structure,
    subject,
    attributes,
    timestamp: new Date().toISOString(),
    signatureVersion: topic.attributes.SignatureVersion ?? "1",
  };
}

export function publishHandlers(cloud: Cloud, state: SnsState, delivery: SnsDelivery) {
  function start(topic: TopicRecord, published: PublishedMessage): void {
    const correlationId = cloud.trace.newCorrelationId();
    cloud.trace.record({ correlationId, kind: "sns.publish", source: topic.arn, status: "info", detail: `message ${published.messageId}` });
    void delivery.fanOut(topic, published, { correlationId });
  }

  return {
    Publish(ctx: RequestContext, input: PublishFields & { TopicArn?: string; TargetArn?: string; PhoneNumber?: string }) {
      if (input.TopicArn === undefined && input.TargetArn === undefined) {
        if (input.PhoneNumber !== undefined) {
          // SMS is never sent; shown so a person can see what would have gone out.
          const messageId = uuid();
          cloud.trace.record({ correlationId: cloud.trace.newCorrelationId(), kind: "sns→sms", target: String(input.PhoneNumber), status: "info", detail: `not sent (the local cloud never sends SMS): ${String(input.Message ?? "").slice(0, 200)}` });
          return { MessageId: messageId };
        }
        throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
      }
      if (input.TopicArn !== undefined && input.TargetArn !== undefined) throw invalidParameter("TopicArn Reason: Only one of TopicArn or TargetArn may be given");
      const arn = input.TopicArn ?? input.TargetArn;
      if (typeof arn === "string" && arn.includes(":endpoint/")) throw invalidParameter("TargetArn Reason: mobile push endpoints are not supported by the local cloud");
      const topic = requireTopic(state, arn, input.TopicArn !== undefined ? "TopicArn" : "TargetArn");
      const published = preparePublish(topic, input);
      start(topic, published);
      void ctx;
      return { MessageId: published.messageId };
    },

    PublishBatch(_ctx: RequestContext, input: { TopicArn?: string; PublishBatchRequestEntries?: unknown }) {
      const topic = requireTopic(state, input.TopicArn);
      const list = (Array.isArray(input.PublishBatchRequestEntries) ? input.PublishBatchRequestEntries : []) as Array<PublishFields & { Id?: string }>;
      if (list.length === 0) throw new AwsError("EmptyBatchRequest", "The batch request doesn't contain any entries.");
      if (list.length > 10) throw new AwsError("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.");
      const ids = new Set<string>();
      let total = 0;
      for (const entry of list) {
        if (typeof entry?.Id !== "string" || !/^[A-Za-z0-9_-]{1,80}$/.test(entry.Id)) {
          throw new AwsError("InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.");
        }
        if (ids.has(entry.Id)) throw new AwsError("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.");
        ids.add(entry.Id);
        total += Buffer.byteLength(String(entry.Message ?? ""));
      }
      if (total > MAX_BYTES) throw new AwsError("BatchRequestTooLong", "The length of all the messages put together is more than the limit.");
      const successful: Array<{ Id: string; MessageId: string }> = [];
      const failed: Array<{ Id: string; Code: string; Message: string; SenderFault: boolean }> = [];
      for (const entry of list) {
        try {
          const published = preparePublish(topic, entry);
          start(topic, published);
          successful.push({ Id: entry.Id!, MessageId: published.messageId });
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          failed.push({ Id: entry.Id!, Code: err.code, Message: err.message, SenderFault: true });
        }
      }
      return { Successful: members(successful), Failed: members(failed) };
    },
  };
}

/** A message routed to a topic by another service (the "sns" destination adapter). */
export async function publishInternal(
  cloud: Cloud,
  delivery: SnsDelivery,
  topic: TopicRecord,
  message: DeliveryMessage,
): Promise<void> {
  const attributes: SnsAttributes = message.attributes ? validateAttributes(message.attributes) : {};
  const published = preparePublish(topic, { Message: message.body, Subject: message.subject, MessageAttributes: attributes });
  cloud.trace.record({ correlationId: message.correlationId, kind: "sns.publish", source: message.source.arn ?? message.source.principal, target: topic.arn, status: "info", detail: `message ${published.messageId}` });
  // Not awaited: the sender's delivery is done once SNS has accepted the message, as on AWS.
  void delivery.fanOut(topic, published, { correlationId: message.correlationId, lineage: message.lineage });
}
