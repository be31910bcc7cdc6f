/**
 * How other services reach SQS without importing this folder:
 * - the "sqs" DestinationAdapter (S3 notifications, SNS subscriptions,
 *   EventBridge targets, Lambda destinations/DLQs): `exists`, the queue's
 *   Policy attribute as `resourcePolicy` (senders check it themselves), and
 *   `deliver` = enqueue the body and message attributes as the sending
 *   service's own principal;
 * - `cloud.provide("sqs", SqsInternalApi)` for SQS → Lambda event source
 *   mappings: receive with long polling, delete, change visibility, attributes,
 *   and peek (the console: messages as they are, nothing received).
 */
import type { DestinationAdapter } from "../../core/destinations.js";
import type { SqsInternalApi, SqsReceivedMessage } from "../../core/internal-apis.js";
import { traceHeaderWithLineage } from "../../core/trace.js";
import type { SqsService } from "./service-context.js";
import { queueDoesNotExist } from "./errors.js";
import { checkSize, messageSize, validateBody, validateMessageAttributes } from "./message-validation.js";
import { describeAttributes, numberAttribute } from "./queue-attributes.js";
import { serviceSenderId } from "./send.js";
import { systemAttributesOf } from "./receive.js";

export function sqsDestinationAdapter(svc: SqsService): DestinationAdapter {
  const { engine } = svc;
  return {
    kind: "sqs",
    exists: (arn) => !!engine.queueByArn(arn),
    resourcePolicy: (arn) => engine.queueByArn(arn)?.attributes.Policy || undefined,
    async deliver(arn, message) {
      const queue = engine.queueByArn(arn);
      if (!queue) throw queueDoesNotExist();
      const body = validateBody(message.body);
      const messageAttributes = validateMessageAttributes(message.attributes);
      checkSize(messageSize(body, messageAttributes), numberAttribute(queue, "MaximumMessageSize"));
      engine.enqueue(queue, {
        body,
        messageAttributes,
        senderId: serviceSenderId(message.source.principal),
        traceHeader: message.traceHeader ?? (message.lineage ? traceHeaderWithLineage(message.lineage) : undefined),
      });
    },
  };
}

export function sqsInternalApi(svc: SqsService): SqsInternalApi {
  const { engine } = svc;
  const need = (arn: string) => {
    const queue = engine.queueByArn(arn);
    if (!queue) throw queueDoesNotExist();
    return queue;
  };
  return {
    queueExists: (arn) => !!engine.queueByArn(arn),
    async receive(arn, options) {
      const queue = need(arn);
      const received = await engine.receive(queue, {
        max: Math.min(10, Math.max(1, options.max)),
        waitSeconds: Math.min(20, Math.max(0, options.waitSeconds ?? 0)),
        visibilityTimeout: options.visibilityTimeout,
        signal: options.signal,
      });
      return received.map(({ message, receiptHandle }): SqsReceivedMessage => {
        const messageAttributes: SqsReceivedMessage["messageAttributes"] = {};
        for (const [name, value] of Object.entries(message.messageAttributes)) {
          messageAttributes[name] = { dataType: value.DataType, stringValue: value.StringValue, binaryValue: value.BinaryValue };
        }
        return {
          messageId: message.messageId,
          receiptHandle,
          body: message.body,
          md5OfBody: message.md5OfBody,
          attributes: systemAttributesOf(message, ["All"]),
          messageAttributes,
          md5OfMessageAttributes: message.md5OfMessageAttributes,
        };
      });
    },
    deleteMessage(arn, receiptHandle) {
      engine.deleteMessage(need(arn), receiptHandle);
    },
    changeVisibility(arn, receiptHandle, seconds) {
      engine.changeVisibility(need(arn), receiptHandle, seconds);
    },
    attributes(arn) {
      const queue = engine.queueByArn(arn);
      return queue ? describeAttributes(queue, ["All"], engine.counts(queue)) : undefined;
    },
    peek(arn, max) {
      return engine.peek(need(arn), Math.min(100, Math.max(1, max))).map((m) => ({
        messageId: m.messageId,
        body: m.body,
        sentTimestamp: m.sentTimestamp,
        receiveCount: m.receiveCount,
        state: m.state,
        traceHeader: m.traceHeader,
        messageAttributes: Object.fromEntries(Object.entries(m.messageAttributes).map(([k, v]) => [k, { dataType: v.DataType, stringValue: v.StringValue }])),
      }));
    },
  };
}
