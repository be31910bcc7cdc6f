// SQS messages through the real @aws-sdk/client-sqs: checksums the SDK
// verifies, message attributes and their validation, batches with per-entry
// failures, receive attributes, visibility timeouts, long polling that returns
// on arrival, dead-letter redrive, and persistence across a restart.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { cloudForFile, type TestCloud, errorOf } from "../helpers/cloud.js";

let cloud: TestCloud;
let sqs: SQSClient;
cloudForFile(SQSClient, (c, client) => {
  [cloud, sqs] = [c, client];
});


async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

async function counts(QueueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }),
  );
  return { visible: Number(Attributes!.ApproximateNumberOfMessages), inFlight: Number(Attributes!.ApproximateNumberOfMessagesNotVisible), delayed: Number(Attributes!.ApproximateNumberOfMessagesDelayed) };
}

describe("SendMessage", () => {
  it("returns the body and attribute checksums AWS computes (the SDK verifies the body's)", async () => {
    const QueueUrl = await queue("send-md5");
    const out = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: "hello ü 🚀", MessageAttributes: { timestamp: { DataType: "Number", StringValue: "1493147359900" } } }),
    );
    expect(out.MD5OfMessageBody).toBe(createHash("md5").update("hello ü 🚀").digest("hex"));
    // The digest AWS returns for this attribute (the vector moto's test suite pins).
    expect(out.MD5OfMessageAttributes).toBe("235c5c510d26fb653d073faed50ae77c");
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const binary = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: "b", MessageAttributes: { blob: { DataType: "Binary", BinaryValue: Buffer.from([0, 1, 2, 255]) }, s: { DataType: "String.custom", StringValue: "v" } } }),
    );
    // Independent computation of the documented encoding: sorted names, length-prefixed, transport byte 1/2.
    const lp = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, (b.length >> 8) & 255, b.length & 255]), b]);
    const expected = createHash("md5")
      .update(Buffer.concat([lp(Buffer.from("blob")), lp(Buffer.from("Binary")), Buffer.from([2]), lp(Buffer.from([0, 1, 2, 255])), lp(Buffer.from("s")), lp(Buffer.from("String.custom")), Buffer.from([1]), lp(Buffer.from("v"))]))
      .digest("hex");
    expect(binary.MD5OfMessageAttributes).toBe(expected);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"] }));
    const got = Messages!.find((m) => m.Body === "b")!;
    expect(got.MD5OfMessageAttributes).toBe(expected);
    expect(Buffer.from(got.MessageAttributes!.blob!.BinaryValue!)).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(got.MessageAttributes!.s).toEqual({ DataType: "String.custom", StringValue: "v" });
  });

  it("refuses invalid characters, oversize messages and bad attributes", async () => {
    const QueueUrl = await queue("send-bad", { MaximumMessageSize: "1024" });
    const chars = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "bad \u0001 char" })));
    expect(chars.name).toBe("InvalidMessageContents");
    expect(chars.message).toContain("Invalid binary character '#x1' was found in the message body");
    const big = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1025) })));
    expect(big.Code).toBe("InvalidParameterValue");
    expect(big.message).toBe("One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
    // Attribute names, types and values count toward the limit.
    const withAttr = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(1000), MessageAttributes: { n: { DataType: "String", StringValue: "y".repeat(30) } } })));
    expect(withAttr.Code).toBe("InvalidParameterValue");
    const type = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "Text", StringValue: "v" } } })));
    expect(type.message).toContain("Binary, Number, String");
    const empty = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "String", StringValue: "" } } })));
    expect(empty.Code).toBe("InvalidParameterValue");
    const nan = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { a: { DataType: "Number", StringValue: "ten" } } })));
    expect(nan.Code).toBe("InvalidParameterValue");
    const reserved = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: { "AWS.x": { DataType: "String", StringValue: "v" } } })));
    expect(reserved.Code).toBe("InvalidParameterValue");
    const eleven: Record<string, { DataType: string; StringValue: string }> = {};
    for (let i = 0; i < 11; i++) eleven[`a${i}`] = { DataType: "String", StringValue: "v" };
    const many = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", MessageAttributes: eleven })));
    expect(many.message).toBe("Number of message attributes [11] exceeds the allowed maximum [10].");
    const delay = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x", DelaySeconds: 901 })));
    expect(delay.Code).toBe("InvalidParameterValue");
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("accepts 256 KiB on a default queue and refuses one byte more", async () => {
    const QueueUrl = await queue("send-256k");
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "z".repeat(262144) }));
    const err = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "z".repeat(262145) })));
    expect(err.message).toBe("One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.");
  });
});

