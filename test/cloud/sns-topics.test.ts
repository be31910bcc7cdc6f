// SNS topic and subscription API through the real SDK v3 client (and the AWS
// CLI): idempotent CreateTopic, attributes with AWS's default policy, Policy
// set/get, tags, subscriptions and their attributes, the validation errors in
// AWS's words, PublishBatch partial failures, and persistence across a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sns";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let sns: SNSClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  sns = new SNSClient(cloud.clientConfig);
});
afterAll(async () => {
  await cloud?.close();
});

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a failure"); }, (e) => e as Error & { $metadata: { httpStatusCode: number } });

describe("topics", () => {
  it("creates a topic idempotently by name", async () => {
    const a = await sns.send(new CreateTopicCommand({ Name: "uploads", Attributes: { DisplayName: "Uploads" } }));
    const b = await sns.send(new CreateTopicCommand({ Name: "uploads", Attributes: { DisplayName: "Uploads" } }));
    expect(a.TopicArn).toBe("arn:aws:sns:us-east-1:000000000000:uploads");
    expect(b.TopicArn).toBe(a.TopicArn);
    const err = await fail(sns.send(new CreateTopicCommand({ Name: "uploads", Attributes: { DisplayName: "Other" } })));
    expect(err.name).toBe("InvalidParameterException");
    expect(err.message).toBe("Invalid parameter: Attributes Reason: Topic already exists with different attributes");
  });

  it("rejects bad names and FIFO topics with InvalidParameter", async () => {
    const bad = await fail(sns.send(new CreateTopicCommand({ Name: "bad name!" })));
    expect(bad.name).toBe("InvalidParameterException");
    expect(bad.message).toBe("Invalid parameter: Topic Name");
    const fifo = await fail(sns.send(new CreateTopicCommand({ Name: "orders.fifo", Attributes: { FifoTopic: "true" } })));
    expect(fifo.message).toContain("FIFO");
  });

  it("returns AWS's attributes, with the default topic policy", async () => {
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:uploads" }));
    expect(Attributes).toMatchObject({
      TopicArn: "arn:aws:sns:us-east-1:000000000000:uploads",
      Owner: "000000000000",
      DisplayName: "Uploads",
      SubscriptionsConfirmed: "0",
      SubscriptionsPending: "0",
      SubscriptionsDeleted: "0",
    });
    const policy = JSON.parse(Attributes!.Policy!);
    expect(policy.Id).toBe("__default_policy_ID");
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Allow",
      Principal: { AWS: "*" },
      Resource: "arn:aws:sns:us-east-1:000000000000:uploads",
      Condition: { StringEquals: { "AWS:SourceOwner": "000000000000" } },
    });
    expect(policy.Statement[0].Action).toContain("SNS:Publish");
    expect(JSON.parse(Attributes!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
  });

  it("sets and reads back a topic policy, and rejects one that is not JSON", async () => {
    const TopicArn = "arn:aws:sns:us-east-1:000000000000:uploads";
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Sid: "s3", Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "SNS:Publish", Resource: TopicArn, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::photos" } } }],
    };
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: JSON.stringify(policy) }));
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(JSON.parse(Attributes!.Policy!)).toEqual(policy);
    const err = await fail(sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Policy", AttributeValue: "{nope" })));
    expect(err.name).toBe("InvalidParameterException");
    const unknown = await fail(sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "Colour", AttributeValue: "red" })));
    expect(unknown.message).toBe("Invalid parameter: AttributeName");
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: "DeliveryPolicy", AttributeValue: '{"http":{}}' }));
  });

  it("answers NotFound for a missing topic and InvalidParameter for a malformed ARN", async () => {
    const missing = await fail(sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:nope" })));
    expect(missing.name).toBe("NotFoundException");
    expect(missing.message).toBe("Topic does not exist");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const malformed = await fail(sns.send(new PublishCommand({ TopicArn: "not-an-arn", Message: "x" })));
    expect(malformed.name).toBe("InvalidParameterException");
    expect(malformed.message).toBe("Invalid parameter: TopicArn");
  });

  it("tags, untags and lists tags", async () => {
    const ResourceArn = "arn:aws:sns:us-east-1:000000000000:uploads";
    await sns.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: "kit", Value: "labs" }, { Key: "lab", Value: "02" }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn, TagKeys: ["lab"] }));
    const { Tags } = await sns.send(new ListTagsForResourceCommand({ ResourceArn }));
    expect(Tags).toEqual([{ Key: "kit", Value: "labs" }]);
  });

  it("lists topics and deletes them (deleting a missing topic succeeds)", async () => {
    await sns.send(new CreateTopicCommand({ Name: "temp" }));
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    expect(Topics?.map((t) => t.TopicArn)).toEqual(expect.arrayContaining(["arn:aws:sns:us-east-1:000000000000:temp", "arn:aws:sns:us-east-1:000000000000:uploads"]));
    await sns.send(new DeleteTopicCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:temp" }));
    await sns.send(new DeleteTopicCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:temp" }));
    const after = await sns.send(new ListTopicsCommand({}));
    expect(after.Topics?.map((t) => t.TopicArn)).not.toContain("arn:aws:sns:us-east-1:000000000000:temp");
  });
});

