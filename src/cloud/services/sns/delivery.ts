/**
 * Fan-out: one published message to every confirmed subscription of its
 * topic whose filter policy it passes, asynchronously (Publish answers first).
 * - sqs: the queue's policy must let sns.amazonaws.com sqs:SendMessage with
 *   aws:SourceArn = the topic (as on AWS, where a missing permission makes the
 *   delivery fail silently); then the Notification envelope, or the bare
 *   message with its attributes as SQS message attributes under
 *   RawMessageDelivery, goes through cloud.destinations (retried, traced).
 * - lambda: the function's policy must let sns.amazonaws.com invoke it; then an
 *   asynchronous invoke with the Lambda event.
 * - http/https: a POST with SNS's headers, retried per the default delivery
 *   policy (3 retries 20 s apart, time-scaled), traced like the others.
 * - email/email-json: written to the local outbox (outbox.ts), never sent;
 *   sms: recorded in the trace and the log, never sent.
 * SQS and Lambda deliveries are retried on AWS's schedule for AWS-managed
 * endpoints (retry-policy.ts, time-scaled); a client-side failure (endpoint
 * gone, policy denies) is not retried. A delivery that finally fails goes to
 * the subscription's RedrivePolicy dead-letter queue when it has one — if
 * that queue's policy lets sns.amazonaws.com send from this topic, as on AWS.
 * Built-in AWS/SNS metrics (metrics.ts) are counted here, for every message
 * and every subscription.
 */
import type { Cloud } from "../../core/cloud.js";
import type { DeliveryMessage } from "../../core/destinations.js";
import { uuid } from "../../core/ids.js";
import { isAwsError } from "../../core/aws-error.js";
import type { SnsState, SubscriptionRecord, TopicRecord } from "./state.js";
import { subscriptionsOf } from "./state.js";
import { confirmationEnvelope, lambdaEvent, messageFor, notificationEnvelope, unsubscribeUrl, type PublishedMessage } from "./envelopes.js";
import { passesFilter } from "./filter.js";
import { serviceMayAccess } from "../../policy/service-access.js";
import { confirmationMail, notificationMail, SENDER, type Outbox } from "./outbox.js";
import { awsManagedRetryDelays } from "./retry-policy.js";
import { SnsMetrics } from "./metrics.js";

const SNS_PRINCIPAL = "sns.amazonaws.com";
/** AWS's default HTTP delivery policy: 3 retries, 20 s apart (scaled by the cloud's time scale). */
const HTTP_RETRIES = 3;
const HTTP_RETRY_DELAY_MS = 20_000;
const HTTP_TIMEOUT_MS = 15_000;
/** AWS-managed endpoints' schedule (SQS, Lambda), in AWS time. */
const RETRY_DELAYS = awsManagedRetryDelays();

/** SNS retries server-side errors only; a client-side one (4xx but throttling: too large, invalid, denied) goes to the DLQ at once. */
function isServerSideError(err: unknown): boolean {
  if (!isAwsError(err)) return true;
  const status = err.status ?? 400;
  return status >= 500 || status === 429 || /Throttl|TooManyRequests|ServiceUnavailable|RequestLimitExceeded/i.test(err.code);
}

/** "DisplayName <no-reply@sns.amazonaws.com>", as AWS's mails are sent. */
function fromOf(topic: TopicRecord): string {
  return `${topic.attributes.DisplayName || "AWS Notifications"} <${SENDER}>`;
}

export interface FanOutContext {
  correlationId: string;
  lineage?: DeliveryMessage["lineage"];
}

export class SnsDelivery {
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;
  private readonly metrics: SnsMetrics;

  constructor(
    private readonly cloud: Cloud,
    private readonly state: SnsState,
    private readonly outbox: Outbox,
  ) {
    this.metrics = new SnsMetrics(cloud);
  }