describe("SendMessageBatch", () => {
  it("sends valid entries and reports invalid ones per entry", async () => {
    const QueueUrl = await queue("batch");
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "ok-1", MessageBody: "one" },
          { Id: "bad", MessageBody: "nul \u0000" },
          { Id: "ok_2", MessageBody: "two", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } },
        ],
      }),
    );
    expect(out.Successful?.map((s) => s.Id)).toEqual(["ok-1", "ok_2"]);
    expect(out.Successful?.[1]?.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(out.Failed).toEqual([{ Id: "bad", SenderFault: true, Code: "InvalidMessageContents", Message: expect.stringContaining("#x0") }]);
    expect((await counts(QueueUrl)).visible).toBe(2);
  });

  it("refuses empty, oversized, repeated-id and bad-id batches as a whole", async () => {
    const QueueUrl = await queue("batch-bad");
    const empty = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })));
    expect(empty.name).toBe("EmptyBatchRequest");
    expect(empty.Code).toBe("AWS.SimpleQueueService.EmptyBatchRequest");
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" }));
    const many = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: eleven })));
    expect(many.name).toBe("TooManyEntriesInBatchRequest");
    expect(many.message).toBe("Maximum number of entries per request are 10. You have sent 11.");
    const dup = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "1" }, { Id: "a", MessageBody: "2" }] })));
    expect(dup.name).toBe("BatchEntryIdsNotDistinct");
    expect(dup.message).toBe("Id a repeated.");
    const badId = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a b", MessageBody: "1" }] })));
    expect(badId.name).toBe("InvalidBatchEntryId");
    const long = await errorOf(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "x".repeat(200_000) }, { Id: "b", MessageBody: "x".repeat(100_000) }] })));
    expect(long.name).toBe("BatchRequestTooLong");
    expect((await counts(QueueUrl)).visible).toBe(0);
  });
});

