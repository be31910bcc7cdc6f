// SQS behaviour that depends on long stretches of time — message retention,
// the 60-second PurgeQueue interval, the default 30-second visibility timeout
// — checked by moving the clock (only Date is faked: the cloud runs in this
// process, its timers and the HTTP traffic stay real), and
// POST /_localcloud/reset, which must forget queues and end long polls.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let sqs: SQSClient;
beforeAll(async () => {
  cloud = await startTestCloud();
  sqs = new SQSClient(cloud.clientConfig);
});
afterAll(async () => {
  sqs?.destroy();
  await cloud?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Move the wall clock forward (Date only; successive calls add up). */
function advance(ms: number): void {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + ms });
}

async function visible(QueueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  return Number(Attributes!.ApproximateNumberOfMessages);
}

describe("time", () => {
  it("drops messages older than MessageRetentionPeriod", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "retention", Attributes: { MessageRetentionPeriod: "60" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "old" }));
    advance(30_000);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "newer" }));
    expect(await visible(QueueUrl!)).toBe(2);
    advance(31_000); // 61 s after "old", 31 s after "newer"
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(Messages?.map((m) => m.Body)).toEqual(["newer"]);
  });

  it("allows the next PurgeQueue after 60 seconds", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "purge-later" }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    advance(59_000);
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl }))).rejects.toMatchObject({ name: "PurgeQueueInProgress" });
    advance(61_000);
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  });

  it("hides a received message for the default 30 seconds", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "default-visibility" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "once" }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toHaveLength(1);
    advance(29_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    advance(31_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe("once");
  });
});

describe("POST /_localcloud/reset", () => {
  it("forgets queues and messages and ends long polls", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "before-reset" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "forget me" }));
    const { Messages: first } = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(first).toHaveLength(1);
    const longPoll = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
    await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.status).toBe(200);
    expect((await longPoll).Messages).toBeUndefined();
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls).toBeUndefined();
    // A queue of the same name starts empty.
    const again = await sqs.send(new CreateQueueCommand({ QueueName: "before-reset" }));
    expect(await visible(again.QueueUrl!)).toBe(0);
    await sqs.send(new SendMessageCommand({ QueueUrl: again.QueueUrl, MessageBody: "fresh" }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: again.QueueUrl }))).Messages?.[0]?.Body).toBe("fresh");
  });
});