describe("subscriptions", () => {
  const TopicArn = "arn:aws:sns:us-east-1:000000000000:uploads";

  it("subscribes a queue (confirmed at once, idempotent) and sets its attributes", async () => {
    const Endpoint = "arn:aws:sqs:us-east-1:000000000000:inbox";
    const a = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint }));
    const b = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint }));
    expect(a.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:uploads:[0-9a-f-]{36}$/);
    expect(b.SubscriptionArn).toBe(a.SubscriptionArn);
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: a.SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: a.SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"kind":["image"]}' }));
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: a.SubscriptionArn }));
    expect(Attributes).toMatchObject({
      SubscriptionArn: a.SubscriptionArn,
      TopicArn,
      Protocol: "sqs",
      Endpoint,
      Owner: "000000000000",
      PendingConfirmation: "false",
      ConfirmationWasAuthenticated: "true",
      RawMessageDelivery: "true",
      FilterPolicy: '{"kind":["image"]}',
      FilterPolicyScope: "MessageAttributes",
    });
    const topic = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(topic.Attributes?.SubscriptionsConfirmed).toBe("1");
  });

  it("validates protocols, endpoints and attributes in AWS's words", async () => {
    const protocol = await fail(sns.send(new SubscribeCommand({ TopicArn, Protocol: "pigeon", Endpoint: "x" })));
    expect(protocol.message).toBe("Invalid parameter: Amazon SNS does not support this protocol string: pigeon");
    const sqsArn = await fail(sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: "https://queue" })));
    expect(sqsArn.message).toBe("Invalid parameter: SQS endpoint ARN");
    const http = await fail(sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: "https://example.com" })));
    expect(http.message).toBe("Invalid parameter: Endpoint must match the specified protocol");
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:000000000000:function:thumb" }));
    const raw = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" })));
    expect(raw.message).toBe("Invalid parameter: Delivery protocol [lambda] does not support raw message delivery.");
    const filter = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "FilterPolicy", AttributeValue: '{"kind":"image"}' })));
    expect(filter.name).toBe("InvalidParameterException");
    expect(filter.message).toMatch(/^Invalid parameter: FilterPolicy: /);
    const scope = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: "FilterPolicyScope", AttributeValue: "Body" })));
    expect(scope.message).toBe("Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes");
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    const topic = await sns.send(new GetTopicAttributesCommand({ TopicArn }));
    expect(topic.Attributes?.SubscriptionsDeleted).toBe("1");
  });

  it("keeps email subscriptions pending (never sends mail) until confirmed with the logged token", async () => {
    const res = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "learner@example.com" }));
    expect(res.SubscriptionArn).toBe("pending confirmation");
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    const pending = listed.Subscriptions?.find((s) => s.Protocol === "email");
    expect(pending?.SubscriptionArn).toBe("PendingConfirmation");
    const line = cloud.logs.find((l) => l.includes("learner@example.com") && l.includes("token"));
    expect(line).toBeDefined();
    const token = /token ([0-9a-f]+)/.exec(line!)![1]!;
    const bad = await fail(sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: "nope" })));
    expect(bad.message).toBe("Invalid parameter: Token");
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: token }));
    expect(confirmed.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:uploads:/);
    const { Subscriptions } = await sns.send(new ListSubscriptionsCommand({}));
    expect(Subscriptions?.find((s) => s.Protocol === "email")?.SubscriptionArn).toBe(confirmed.SubscriptionArn);
    // A publish to a confirmed email subscription is shown, not sent.
    await sns.send(new PublishCommand({ TopicArn, Message: "hello by mail", Subject: "Hi" }));
    await cloud.cloud.destinations.drain();
    const traces = cloud.cloud.trace.list({ kind: "sns→email" });
    expect(traces.some((t) => t.detail?.includes("hello by mail") && t.detail.includes("not sent"))).toBe(true);
  });

  it("answers NotFound for an unknown subscription", async () => {
    const err = await fail(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: `${TopicArn}:00000000-0000-0000-0000-000000000000` })));
    expect(err.name).toBe("NotFoundException");
    expect(err.message).toBe("Subscription does not exist");
  });
});