describe("ReceiveMessage", () => {
  it("returns system attributes and selected message attributes only when asked", async () => {
    const QueueUrl = await queue("recv-attrs");
    await sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: "payload",
        MessageAttributes: { "color.primary": { DataType: "String", StringValue: "red" }, "color.alt": { DataType: "String", StringValue: "blue" }, size: { DataType: "Number", StringValue: "3" } },
      }),
    );
    const plain = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
    expect(plain.Messages![0]!.Attributes).toBeUndefined();
    expect(plain.Messages![0]!.MessageAttributes).toBeUndefined();
    const rich = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["color.*"] }),
    );
    const m = rich.Messages![0]!;
    expect(Object.keys(m.MessageAttributes!).sort()).toEqual(["color.alt", "color.primary"]);
    expect(m.Attributes).toEqual({
      SenderId: "000000000000",
      SentTimestamp: expect.stringMatching(/^\d{13}$/),
      ApproximateReceiveCount: "2",
      ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
    });
    const legacy = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0, MessageSystemAttributeNames: ["ApproximateReceiveCount"], MessageAttributeNames: ["size"] }));
    expect(legacy.Messages![0]!.Attributes).toEqual({ ApproximateReceiveCount: "3" });
    expect(Object.keys(legacy.Messages![0]!.MessageAttributes!)).toEqual(["size"]);
  });

  it("validates MaxNumberOfMessages, WaitTimeSeconds and attribute names", async () => {
    const QueueUrl = await queue("recv-validate");
    const max = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })));
    expect(max.Code).toBe("InvalidParameterValue");
    expect(max.message).toBe("Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
    const wait = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 21 })));
    expect(wait.message).toBe("Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.");
    const name = await errorOf(sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["Nope" as any] })));
    expect(name.name).toBe("InvalidAttributeName");
  });

  it("returns up to MaxNumberOfMessages and hides received messages for the visibility timeout", async () => {
    const QueueUrl = await queue("recv-visibility");
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body-${i}` })) }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3 }));
    expect(first.Messages).toHaveLength(3);
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(second.Messages).toHaveLength(2);
    expect(await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).not.toHaveProperty("Messages.0");
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 5, delayed: 0 });
    // Making one visible again returns it with a higher receive count.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: first.Messages![0]!.ReceiptHandle!, VisibilityTimeout: 0 }));
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, AttributeNames: ["ApproximateReceiveCount" as any] }));
    expect(again.Messages![0]!.MessageId).toBe(first.Messages![0]!.MessageId);
    expect(again.Messages![0]!.Attributes!.ApproximateReceiveCount).toBe("2");
    // The old handle no longer deletes (only the latest one does) but is not an error.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages![0]!.ReceiptHandle! }));
    expect((await counts(QueueUrl)).inFlight).toBe(5);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle! }));
    expect((await counts(QueueUrl)).inFlight).toBe(4);
  });

  it("brings a message back after a (short) visibility timeout", async () => {
    const QueueUrl = await queue("recv-timeout", { VisibilityTimeout: "1" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "comeback" }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(first.Messages).toHaveLength(1);
    // A long poll sleeps until the message is visible again and returns it.
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 10, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    expect(again.Messages![0]!.Body).toBe("comeback");
    expect(again.Messages![0]!.Attributes!.ApproximateReceiveCount).toBe("2");
  });

  it("long polling returns as soon as a message arrives", async () => {
    const QueueUrl = await queue("recv-long-poll");
    const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }));
    await new Promise((r) => setTimeout(r, 100));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "wake up" }));
    const { Messages } = await pending;
    expect(Messages?.map((m) => m.Body)).toEqual(["wake up"]);
  });

  it("long polling with the queue's ReceiveMessageWaitTimeSeconds, and delayed messages appear after their delay", async () => {
    const QueueUrl = await queue("recv-delay", { ReceiveMessageWaitTimeSeconds: "5" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "delayed", DelaySeconds: 1 }));
    expect((await counts(QueueUrl)).delayed).toBe(1);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages?.[0]?.Body).toBe("delayed");
  });
});

describe("delete and change visibility", () => {
  it("refuses malformed receipt handles and reports stale ones on visibility changes", async () => {
    const QueueUrl = await queue("handles");
    const bad = await errorOf(sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: "garbage!" })));
    expect(bad.name).toBe("ReceiptHandleIsInvalid");
    expect(bad.message).toBe('The input receipt handle "garbage!" is not a valid receipt handle.');
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    const handle = Messages![0]!.ReceiptHandle!;
    // A handle from another queue is not valid here.
    const other = await queue("handles-other");
    expect((await errorOf(sqs.send(new DeleteMessageCommand({ QueueUrl: other, ReceiptHandle: handle })))).name).toBe("ReceiptHandleIsInvalid");
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: handle })); // deleting twice is fine
    const gone = await errorOf(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: handle, VisibilityTimeout: 10 })));
    expect(gone.Code).toBe("InvalidParameterValue");
    expect(gone.message).toContain("Message does not exist or is not available for visibility timeout change.");
  });

  it("deletes and changes visibility in batches with per-entry results", async () => {
    const QueueUrl = await queue("batch-ops");
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [1, 2, 3].map((i) => ({ Id: `m${i}`, MessageBody: `b${i}` })) }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages).toHaveLength(3);
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: [
          { Id: "a", ReceiptHandle: Messages![0]!.ReceiptHandle!, VisibilityTimeout: 0 },
          { Id: "b", ReceiptHandle: "bogus", VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(changed.Successful).toEqual([{ Id: "a" }]);
    expect(changed.Failed).toEqual([{ Id: "b", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: expect.any(String) }]);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: [{ Id: "x", ReceiptHandle: Messages![1]!.ReceiptHandle! }, { Id: "y", ReceiptHandle: Messages![2]!.ReceiptHandle! }, { Id: "z", ReceiptHandle: "nope!" }] }),
    );
    expect(deleted.Successful).toEqual([{ Id: "x" }, { Id: "y" }]);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: "z", Code: "ReceiptHandleIsInvalid", SenderFault: true });
    expect(await counts(QueueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    expect((await errorOf(sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: [] })))).name).toBe("EmptyBatchRequest");
  });
});

describe("dead-letter queue", () => {
  it("moves a message on the receive that would exceed maxReceiveCount", async () => {
    const dlqUrl = await queue("work-dlq");
    const QueueUrl = await queue("work", {
      VisibilityTimeout: "0",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:work-dlq", maxReceiveCount: 2 }),
    });
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "poison", MessageAttributes: { kind: { DataType: "String", StringValue: "bad" } } }));
    for (let i = 1; i <= 2; i++) {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
      expect(Messages![0]!.Attributes!.ApproximateReceiveCount).toBe(String(i));
    }
    // The third receive finds nothing: the message went to the DLQ instead.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageAttributeNames: ["All"], AttributeNames: ["All"] }));
    expect(Messages![0]!.MessageId).toBe(sent.MessageId);
    expect(Messages![0]!.Body).toBe("poison");
    expect(Messages![0]!.MessageAttributes!.kind!.StringValue).toBe("bad");
    expect(await counts(QueueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });
});

describe("persistence", () => {
  it("keeps queues, attributes, tags, messages and in-flight state across a restart", async () => {
    const QueueUrl = await queue("durable", { VisibilityTimeout: "600" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "in flight" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "waiting", MessageAttributes: { a: { DataType: "String", StringValue: "1" } } }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    sqs.destroy();
    cloud = await cloud.restart();
    sqs = new SQSClient(cloud.clientConfig);
    expect(await counts(QueueUrl)).toEqual({ visible: 1, inFlight: 1, delayed: 0 });
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] }));
    expect(Attributes?.VisibilityTimeout).toBe("600");
    const next = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"] }));
    expect(next.Messages![0]!.Body).toBe(Messages![0]!.Body === "in flight" ? "waiting" : "in flight");
    // The receipt handle issued before the restart still deletes.
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0]!.ReceiptHandle! }));
    expect((await counts(QueueUrl)).inFlight).toBe(1);
  });
});