  /** The link that confirms a pending subscription: an unsigned GET of ConfirmSubscription on this cloud, as AWS's SubscribeURL is on SNS. */
  subscribeUrl(topic: TopicRecord, sub: SubscriptionRecord): string {
    return `${this.cloud.endpoint}/?Action=ConfirmSubscription&Version=2010-03-31&TopicArn=${encodeURIComponent(topic.arn)}&Token=${encodeURIComponent(sub.token ?? "")}`;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => {});
    return work;
  }

  /** Start delivering to every matching subscriber; resolves when all deliveries have finished. */
  fanOut(topic: TopicRecord, published: PublishedMessage, context: FanOutContext): Promise<void> {
    const subscriptions = subscriptionsOf(this.state, topic.arn).filter((s) => s.confirmed);
    this.metrics.published(topic, Buffer.byteLength(published.message));
    return this.track(
      Promise.all(
        subscriptions.map((sub) =>
          this.deliverOne(topic, sub, published, context).catch((err) => {
            this.cloud.log.error(`sns: delivery to ${sub.endpoint} crashed: ${(err as Error)?.stack ?? err}`);
          }),
        ),
      ).then(() => undefined),
    );
  }

  private async deliverOne(topic: TopicRecord, sub: SubscriptionRecord, published: PublishedMessage, context: FanOutContext): Promise<void> {
    const kind = `sns→${sub.protocol}`;
    const text = messageFor(published, sub.protocol);
    let passes: boolean;
    try {
      passes = passesFilter(sub.attributes, text, published.attributes);
    } catch (err) {
      passes = false;
      this.cloud.log.warn(`sns: filter policy of ${sub.arn} could not be applied: ${(err as Error).message}`);
    }
    if (!passes) {
      this.metrics.filteredOut(topic, sub.attributes.FilterPolicyScope === "MessageBody" ? "MessageBody" : "MessageAttributes");
      this.cloud.trace.record({
        correlationId: context.correlationId,
        kind,
        source: topic.arn,
        target: sub.endpoint,
        status: "info",
        detail: `filtered out by the subscription's FilterPolicy (scope ${sub.attributes.FilterPolicyScope ?? "MessageAttributes"}): ${sub.attributes.FilterPolicy}`.slice(0, 500),
      });
      return;
    }
    const raw = sub.attributes.RawMessageDelivery === "true";
    let ok: boolean;
    let reason: string | undefined;
    switch (sub.protocol) {
      case "sqs":
      case "lambda": {
        const action = sub.protocol === "sqs" ? "sqs:SendMessage" : "lambda:InvokeFunction";
        const decision = serviceMayAccess(this.cloud, this.cloud.destinations.resourcePolicy(sub.endpoint), {
          service: SNS_PRINCIPAL,
          action,
          resource: sub.endpoint,
          sourceArn: topic.arn,
          sourceAccount: topic.account,
        });
        if (!this.cloud.destinations.exists(sub.endpoint)) {
          // A client-side error: SNS does not retry it (straight to the dead-letter queue, if any).
          ok = false;
          reason = `the ${sub.protocol === "sqs" ? "queue" : "function"} ${sub.endpoint} does not exist`;
          this.cloud.trace.record({ correlationId: context.correlationId, kind, source: topic.arn, target: sub.endpoint, status: "failed", detail: `not delivered (not retried: a client-side error): ${reason}` });
          break;
        }
        if (decision.decision !== "Allow") {
          ok = false;
          reason = `the ${sub.protocol === "sqs" ? "queue" : "function"} policy does not allow ${SNS_PRINCIPAL} to ${action} from ${topic.arn} (${decision.explanation}). Add a statement for the service principal with aws:SourceArn = the topic.`;
          this.cloud.trace.record({ correlationId: context.correlationId, kind, source: topic.arn, target: sub.endpoint, status: "failed", detail: `delivery denied: ${reason}` });
          break;
        }
        const body =
          sub.protocol === "lambda"
            ? JSON.stringify(await lambdaEvent(published, sub.arn))
            : raw
              ? text
              : JSON.stringify(await notificationEnvelope(published, "sqs", sub.arn));
        const result = await this.cloud.destinations.deliver(
          sub.endpoint,
          {
            body,
            attributes: sub.protocol === "sqs" && raw && Object.keys(published.attributes).length ? published.attributes : undefined,
            source: { principal: SNS_PRINCIPAL, arn: topic.arn, account: topic.account },
            correlationId: context.correlationId,
            lineage: context.lineage,
          },
          { kind, attempts: RETRY_DELAYS.length + 1, backoffMs: (retry) => this.cloud.scaled(RETRY_DELAYS[retry - 1] ?? 20_000), retryable: isServerSideError },
        );
        ok = result.ok;
        reason = result.error;
        break;
      }
      case "http":
      case "https": {
        const body = raw ? text : JSON.stringify(await notificationEnvelope(published, sub.protocol, sub.arn));
        const result = await this.postWithRetries(sub, topic, "Notification", published.messageId, body, context.correlationId);
        ok = result.ok;
        reason = result.error;
        break;
      }
      case "email":
      case "email-json": {
        const mail =
          sub.protocol === "email-json"
            ? { subject: published.subject ?? "AWS Notification Message", body: JSON.stringify(await notificationEnvelope(published, sub.protocol, sub.arn)) }
            : notificationMail(published.subject, text, unsubscribeUrl(published.region, sub.arn));
        const stored = this.outbox.add({ address: sub.endpoint, protocol: sub.protocol as "email" | "email-json", type: "Notification", topicArn: topic.arn, subscriptionArn: sub.arn, messageId: published.messageId, from: fromOf(topic), ...mail });
        this.cloud.trace.record({ correlationId: context.correlationId, kind, source: topic.arn, target: sub.endpoint, status: "ok", detail: `not sent (the local cloud never sends ${sub.protocol}): written to the local outbox, subject "${stored.subject}": ${text.slice(0, 400)}` });
        this.metrics.delivered(topic, true);
        return;
      }
      default: {
        // sms: never sent — shown so a person can see what would have gone out.
        const preview = text;
        this.cloud.trace.record({
          correlationId: context.correlationId,
          kind,
          source: topic.arn,
          target: sub.endpoint,
          status: "info",
          detail: `not sent (the local cloud never sends ${sub.protocol}): ${published.subject ? `subject "${published.subject}", ` : ""}${preview.slice(0, 500)}`,
        });
        this.cloud.log.info(`sns: ${sub.protocol} to ${sub.endpoint} (not sent): ${preview.slice(0, 200)}`);
        return;
      }
    }
    this.metrics.delivered(topic, ok);
    if (!ok) await this.deadLetter(topic, sub, published, context, reason ?? "delivery failed");
  }

  /** Send a message that could not be delivered to the subscription's dead-letter queue, if any. */
  private async deadLetter(topic: TopicRecord, sub: SubscriptionRecord, published: PublishedMessage, context: FanOutContext, reason: string): Promise<void> {
    const redrive = sub.attributes.RedrivePolicy;
    if (!redrive) return;
    let dlq: string | undefined;
    try {
      dlq = (JSON.parse(redrive) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    } catch {
      dlq = undefined;
    }
    if (!dlq) return;
    if (!this.cloud.destinations.exists(dlq)) {
      this.cloud.trace.record({ correlationId: context.correlationId, kind: "sns.dlq", source: sub.arn, target: dlq, status: "failed", detail: `the message is lost: the subscription's dead-letter queue does not exist (${reason})` });
      return;
    }
    const decision = serviceMayAccess(this.cloud, this.cloud.destinations.resourcePolicy(dlq), { service: SNS_PRINCIPAL, action: "sqs:SendMessage", resource: dlq, sourceArn: topic.arn, sourceAccount: topic.account });
    if (decision.decision !== "Allow") {
      this.cloud.trace.record({
        correlationId: context.correlationId, kind: "sns.dlq", source: sub.arn, target: dlq, status: "failed",
        detail: `the message is lost: the dead-letter queue's policy does not let ${SNS_PRINCIPAL} sqs:SendMessage from ${topic.arn} (${decision.explanation}); it failed because ${reason}`,
      });
      return;
    }
    const raw = sub.attributes.RawMessageDelivery === "true";
    const body = raw ? messageFor(published, sub.protocol) : JSON.stringify(await notificationEnvelope(published, sub.protocol, sub.arn));
    this.cloud.trace.record({ correlationId: context.correlationId, kind: "sns.dlq", source: sub.arn, target: dlq, status: "info", detail: `moving to the subscription's dead-letter queue: ${reason}` });
    await this.cloud.destinations.deliver(
      dlq,
      {
        body,
        attributes: Object.keys(published.attributes).length ? published.attributes : undefined,
        source: { principal: SNS_PRINCIPAL, arn: topic.arn, account: topic.account },
        correlationId: context.correlationId,
        lineage: context.lineage,
      },
      { kind: "sns→dlq" },
    );
  }

  /** POST to an HTTP/S endpoint with SNS's headers; retried, every attempt traced. */
  private async postWithRetries(
    sub: SubscriptionRecord,
    topic: TopicRecord,
    type: "Notification" | "SubscriptionConfirmation",
    messageId: string,
    body: string,
    correlationId: string,
  ): Promise<{ ok: boolean; error?: string }> {
    const headers: Record<string, string> = {
      "content-type": "text/plain; charset=UTF-8",
      "user-agent": "Amazon Simple Notification Service Agent",
      "x-amz-sns-message-type": type,
      "x-amz-sns-message-id": messageId,
      "x-amz-sns-topic-arn": topic.arn,
    };
    if (type === "Notification") headers["x-amz-sns-subscription-arn"] = sub.arn;
    if (sub.attributes.RawMessageDelivery === "true" && type === "Notification") headers["x-amz-sns-rawdelivery"] = "true";
    const kind = `sns→${sub.protocol}`;
    let error = "";
    for (let attempt = 1; attempt <= HTTP_RETRIES + 1; attempt++) {
      if (this.closed) return { ok: false, error: "the cloud is shutting down" };
      try {
        const res = await fetch(sub.endpoint, { method: "POST", headers, body, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) {
          this.cloud.trace.record({ correlationId, kind, source: topic.arn, target: sub.endpoint, status: "ok", attempt: attempt > 1 ? attempt : undefined, detail: type === "Notification" ? undefined : type });
          return { ok: true };
        }
        error = `the endpoint answered HTTP ${res.status}`;
      } catch (err) {
        error = `the endpoint could not be reached: ${(err as Error).cause ? String((err as Error & { cause: unknown }).cause) : (err as Error).message}`;
      }
      const final = attempt === HTTP_RETRIES + 1;
      this.cloud.trace.record({ correlationId, kind, source: topic.arn, target: sub.endpoint, status: final ? "failed" : "retry", attempt, detail: final ? `gave up after ${attempt} attempts: ${error}` : error });
      if (!final) await new Promise((r) => setTimeout(r, this.cloud.scaled(HTTP_RETRY_DELAY_MS)));
    }
    return { ok: false, error };
  }

  /** Send the SubscriptionConfirmation handshake to a new HTTP/S subscription. */
  confirmHttp(topic: TopicRecord, sub: SubscriptionRecord): void {
    const work = (async () => {
      const messageId = uuid();
      const subscribeUrl = this.subscribeUrl(topic, sub);
      const envelope = await confirmationEnvelope({
        messageId,
        topicArn: topic.arn,
        region: topic.region,
        token: sub.token ?? "",
        subscribeUrl,
        timestamp: new Date().toISOString(),
        signatureVersion: topic.attributes.SignatureVersion ?? "1",
      });
      await this.postWithRetries(sub, topic, "SubscriptionConfirmation", messageId, JSON.stringify(envelope), this.cloud.trace.newCorrelationId());
    })();
    void this.track(work).catch((err) => this.cloud.log.error(`sns: confirmation to ${sub.endpoint} crashed: ${err}`));
  }

  /** Write the confirmation mail of a new email/email-json subscription to the outbox (never sent). */
  async confirmEmail(topic: TopicRecord, sub: SubscriptionRecord): Promise<void> {
    const messageId = uuid();
    const subscribeUrl = this.subscribeUrl(topic, sub);
    const token = sub.token ?? "";
    const mail =
      sub.protocol === "email-json"
        ? {
            subject: "AWS Notification - Subscription Confirmation",
            body: JSON.stringify(await confirmationEnvelope({ messageId, topicArn: topic.arn, region: topic.region, token, subscribeUrl, timestamp: new Date().toISOString(), signatureVersion: topic.attributes.SignatureVersion ?? "1" })),
          }
        : confirmationMail(topic.arn, subscribeUrl);
    this.outbox.add({ address: sub.endpoint, protocol: sub.protocol as "email" | "email-json", type: "SubscriptionConfirmation", topicArn: topic.arn, subscriptionArn: sub.arn, messageId, from: fromOf(topic), subscribeUrl, token, ...mail });
    this.cloud.trace.record({
      correlationId: this.cloud.trace.newCorrelationId(),
      kind: `sns→${sub.protocol}`,
      source: topic.arn,
      target: sub.endpoint,
      status: "info",
      detail: `confirmation written to the local outbox (never sent): npm run outbox -- ${sub.endpoint}; or aws sns confirm-subscription --topic-arn ${topic.arn} --token ${token}`,
    });
  }

  /** Wait for running deliveries (close, tests). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.race([this.drain(), new Promise((r) => setTimeout(r, 2000))]);
  }
}
