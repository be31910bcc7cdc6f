// SNS email and email-json subscriptions end to end, through the SDK and the
// AWS CLI: "pending confirmation", the confirmation mail in the local outbox
// (admin API, admin-only), confirming by fetching the SubscribeURL with no
// credentials or with ConfirmSubscription, later notifications in the outbox,
// and the outbox surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateTopicCommand, GetSubscriptionAttributesCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { awsCliAsync, errorOf, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import type { SnsOutboxMessage } from "../../src/cloud/core/internal-apis.js";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { kitProcess } from "../kit/kit-process.js";

let cloud: TestCloud;
let sns: SNSClient;
beforeAll(async () => {
  cloud = await startTestCloud();
  sns = new SNSClient(cloud.clientConfig);
});
afterAll(async () => {
  sns?.destroy();
  await cloud?.close();
});

async function outbox(query = ""): Promise<SnsOutboxMessage[]> {
  const get = () => fetch(`${cloud.endpoint}/_localcloud/outbox${query}`, { headers: { "x-localcloud-token": cloud.adminToken } });
  // After restart() the pooled keep-alive socket is dead: one retry on a fresh one.
  const res = await get().catch(get);
  expect(res.status).toBe(200);
  return ((await res.json()) as { messages: SnsOutboxMessage[] }).messages;
}

