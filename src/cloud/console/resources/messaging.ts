/**
 * Queues (attributes, dead-letter queue, messages peeked without receiving
 * them), topics with their subscriptions (email ones link to the outbox,
 * outbox.ts), and EventBridge rules with their
 * targets. Peeking goes through SQS's internal API (`peek`): ReceiveMessage
 * would count a receive and hide the message, changing what the learner is
 * trying to look at.
 */
import type { SqsInternalApi } from "../../core/internal-apis.js";
import type { ResourceKind, Section } from "./types.js";
import { failure } from "./types.js";

/** The dead-letter target ARN of a queue's or a subscription's RedrivePolicy attribute. */
function deadLetterTargetOf(redrivePolicy: string | undefined): string | undefined {
  return redrivePolicy ? (JSON.parse(redrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn : undefined;
}

export const queues: ResourceKind = {
  kind: "queues",
  title: "Queues",
  async list({ sqs, sdk }) {
    const out = await sqs.send(new sdk.sqs.ListQueuesCommand({ MaxResults: 1000 }));
    const items = await Promise.all(
      (out.QueueUrls ?? []).map(async (url) => {
        const attrs = (await sqs.send(new sdk.sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] })).catch(() => undefined))?.Attributes;
        const name = url.slice(url.lastIndexOf("/") + 1);
        const dlq = deadLetterTargetOf(attrs?.RedrivePolicy)?.split(":").pop();
        return { id: url, name, cells: [name, attrs?.ApproximateNumberOfMessages, attrs?.ApproximateNumberOfMessagesNotVisible, dlq ?? ""] };
      }),
    );
    return { columns: ["queue", "visible", "in flight", "dead-letter queue"], items };
  },
  async detail({ sqs, sdk, cloud }, url) {
    const attrs = (await sqs.send(new sdk.sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes ?? {};
    const sections: Section[] = [];
    const { Policy, RedrivePolicy, ...plain } = attrs;
    sections.push({ type: "kv", title: "Attributes", rows: Object.entries(plain) });
    if (RedrivePolicy) {
      const redrive = JSON.parse(RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number };
      sections.push({ type: "kv", title: "Dead-letter queue", rows: [["target", redrive.deadLetterTargetArn], ["after receives", redrive.maxReceiveCount]] });
    }
    const sources = await sqs.send(new sdk.sqs.ListDeadLetterSourceQueuesCommand({ QueueUrl: url })).catch(() => undefined);
    if (sources?.queueUrls?.length) sections.push({ type: "table", title: "Dead-letter queue of", columns: ["queue"], rows: sources.queueUrls.map((u) => ({ cells: [u.slice(u.lastIndexOf("/") + 1)], open: { kind: "queues", id: u } })) });
    if (Policy) sections.push({ type: "json", title: "Queue policy", value: JSON.parse(Policy) });
    const api = cloud.use<SqsInternalApi>("sqs");
    const arn = attrs.QueueArn;
    if (api?.peek && arn) {
      const messages = api.peek(arn, 100);
      sections.push({
        type: "json",
        title: `Messages (${messages.length}, peeked: not received, counts unchanged)`,
        value: messages.map((m) => ({ messageId: m.messageId, state: m.state, sent: new Date(m.sentTimestamp).toISOString(), receiveCount: m.receiveCount, body: parseMaybe(m.body), attributes: Object.keys(m.messageAttributes).length ? m.messageAttributes : undefined })),
      });
    } else sections.push({ type: "text", title: "Messages", text: "This cloud's SQS cannot be peeked." });
    return { title: `queue ${url.slice(url.lastIndexOf("/") + 1)}`, sections };
  },
};

export const topics: ResourceKind = {
  kind: "topics",
  title: "Topics",
  async list({ sns, sdk }) {
    const out = await sns.send(new sdk.sns.ListTopicsCommand({}));
    return { columns: ["topic", "ARN"], items: (out.Topics ?? []).map((t) => ({ id: t.TopicArn!, name: t.TopicArn!.split(":").pop()!, cells: [t.TopicArn!.split(":").pop(), t.TopicArn] })) };
  },
  async detail({ sns, sdk }, arn) {
    const sections: Section[] = [];
    const attrs = (await sns.send(new sdk.sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes ?? {};
    const { Policy, EffectiveDeliveryPolicy: _d, ...plain } = attrs;
    sections.push({ type: "kv", title: "Attributes", rows: Object.entries(plain) });
    try {
      const subs = await sns.send(new sdk.sns.ListSubscriptionsByTopicCommand({ TopicArn: arn }));
      const rows = await Promise.all(
        (subs.Subscriptions ?? []).map(async (s) => {
          const a = s.SubscriptionArn && s.SubscriptionArn.startsWith("arn:") ? (await sns.send(new sdk.sns.GetSubscriptionAttributesCommand({ SubscriptionArn: s.SubscriptionArn })).catch(() => undefined))?.Attributes : undefined;
          // An email subscription links to what the outbox (outbox.ts) holds for its address.
          const open = (s.Protocol === "email" || s.Protocol === "email-json") && s.Endpoint ? { kind: "outbox", id: s.Endpoint } : undefined;
          return { open, cells: [s.Protocol, s.Endpoint, s.SubscriptionArn?.startsWith("arn:") ? "confirmed" : s.SubscriptionArn, a?.FilterPolicy ?? "", a?.RawMessageDelivery ?? "", deadLetterTargetOf(a?.RedrivePolicy) ?? ""] };
        }),
      );
      const note = rows.some((r) => r.open) ? "An email subscription opens its address's mails in the email outbox." : undefined;
      sections.push({ type: "table", title: "Subscriptions", columns: ["protocol", "endpoint", "state", "filter policy", "raw", "dead-letter queue"], rows, note });
    } catch (err) {
      sections.push(failure("Subscriptions", err));
    }
    if (Policy) sections.push({ type: "json", title: "Topic policy", value: JSON.parse(Policy) });
    return { title: `topic ${arn.split(":").pop()}`, sections };
  },
};

export const rules: ResourceKind = {
  kind: "rules",
  title: "Rules",
  async list({ events, sdk }) {
    const buses = (await events.send(new sdk.events.ListEventBusesCommand({}))).EventBuses ?? [];
    const perBus = await Promise.all(
      buses.map(async (bus) => {
        const out = await events.send(new sdk.events.ListRulesCommand({ EventBusName: bus.Name }));
        return (out.Rules ?? []).map((r) => ({ id: JSON.stringify({ bus: bus.Name, name: r.Name }), name: r.Name!, cells: [r.Name, bus.Name, r.State, r.EventPattern ?? r.ScheduleExpression] }));
      }),
    );
    const items = perBus.flat();
    return { columns: ["rule", "bus", "state", "pattern / schedule"], items };
  },
  async detail({ events, sdk }, id) {
    const { bus, name } = JSON.parse(id) as { bus: string; name: string };
    const rule = await events.send(new sdk.events.DescribeRuleCommand({ Name: name, EventBusName: bus }));
    const targets = await events.send(new sdk.events.ListTargetsByRuleCommand({ Rule: name, EventBusName: bus }));
    const sections: Section[] = [
      { type: "kv", title: "Rule", rows: [["bus", bus], ["state", rule.State], ["schedule", rule.ScheduleExpression], ["ARN", rule.Arn]] },
    ];
    if (rule.EventPattern) sections.push({ type: "json", title: "Event pattern", value: JSON.parse(rule.EventPattern) });
    sections.push({ type: "table", title: "Targets", columns: ["id", "ARN", "input", "dead-letter queue"], rows: (targets.Targets ?? []).map((t) => ({ cells: [t.Id, t.Arn, t.Input ?? t.InputPath ?? (t.InputTransformer ? "transformer" : ""), t.DeadLetterConfig?.Arn ?? ""] })) });
    return { title: `rule ${name}`, sections };
  },
};

function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
