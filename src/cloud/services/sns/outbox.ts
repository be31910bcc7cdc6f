/**
 * The local email outbox: what SNS "sends" to email and email-json
 * subscriptions is written here instead (nothing ever leaves this machine),
 * one message per address, kept in the cloud's store so it survives a
 * restart (and kill -9: the store writes atomically) and is forgotten by
 * /_localcloud/reset. Read through the admin API (GET /_localcloud/outbox,
 * admin-only: it holds confirmation tokens), `npm run outbox`, and the
 * `sns-outbox` internal API (core/internal-apis.ts) for the console.
 *
 * What a message looks like (aws-behavior.md §12):
 * - email-json: the body is the JSON AWS mails — the SubscriptionConfirmation
 *   document (Token, SubscribeURL, "You have chosen to subscribe to the topic …")
 *   or the Notification envelope, exactly as an HTTP subscriber gets them.
 * - email: plain text. The confirmation has AWS's subject "AWS Notification -
 *   Subscription Confirmation" and a "Confirm subscription" link; a
 *   notification has the publish's Subject (or "AWS Notification Message"),
 *   the message text and an unsubscribe footer (its wording is UNCERTAIN:
 *   AWS's mail is HTML plus text, not documented to the letter).
 *
 * By design: at most KEEP_PER_ADDRESS messages per address are kept (the
 * oldest go first), so a bench or a loop cannot grow the store without end.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";
import type { SnsOutboxInternalApi, SnsOutboxMessage } from "../../core/internal-apis.js";

export const KEEP_PER_ADDRESS = 500;
/** The sender AWS's notification mails come from (the topic's DisplayName replaces the name part). */
export const SENDER = "no-reply@sns.amazonaws.com";

export class Outbox implements SnsOutboxInternalApi {
  private readonly table: Table<SnsOutboxMessage>;
  private seq = 0;

  constructor(cloud: Cloud) {
    this.table = cloud.store.table<SnsOutboxMessage>("sns.outbox");
  }

  /** Record one "sent" mail; returns it with its id. */
  add(message: Omit<SnsOutboxMessage, "id" | "sentAt">): SnsOutboxMessage {
    const sentAt = new Date().toISOString();
    // Sortable ids: time, then a counter for messages of the same millisecond.
    const id = `${sentAt}-${String(this.seq++ % 1_000_000).padStart(6, "0")}`;
    const full: SnsOutboxMessage = { id, sentAt, ...message };
    this.table.set(id, full);
    this.trim(message.address);
    return full;
  }

  private trim(address: string): void {
    const mine = this.list({ address });
    for (const old of mine.slice(0, Math.max(0, mine.length - KEEP_PER_ADDRESS))) this.table.delete(old.id);
  }

  list(filter: { address?: string; topicArn?: string; since?: string } = {}): SnsOutboxMessage[] {
    const address = filter.address?.toLowerCase();
    const out: SnsOutboxMessage[] = [];
    for (const m of this.table.values()) {
      if (address && m.address.toLowerCase() !== address) continue;
      if (filter.topicArn && m.topicArn !== filter.topicArn) continue;
      if (filter.since && m.sentAt < filter.since) continue;
      out.push(m);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  addresses(): Array<{ address: string; messages: number; lastSentAt: string }> {
    const by = new Map<string, { address: string; messages: number; lastSentAt: string }>();
    for (const m of this.table.values()) {
      const a = by.get(m.address) ?? { address: m.address, messages: 0, lastSentAt: m.sentAt };
      a.messages += 1;
      if (m.sentAt > a.lastSentAt) a.lastSentAt = m.sentAt;
      by.set(m.address, a);
    }
    return [...by.values()].sort((a, b) => a.address.localeCompare(b.address));
  }
}

/** The plain-text confirmation mail of an "email" subscription. */
export function confirmationMail(topicArn: string, subscribeUrl: string): { subject: string; body: string } {
  return {
    subject: "AWS Notification - Subscription Confirmation",
    body:
      `You have chosen to subscribe to the topic:\n${topicArn}\n\n` +
      `To confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n` +
      `Confirm subscription: ${subscribeUrl}\n`,
  };
}

/** The plain-text mail of a notification to an "email" subscription. */
export function notificationMail(subject: string | undefined, message: string, unsubscribeUrl: string): { subject: string; body: string } {
  return {
    subject: subject ?? "AWS Notification Message",
    body:
      `${message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${unsubscribeUrl}\n\n` +
      `Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support\n`,
  };
}
