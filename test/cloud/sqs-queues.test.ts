// SQS queues through the real @aws-sdk/client-sqs (awsJson 1.0): create
// (idempotent / QueueNameExists), URLs, list paging, attributes and their
// validation, tags, purge, delete, and the error shapes SDK v3 decodes.
import { describe, expect, it } from "vitest";
import {
  AddPermissionCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  RemovePermissionCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";
import { cloudForFile, type TestCloud, errorOf } from "../helpers/cloud.js";

let cloud: TestCloud;
let sqs: SQSClient;
cloudForFile(SQSClient, (c, client) => {
  [cloud, sqs] = [c, client];
});


describe("CreateQueue / GetQueueUrl / DeleteQueue", () => {
  it("creates a queue whose URL is on the cloud's endpoint and whose ARN follows AWS's form", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders" }));
    expect(QueueUrl).toBe(`${cloud.endpoint}/000000000000/orders`);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    expect(Attributes).toEqual({ QueueArn: "arn:aws:sqs:us-east-1:000000000000:orders" });
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: "orders" }))).QueueUrl).toBe(QueueUrl);
  });

  it("is idempotent with equal attributes and refuses a different value with QueueNameExists", async () => {
    const a = await sqs.send(new CreateQueueCommand({ QueueName: "idem", Attributes: { VisibilityTimeout: "45" } }));
    const b = await sqs.send(new CreateQueueCommand({ QueueName: "idem", Attributes: { VisibilityTimeout: "45" } }));
    expect(b.QueueUrl).toBe(a.QueueUrl);
    // Attributes left out are not compared; a default sent explicitly equals the default.
    await sqs.send(new CreateQueueCommand({ QueueName: "idem", Attributes: { DelaySeconds: "0" } }));
    const err = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "idem", Attributes: { VisibilityTimeout: "60" } })));
    expect(err.name).toBe("QueueNameExists");
    expect(err.Code).toBe("QueueAlreadyExists");
    expect(err.message).toBe("A queue already exists with the same name and a different value for attribute VisibilityTimeout");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it("refuses bad names, FIFO queues and unknown attributes", async () => {
    const bad = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "has space" })));
    expect(bad.Code).toBe("InvalidParameterValue");
    expect(bad.message).toContain("alphanumeric characters, hyphens, or underscores");
    const long = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "x".repeat(81) })));
    expect(long.Code).toBe("InvalidParameterValue");
    const fifo = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "jobs.fifo", Attributes: { FifoQueue: "true" } })));
    expect(fifo.name).toBe("UnsupportedOperation");
    const unknown = await errorOf(sqs.send(new CreateQueueCommand({ QueueName: "u", Attributes: { VisibilityTimeoutSeconds: "5" } as any })));
    expect(unknown.name).toBe("InvalidAttributeName");
    expect(unknown.message).toBe("Unknown Attribute VisibilityTimeoutSeconds.");
  });

  it("answers a missing queue with QueueDoesNotExist / AWS.SimpleQueueService.NonExistentQueue", async () => {
    const err = await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: "nope" })));
    expect(err.name).toBe("QueueDoesNotExist");
    expect(err.Code).toBe("AWS.SimpleQueueService.NonExistentQueue");
    expect(err.message).toBe("The specified queue does not exist.");
    const byUrl = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/000000000000/nope`, MessageBody: "x" })));
    expect(byUrl.name).toBe("QueueDoesNotExist");
  });

  it("accepts a QueueUrl with another host (only the path names the queue)", async () => {
    await sqs.send(new CreateQueueCommand({ QueueName: "anyhost" }));
    const client = new SQSClient({ ...cloud.clientConfig, useQueueUrlAsEndpoint: false });
    const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/anyhost", AttributeNames: ["QueueArn"] }));
    expect(out.Attributes?.QueueArn).toBe("arn:aws:sqs:us-east-1:000000000000:anyhost");
    const invalid = await errorOf(client.send(new GetQueueAttributesCommand({ QueueUrl: "not-a-url", AttributeNames: ["All"] })));
    expect(invalid.name).toBe("InvalidAddress");
    client.destroy();
  });

  it("deletes a queue and its messages", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "doomed" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "bye" }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    expect((await errorOf(sqs.send(new GetQueueUrlCommand({ QueueName: "doomed" })))).name).toBe("QueueDoesNotExist");
    const again = await sqs.send(new CreateQueueCommand({ QueueName: "doomed" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: again.QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe("0");
  });
});

describe("ListQueues", () => {
  it("filters by prefix and pages with MaxResults/NextToken", async () => {
    for (const n of ["page-a", "page-b", "page-c", "other-x"]) await sqs.send(new CreateQueueCommand({ QueueName: n }));
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "page-" }));
    expect(all.QueueUrls?.map((u) => u.split("/").pop())).toEqual(["page-a", "page-b", "page-c"]);
    expect(all.NextToken).toBeUndefined();
    const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "page-", MaxResults: 2 }));
    expect(first.QueueUrls?.map((u) => u.split("/").pop())).toEqual(["page-a", "page-b"]);
    expect(first.NextToken).toBeTruthy();
    const second = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "page-", MaxResults: 2, NextToken: first.NextToken }));
    expect(second.QueueUrls?.map((u) => u.split("/").pop())).toEqual(["page-c"]);
    expect(second.NextToken).toBeUndefined();
    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "zzz" }));
    expect(none.QueueUrls).toBeUndefined();
    const bad = await errorOf(sqs.send(new ListQueuesCommand({ MaxResults: 0 })));
    expect(bad.Code).toBe("InvalidParameterValue");
  });
});

describe("queue attributes", () => {
  it("reports every attribute with All, defaults included, and approximate counts", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "attrs", Attributes: { DelaySeconds: "0" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "now" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later", DelaySeconds: 900 }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(Attributes).toMatchObject({
      QueueArn: "arn:aws:sqs:us-east-1:000000000000:attrs",
      VisibilityTimeout: "30",
      MessageRetentionPeriod: "345600",
      DelaySeconds: "0",
      ReceiveMessageWaitTimeSeconds: "0",
      MaximumMessageSize: "262144",
      ApproximateNumberOfMessages: "1",
      ApproximateNumberOfMessagesNotVisible: "0",
      ApproximateNumberOfMessagesDelayed: "1",
    });
    expect(Number(Attributes!.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
    expect(Attributes!.CreatedTimestamp).toMatch(/^\d{10}$/);
    expect(Attributes!.Policy).toBeUndefined();
  });

  it("sets Policy, RedrivePolicy and numeric attributes, and clears a policy with an empty value", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "settable" }));
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: "settable-dlq" }));
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "SQS:SendMessage", Resource: "*" }] });
    const redrive = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:settable-dlq", maxReceiveCount: 3 });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: policy, RedrivePolicy: redrive, VisibilityTimeout: "5", ReceiveMessageWaitTimeSeconds: "2" } }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy", "RedrivePolicy", "VisibilityTimeout", "ReceiveMessageWaitTimeSeconds"] }));
    expect(Attributes).toEqual({ Policy: policy, RedrivePolicy: redrive, VisibilityTimeout: "5", ReceiveMessageWaitTimeSeconds: "2" });
    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq.QueueUrl }));
    expect(sources.queueUrls).toEqual([QueueUrl]);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: "" } }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }));
    expect(after.Attributes).toBeUndefined();
  });

  it("validates values with InvalidAttributeValue and names with InvalidAttributeName", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "validate" }));
    const cases: Array<[Record<string, string>, string]> = [
      [{ VisibilityTimeout: "43201" }, "Invalid value for the parameter VisibilityTimeout."],
      [{ MessageRetentionPeriod: "59" }, "Invalid value for the parameter MessageRetentionPeriod."],
      [{ DelaySeconds: "abc" }, "Invalid value for the parameter DelaySeconds."],
      [{ ReceiveMessageWaitTimeSeconds: "21" }, "Invalid value for the parameter ReceiveMessageWaitTimeSeconds."],
      [{ MaximumMessageSize: "1023" }, "Invalid value for the parameter MaximumMessageSize."],
      [{ Policy: "{not json" }, "Invalid value for the parameter Policy."],
      [{ RedrivePolicy: "[]" }, "Value [] for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map."],
    ];
    for (const [attributes, message] of cases) {
      const err = await errorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes })));
      expect(err.name).toBe("InvalidAttributeValue");
      expect(err.message).toBe(message);
    }
    const missingDlq = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:ghost", maxReceiveCount: 2 });
    const dlqErr = await errorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: missingDlq } })));
    expect(dlqErr.message).toBe(`Value ${missingDlq} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`);
    const badCount = JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:validate", maxReceiveCount: 0 });
    expect((await errorOf(sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { RedrivePolicy: badCount } })))).name).toBe("InvalidAttributeValue");
    const name = await errorOf(sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Colour" as any] })));
    expect(name.name).toBe("InvalidAttributeName");
    expect(name.message).toBe("Unknown Attribute Colour.");
    // Nothing was changed by the refused calls.
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] }));
    expect(Attributes?.VisibilityTimeout).toBe("30");
  });
});

describe("AddPermission / RemovePermission", () => {
  it("edits the queue's Policy attribute by label", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "shared" }));
    await sqs.send(new AddPermissionCommand({ QueueUrl, Label: "partner", AWSAccountIds: ["111122223333"], Actions: ["SendMessage", "GetQueueUrl"] }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }));
    const policy = JSON.parse(Attributes!.Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: "partner",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::111122223333:root" },
        Action: ["SQS:SendMessage", "SQS:GetQueueUrl"],
        Resource: "arn:aws:sqs:us-east-1:000000000000:shared",
      },
    ]);
    const dup = await errorOf(sqs.send(new AddPermissionCommand({ QueueUrl, Label: "partner", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] })));
    expect(dup.Code).toBe("InvalidParameterValue");
    expect(dup.message).toBe("Value partner for parameter Label is invalid. Reason: Already exists.");
    await sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "partner" }));
    expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["Policy"] }))).Attributes).toBeUndefined();
    const missing = await errorOf(sqs.send(new RemovePermissionCommand({ QueueUrl, Label: "partner" })));
    expect(missing.message).toBe("Value partner for parameter Label is invalid. Reason: can't find label on existing policy.");
  });
});

describe("tags and purge", () => {
  it("tags at creation, adds, lists and removes tags", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "tagged", tags: { team: "labs" } }));
    await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: "dev", team: "kit" } }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: "kit", env: "dev" });
    await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["team"] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ env: "dev" });
  });

  it("purges every message and refuses a second purge within 60 seconds", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "purgeable" }));
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
    expect(Attributes?.ApproximateNumberOfMessages).toBe("0");
    const err = await errorOf(sqs.send(new PurgeQueueCommand({ QueueUrl })));
    expect(err.name).toBe("PurgeQueueInProgress");
    expect(err.Code).toBe("AWS.SimpleQueueService.PurgeQueueInProgress");
    expect(err.message).toBe("Only one PurgeQueue operation on purgeable is allowed every 60 seconds.");
  });
});
