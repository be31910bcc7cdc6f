/**
 * The local email outbox (lab 05): what SNS "sent" to email and email-json
 * subscriptions, per address, read through the `sns-outbox` internal API
 * (sns/outbox.ts) — the console keeps nothing of its own. Topics link their
 * email subscriptions here (messaging.ts). A confirmation's link is shown as
 * text: the console never follows it (following it confirms the
 * subscription, which is the learner's step to take).
 */
import type { SnsOutboxInternalApi } from "../../core/internal-apis.js";
import type { ResourceKind, Section } from "./types.js";

const NEWEST = 50;

function typeLabel(type: string): string {
  return type === "SubscriptionConfirmation" ? "Confirmation" : type;
}

export const outbox: ResourceKind = {
  kind: "outbox",
  title: "Email outbox",
  async list({ cloud }) {
    const api = cloud.use<SnsOutboxInternalApi>("sns-outbox");
    if (!api) return { columns: ["address"], items: [], note: "This cloud has no email outbox." };
    return {
      columns: ["address", "mails", "last sent"],
      items: api.addresses().map((a) => ({ id: a.address, name: a.address, cells: [a.address, a.messages, a.lastSentAt] })),
    };
  },
  async detail({ cloud }, address) {
    const api = cloud.use<SnsOutboxInternalApi>("sns-outbox");
    if (!api) return { title: `outbox ${address}`, sections: [{ type: "text", title: "Mails", text: "This cloud has no email outbox." }] };
    const all = api.list({ address });
    const mails = all.slice(-NEWEST).reverse();
    const sections: Section[] = [
      {
        type: "table",
        title: `Mails to ${address} (${all.length}${all.length > NEWEST ? `, newest ${NEWEST} shown` : ""})`,
        columns: ["sent", "type", "subject", "topic", "protocol"],
        rows: mails.map((m) => ({ cells: [m.sentAt, typeLabel(m.type), m.subject, m.topicArn.split(":").pop(), m.protocol] })),
        note: all.length ? undefined : "Nothing was sent to this address.",
      },
    ];
    for (const m of mails) {
      sections.push({
        type: "kv",
        title: `${m.sentAt} · ${typeLabel(m.type)} · ${m.subject}`,
        rows: [
          ["from", m.from],
          ["topic", m.topicArn],
          ["subscription", m.subscriptionArn],
          ["message id", m.messageId],
          // Text only: opening it would confirm the subscription (aws sns confirm-subscription, or npm run outbox).
          ["confirmation link (not followed)", m.subscribeUrl],
        ],
      });
      sections.push({ type: "text", title: "body", text: m.body, pre: true });
    }
    return { title: `outbox ${address}`, sections };
  },
};
