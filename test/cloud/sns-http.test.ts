// SNS → HTTP subscribers against a real local Node http server: the
// SubscriptionConfirmation handshake (the endpoint confirms by fetching
// SubscribeURL, as on AWS), the Notification envelope and SNS's headers, raw
// delivery, filter policies on attributes and on the body, and retries of an
// endpoint that fails.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let cloud: TestCloud;
let sns: SNSClient;
let server: http.Server;
let base: string;
const received: Received[] = [];
let failuresToAnswer = 0;

beforeAll(async () => {
  cloud = await startTestCloud({ inMemory: true });
  sns = new SNSClient(cloud.clientConfig);
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      if (req.url === "/flaky" && failuresToAnswer > 0) {
        failuresToAnswer--;
        res.writeHead(500).end();
        return;
      }
      // Like a real endpoint: confirm by visiting SubscribeURL.
      if (req.headers["x-amz-sns-message-type"] === "SubscriptionConfirmation" && req.url !== "/manual") {
        await fetch(JSON.parse(body).SubscribeURL);
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await cloud?.close();
  server?.close();
});

const messagesAt = (path: string, type = "Notification") => received.filter((r) => r.path === path && r.headers["x-amz-sns-message-type"] === type);

async function subscribeConfirmed(TopicArn: string, path: string, Attributes?: Record<string, string>): Promise<string> {
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${base}${path}`, Attributes }));
  return eventually(async () => {
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    const sub = Subscriptions?.find((s) => s.Endpoint === `${base}${path}`);
    return sub && sub.SubscriptionArn !== "PendingConfirmation" ? sub.SubscriptionArn : undefined;
  });
}

describe("HTTP subscription handshake", () => {
  it("POSTs a SubscriptionConfirmation and confirms when the endpoint visits SubscribeURL", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web" }));
    const pending = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${base}/hook` }));
    expect(pending.SubscriptionArn).toBe("pending confirmation");
    const subArn = await eventually(async () => {
      const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
      const arn = Subscriptions?.[0]?.SubscriptionArn;
      return arn && arn !== "PendingConfirmation" ? arn : undefined;
    });
    const [confirmation] = messagesAt("/hook", "SubscriptionConfirmation");
    expect(confirmation!.headers["x-amz-sns-topic-arn"]).toBe(TopicArn);
    expect(confirmation!.headers["x-amz-sns-message-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(confirmation!.headers["content-type"]).toBe("text/plain; charset=UTF-8");
    expect(confirmation!.headers["user-agent"]).toBe("Amazon Simple Notification Service Agent");
    const body = JSON.parse(confirmation!.body);
    expect(Object.keys(body)).toEqual(["Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"]);
    expect(body.Type).toBe("SubscriptionConfirmation");
    expect(body.Message).toContain(`You have chosen to subscribe to the topic ${TopicArn}.`);
    expect(body.SubscribeURL).toContain("Action=ConfirmSubscription");
    const attrs = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subArn }));
    expect(attrs.Attributes?.PendingConfirmation).toBe("false");
    expect(JSON.parse(attrs.Attributes!.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
  });

  it("keeps a subscription pending while the endpoint does not confirm", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web-manual" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${base}/manual` }));
    await eventually(async () => (messagesAt("/manual", "SubscriptionConfirmation").length ? true : undefined));
    await sns.send(new PublishCommand({ TopicArn, Message: "not for pending" }));
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(Subscriptions?.[0]?.SubscriptionArn).toBe("PendingConfirmation");
    expect(messagesAt("/manual")).toHaveLength(0);
  });
});