describe("email subscriptions and the local outbox", () => {
  it("email: pending, a confirmation mail with AWS's subject and link, confirmed by fetching the link, notifications as mails", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "ops-alerts" }));
    const sub = await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "Ops@Example.com" }));
    expect(sub.SubscriptionArn).toBe("pending confirmation");
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions?.[0]?.SubscriptionArn).toBe("PendingConfirmation");

    const [confirmation] = await outbox("?address=ops@example.com");
    expect(confirmation).toMatchObject({ type: "SubscriptionConfirmation", protocol: "email", subject: "AWS Notification - Subscription Confirmation", topicArn: TopicArn });
    expect(confirmation!.body).toContain(`You have chosen to subscribe to the topic:\n${TopicArn}`);
    expect(confirmation!.body).toContain(`Confirm subscription: ${confirmation!.subscribeUrl}`);
    expect(confirmation!.subscribeUrl).toContain(`Token=${confirmation!.token}`);

    // Nothing is delivered while pending.
    await sns.send(new PublishCommand({ TopicArn, Message: "too early" }));

    // A script on another site cannot use it (fetch sends Origin; the gateway refuses foreign origins)…
    const scripted = await fetch(confirmation!.subscribeUrl!, { headers: { origin: "https://evil.example" } });
    expect(scripted.status).toBe(403);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions?.[0]?.SubscriptionArn).toBe("PendingConfirmation");
    // …while the link itself works like AWS's: an unsigned GET, no credentials.
    const clicked = await fetch(confirmation!.subscribeUrl!);
    expect(clicked.status).toBe(200);
    expect(await clicked.text()).toContain("<SubscriptionArn>");
    const confirmedArn = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions![0]!.SubscriptionArn!;
    expect(confirmedArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:ops-alerts:/);
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmedArn }))).Attributes!;
    expect(attrs.PendingConfirmation).toBe("false");

    await sns.send(new PublishCommand({ TopicArn, Message: "disk almost full", Subject: "Disk alert" }));
    const mails = await waitForMails("ops@example.com", 2);
    expect(mails.map((m) => m.type)).toEqual(["SubscriptionConfirmation", "Notification"]);
    expect(mails[1]).toMatchObject({ subject: "Disk alert", subscriptionArn: confirmedArn });
    expect(mails[1]!.body.startsWith("disk almost full\n")).toBe(true);
    expect(mails[1]!.body).toContain(`Action=Unsubscribe&SubscriptionArn=${confirmedArn}`);
    expect(mails.some((m) => m.body.includes("too early"))).toBe(false);
  });

  it("the outbox is for the administrator only, and a wrong token in the link confirms nothing", async () => {
    const anonymous = await fetch(`${cloud.endpoint}/_localcloud/outbox`);
    expect(anonymous.status).toBe(403);
    const fromPage = await fetch(`${cloud.endpoint}/_localcloud/outbox`, { headers: { "x-localcloud-token": cloud.adminToken, origin: "https://evil.example" } });
    expect(fromPage.status).toBe(403);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "guessing" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "guess@example.com" }));
    const bad = await fetch(`${cloud.endpoint}/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=${encodeURIComponent(TopicArn!)}&Token=${"0".repeat(128)}`);
    expect(bad.status).toBe(400);
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions![0]!.SubscriptionArn).toBe("PendingConfirmation");
  });

  it.skipIf(!hasAwsCli)("email-json through the AWS CLI (subscribe, confirm-subscription): the JSON confirmation, JSON notifications; the outbox survives a restart", async () => {
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "uploads-json" }))).TopicArn!;
    const subscribed = await awsCliAsync(cloud, ["sns", "subscribe", "--topic-arn", topicArn, "--protocol", "email-json", "--notification-endpoint", "json@example.com"]);
    expect(JSON.parse(subscribed.stdout)).toEqual({ SubscriptionArn: "pending confirmation" });
    const [confirmation] = await outbox("?address=json@example.com");
    const doc = JSON.parse(confirmation!.body);
    expect(doc).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn: topicArn, Token: confirmation!.token, SubscribeURL: confirmation!.subscribeUrl, SignatureVersion: "1" });
    expect(doc.Message).toBe(`You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`);
    const confirmed = await awsCliAsync(cloud, ["sns", "confirm-subscription", "--topic-arn", topicArn, "--token", doc.Token]);
    expect(confirmed.status, confirmed.stderr).toBe(0);
    expect(JSON.parse(confirmed.stdout).SubscriptionArn).toMatch(/uploads-json:/);
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"size":5}' }));
    const mails = await waitForMails("json@example.com", 2);
    expect(JSON.parse(mails[1]!.body)).toMatchObject({ Type: "Notification", TopicArn: topicArn, Message: '{"size":5}' });

    cloud = await cloud.restart();
    const again = await outbox("?address=json@example.com");
    expect(again.map((m) => m.id)).toEqual(mails.map((m) => m.id));
    sns.destroy();
    sns = new SNSClient(cloud.clientConfig);
  }, 60_000);

  it("npm run outbox: --confirm opens the link, <address> --json lists the mails (signed with the admin credentials)", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "kit-command" }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "kit@example.com" }));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "outbox-home-"));
    try {
      const run = async (args: string[]) => {
        const p = kitProcess("outbox", ["--endpoint-url", cloud.endpoint, ...args], { S3_EVENT_LABS_HOME: home, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
        const code = await p.exited;
        return { code, out: p.output() };
      };
      const confirmed = await run(["--confirm", "kit@example.com", "--json"]);
      expect(confirmed.code, confirmed.out).toBe(0);
      expect(JSON.parse(confirmed.out.slice(confirmed.out.indexOf("{"))).confirmed).toMatch(/:kit-command:/);
      await sns.send(new PublishCommand({ TopicArn, Message: "via the kit", Subject: "Kit" }));
      await waitForMails("kit@example.com", 2);
      const listed = await run(["kit@example.com"]);
      expect(listed.code, listed.out).toBe(0);
      expect(listed.out).toContain("AWS Notification - Subscription Confirmation");
      expect(listed.out).toMatch(/Kit {2}\(email, Notification, to kit@example.com/);
      expect(listed.out).toContain("via the kit");
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it("an endpoint that is not an email address is refused", async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "other-topic" }));
    const err = await errorOf(sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "not-an-address" })));
    expect(err.name).toBe("InvalidParameterException");
  });
});

function waitForMails(address: string, n: number): Promise<SnsOutboxMessage[]> {
  return eventually(async () => {
    const mails = await outbox(`?address=${encodeURIComponent(address)}`);
    return mails.length >= n ? mails : undefined;
  });
}