describe("publish validation", () => {
  const TopicArn = "arn:aws:sns:us-east-1:000000000000:uploads";

  it("rejects an empty message, a bad subject, a bad structure and bad attributes", async () => {
    expect((await fail(sns.send(new PublishCommand({ TopicArn, Message: "" })))).message).toBe("Invalid parameter: Empty message");
    expect((await fail(sns.send(new PublishCommand({ TopicArn, Message: "x", Subject: "two\nlines" })))).message).toBe("Invalid parameter: Subject");
    expect((await fail(sns.send(new PublishCommand({ TopicArn, Message: '{"sqs":"x"}', MessageStructure: "json" })))).message).toBe(
      "Invalid parameter: Message Structure - No default entry in JSON message body",
    );
    const attr = await fail(sns.send(new PublishCommand({ TopicArn, Message: "x", MessageAttributes: { n: { DataType: "Integer", StringValue: "1" } } })));
    expect(attr.name).toBe("InvalidParameterValueException");
    expect(attr.message).toContain("the set of supported type prefixes is Binary, Number, and String");
    const big = await fail(sns.send(new PublishCommand({ TopicArn, Message: "x".repeat(262_145) })));
    expect(big.message).toBe("Invalid parameter: Message too long");
  });

  it("publishes a batch with per-entry failures", async () => {
    const res = await sns.send(
      new PublishBatchCommand({
        TopicArn,
        PublishBatchRequestEntries: [
          { Id: "ok", Message: "fine", MessageAttributes: { kind: { DataType: "String", StringValue: "image" } } },
          { Id: "empty", Message: "" },
        ],
      }),
    );
    expect(res.Successful?.map((s) => s.Id)).toEqual(["ok"]);
    expect(res.Successful?.[0]?.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.Failed).toEqual([{ Id: "empty", Code: "InvalidParameter", Message: "Invalid parameter: Empty message", SenderFault: true }]);
    const dup = await fail(sns.send(new PublishBatchCommand({ TopicArn, PublishBatchRequestEntries: [{ Id: "a", Message: "1" }, { Id: "a", Message: "2" }] })));
    expect(dup.name).toBe("BatchEntryIdsNotDistinctException");
  });
});

describe("CLI and persistence", () => {
  it("creates a topic and publishes from the AWS CLI", async () => {
    if (!hasAwsCli) return console.warn("skipped: no AWS CLI");
    const created = await awsCliAsync(cloud, ["sns", "create-topic", "--name", "cli-topic"]);
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).TopicArn).toBe("arn:aws:sns:us-east-1:000000000000:cli-topic");
    const published = await awsCliAsync(cloud, ["sns", "publish", "--topic-arn", "arn:aws:sns:us-east-1:000000000000:cli-topic", "--message", "hi", "--message-attributes", '{"kind":{"DataType":"String","StringValue":"x"}}']);
    expect(published.status, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout).MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps topics, policies and subscriptions across a restart", async () => {
    cloud = await cloud.restart();
    sns = new SNSClient(cloud.clientConfig);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:uploads" }));
    expect(JSON.parse(Attributes!.Policy!).Statement[0].Sid).toBe("s3");
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:uploads" }));
    expect(Subscriptions?.some((s) => s.Protocol === "sqs")).toBe(true);
  });
});