describe("HTTP notifications", () => {
  it("POSTs the Notification envelope with SNS's headers and a signature", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web-notify" }));
    const subArn = await subscribeConfirmed(TopicArn!, "/notify");
    const { MessageId } = await sns.send(
      new PublishCommand({ TopicArn, Message: "hello", Subject: "Greeting", MessageAttributes: { kind: { DataType: "String", StringValue: "image" } } }),
    );
    const [delivery] = await eventually(async () => (messagesAt("/notify").length ? messagesAt("/notify") : undefined));
    expect(delivery!.headers).toMatchObject({
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": MessageId,
      "x-amz-sns-topic-arn": TopicArn,
      "x-amz-sns-subscription-arn": subArn,
    });
    const body = JSON.parse(delivery!.body);
    expect(Object.keys(body)).toEqual(["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]);
    expect(body).toMatchObject({ Type: "Notification", MessageId, TopicArn, Subject: "Greeting", Message: "hello", SignatureVersion: "1" });
    expect(body.MessageAttributes).toEqual({ kind: { Type: "String", Value: "image" } });
    expect(body.Signature).toMatch(/^[A-Za-z0-9+/]{300,}={0,2}$/);
    expect(body.SigningCertURL).toMatch(/^https:\/\/sns\.us-east-1\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
    expect(body.UnsubscribeURL).toBe(`https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subArn}`);
    expect(body.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("sends the bare message with RawMessageDelivery", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web-raw" }));
    const subArn = await subscribeConfirmed(TopicArn!, "/raw");
    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" }));
    await sns.send(new PublishCommand({ TopicArn, Message: '{"raw":true}' }));
    const [delivery] = await eventually(async () => (messagesAt("/raw").length ? messagesAt("/raw") : undefined));
    expect(delivery!.body).toBe('{"raw":true}');
    expect(delivery!.headers["x-amz-sns-rawdelivery"]).toBe("true");
  });

  it("uses the per-protocol text of a MessageStructure json publish", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web-structure" }));
    await subscribeConfirmed(TopicArn!, "/structure");
    await sns.send(new PublishCommand({ TopicArn, MessageStructure: "json", Message: JSON.stringify({ default: "for everyone", http: "for http" }) }));
    const [delivery] = await eventually(async () => (messagesAt("/structure").length ? messagesAt("/structure") : undefined));
    expect(JSON.parse(delivery!.body).Message).toBe("for http");
  });

  it("filters on message attributes and on the message body", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web-filter" }));
    await subscribeConfirmed(TopicArn!, "/images", { FilterPolicy: JSON.stringify({ kind: ["image"], size: [{ numeric: [">", 100] }] }) });
    await subscribeConfirmed(TopicArn!, "/body", { FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify({ detail: { key: [{ suffix: ".jpg" }] } }) });
    const publish = (Message: string, kind?: string, size?: number) =>
      sns.send(
        new PublishCommand({
          TopicArn,
          Message,
          MessageAttributes: {
            ...(kind ? { kind: { DataType: "String", StringValue: kind } } : {}),
            ...(size !== undefined ? { size: { DataType: "Number", StringValue: String(size) } } : {}),
          },
        }),
      );
    await publish("big image", "image", 500);
    await publish("small image", "image", 5);
    await publish("video", "video", 500);
    await publish(JSON.stringify({ detail: { key: "a.jpg" } }));
    await publish(JSON.stringify({ detail: { key: "a.png" } }));
    await publish("not json");
    await cloud.cloud.destinations.drain();
    await eventually(async () => (messagesAt("/images").length && messagesAt("/body").length ? true : undefined));
    await new Promise((r) => setTimeout(r, 100)); // let any wrongly-matching delivery arrive too
    expect(messagesAt("/images").map((m) => JSON.parse(m.body).Message)).toEqual(["big image"]);
    expect(messagesAt("/body").map((m) => JSON.parse(JSON.parse(m.body).Message).detail.key)).toEqual(["a.jpg"]);
    const filtered = cloud.cloud.trace.list({ kind: "sns→http" }).filter((t) => t.detail?.includes("FilterPolicy"));
    expect(filtered.length).toBeGreaterThanOrEqual(4);
  });

  it("retries an endpoint that answers 500 and records each attempt", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "web-flaky" }));
    await subscribeConfirmed(TopicArn!, "/flaky");
    failuresToAnswer = 2;
    await sns.send(new PublishCommand({ TopicArn, Message: "eventually" }));
    await eventually(async () => {
      const ok = messagesAt("/flaky").length === 3 && cloud.cloud.trace.list({ kind: "sns→http" }).some((t) => t.target === `${base}/flaky` && t.status === "ok" && t.attempt === 3);
      return ok ? true : undefined;
    });
    const retries = cloud.cloud.trace.list({ kind: "sns→http" }).filter((t) => t.target === `${base}/flaky` && t.status === "retry");
    expect(retries.map((t) => t.detail)).toEqual(["the endpoint answered HTTP 500", "the endpoint answered HTTP 500"]);
  });
});
