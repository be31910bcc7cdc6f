/**
 * Subscription operations: Subscribe (sqs and lambda confirmed at once;
 * http/https pending until the endpoint answers the SubscriptionConfirmation
 * handshake through ConfirmSubscription; email/email-json pending, their token
 * shown in the log since no mail is sent), ConfirmSubscription, Unsubscribe,
 * ListSubscriptions(ByTopic), Get/SetSubscriptionAttributes with
 * RawMessageDelivery, FilterPolicy + FilterPolicyScope, RedrivePolicy and
 * DeliveryPolicy.
 */
import type { RequestContext } from "../../core/context.js";
import type { Cloud } from "../../core/cloud.js";
import { hex, uuid } from "../../core/ids.js";
import { AwsError } from "../../core/aws-error.js";
import { entries, members } from "../../protocols/xml.js";
import type { SnsState, SubscriptionRecord, TopicRecord } from "./state.js";
import { subscriptionsOf } from "./state.js";
import { invalidParameter, missingParameter, subscriptionNotFound } from "./errors.js";
import { requireTopic, DEFAULT_EFFECTIVE_DELIVERY_POLICY } from "./topics.js";
import { validateFilterPolicy, validateFilterPolicyScope } from "./filter.js";

const PAGE = 100;
const SUPPORTED = new Set(["sqs", "lambda", "http", "https", "email", "email-json"]);
const AWS_ONLY = new Set(["sms", "application", "firehose"]);
const SETTABLE = new Set(["RawMessageDelivery", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy", "DeliveryPolicy", "SubscriptionRoleArn", "ReplayPolicy"]);

function validateEndpoint(protocol: string, endpoint: string): void {
  switch (protocol) {
    case "sqs":
      if (!/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}$/.test(endpoint)) throw invalidParameter("SQS endpoint ARN");
      return;
    case "lambda":
      if (!/^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/.test(endpoint)) throw invalidParameter("Lambda endpoint ARN");
      return;
    case "http":
    case "https":
      if (!endpoint.toLowerCase().startsWith(`${protocol}://`)) throw invalidParameter("Endpoint must match the specified protocol");
      try {
        new URL(endpoint);
      } catch {
        throw invalidParameter("Endpoint must be a valid URL");
      }
      return;
    default:
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(endpoint)) throw invalidParameter("Email address");
  }
}

/** Validate one subscription attribute as SetSubscriptionAttributes does; returns the value to store. */
function validateSubscriptionAttribute(sub: Pick<SubscriptionRecord, "protocol" | "attributes">, name: string, value: string): string {
  if (!SETTABLE.has(name)) throw invalidParameter("AttributeName");
  switch (name) {
    case "RawMessageDelivery": {
      const v = value.toLowerCase();
      if (v !== "true" && v !== "false") throw invalidParameter("RawMessageDelivery: Invalid value [" + value + "]. Must be true or false.");
      if (v === "true" && !["sqs", "http", "https", "firehose"].includes(sub.protocol)) {
        throw invalidParameter(`Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
      }
      return v;
    }
    case "FilterPolicy":
      if (value !== "") validateFilterPolicy(value, sub.attributes.FilterPolicyScope);
      return value;
    case "FilterPolicyScope":
      validateFilterPolicyScope(value);
      if (sub.attributes.FilterPolicy) validateFilterPolicy(sub.attributes.FilterPolicy, value);
      return value;
    case "RedrivePolicy": {
      if (value === "") return value;
      let parsed: { deadLetterTargetArn?: unknown };
      try {
        parsed = JSON.parse(value);
      } catch {
        throw invalidParameter("RedrivePolicy: Invalid JSON");
      }
      if (typeof parsed?.deadLetterTargetArn !== "string" || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/.test(parsed.deadLetterTargetArn)) {
        throw invalidParameter("RedrivePolicy: deadLetterTargetArn is an invalid arn");
      }
      return value;
    }
    case "DeliveryPolicy":
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter("DeliveryPolicy: Invalid JSON");
      }
      return value;
    default:
      return value;
  }
}

function requireSubscription(state: SnsState, arn: unknown): SubscriptionRecord {
  if (arn === undefined || arn === "") throw missingParameter("SubscriptionArn");
  if (typeof arn !== "string" || !/^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+:[0-9a-f-]{36}$/.test(arn)) throw invalidParameter("SubscriptionArn");
  const sub = state.subscriptions.get(arn);
  if (!sub) throw subscriptionNotFound();
  return sub;
}

function listing(subs: SubscriptionRecord[], nextToken: string | undefined) {
  const start = nextToken ? Number(Buffer.from(nextToken, "base64").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalidParameter("NextToken");
  const page = subs.slice(start, start + PAGE);
  return {
    Subscriptions: members(
      page.map((s) => ({
        SubscriptionArn: s.confirmed ? s.arn : "PendingConfirmation",
        Owner: s.account,
        Protocol: s.protocol,
        Endpoint: s.endpoint,
        TopicArn: s.topicArn,
      })),
    ),
    NextToken: start + PAGE < subs.length ? Buffer.from(String(start + PAGE)).toString("base64") : undefined,
  };
}

export interface SubscriptionHooks {
  /** A new http/https subscription: send the handshake. */
  confirmHttp(topic: TopicRecord, sub: SubscriptionRecord): void;
  /** A new email/email-json subscription: write the confirmation mail to the outbox. */
  confirmEmail(topic: TopicRecord, sub: SubscriptionRecord): Promise<void>;
}

export function subscriptionHandlers(cloud: Cloud, state: SnsState, hooks: SubscriptionHooks) {
  function removeSubscription(sub: SubscriptionRecord): void {
    state.subscriptions.delete(sub.arn);
    const topic = state.topics.get(sub.topicArn);
    if (topic) state.topics.set(topic.arn, { ...topic, deletedSubscriptions: topic.deletedSubscriptions + 1 });
  }

  return {
    async Subscribe(ctx: RequestContext, input: { TopicArn?: string; Protocol?: string; Endpoint?: string; Attributes?: Record<string, string>; ReturnSubscriptionArn?: string }) {
      const topic = requireTopic(state, input.TopicArn);
      if (input.Protocol === undefined) throw missingParameter("Protocol");
      const protocol = String(input.Protocol).toLowerCase();
      if (AWS_ONLY.has(protocol)) throw invalidParameter(`Protocol Reason: the local cloud does not deliver to ${protocol} subscriptions. Supported: ${[...SUPPORTED].join(", ")}.`);
      if (!SUPPORTED.has(protocol)) throw invalidParameter(`Amazon SNS does not support this protocol string: ${input.Protocol}`);
      const endpoint = input.Endpoint === undefined ? "" : String(input.Endpoint);
      validateEndpoint(protocol, endpoint);
      const attributes: Record<string, string> = {};
      const draft = { protocol, attributes };
      // FilterPolicyScope first, so FilterPolicy is validated against the right scope.
      const requested = Object.entries((input.Attributes ?? {}) as Record<string, string>).sort(([a], [b]) => (a === "FilterPolicyScope" ? -1 : b === "FilterPolicyScope" ? 1 : 0));
      for (const [k, v] of requested) {
        try {
          attributes[k] = validateSubscriptionAttribute(draft, k, String(v));
        } catch (err) {
          // Subscribe words attribute errors "Invalid parameter: Attributes Reason: …" (SetSubscriptionAttributes without the reason).
          if (err instanceof AwsError && err.code === "InvalidParameter" && !err.message.includes("Attributes Reason:")) throw new AwsError("InvalidParameter", err.message.replace(/^Invalid parameter: /, "Invalid parameter: Attributes Reason: "));
          throw err;
        }
      }
      if (attributes.FilterPolicy && !attributes.FilterPolicyScope) attributes.FilterPolicyScope = "MessageAttributes";

      const existing = subscriptionsOf(state, topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
      if (existing) {
        for (const [k, v] of Object.entries(attributes)) {
          if ((existing.attributes[k] ?? "") !== v) throw invalidParameter("Attributes Reason: Subscription already exists with different attributes");
        }
        const showArn = existing.confirmed || input.ReturnSubscriptionArn === "true";
        return { SubscriptionArn: showArn ? existing.arn : "pending confirmation" };
      }
      const confirmedAtOnce = protocol === "sqs" || protocol === "lambda";
      const sub: SubscriptionRecord = {
        arn: `${topic.arn}:${uuid()}`,
        topicArn: topic.arn,
        account: ctx.account,
        protocol,
        endpoint,
        confirmed: confirmedAtOnce,
        token: confirmedAtOnce ? undefined : hex(64),
        attributes,
        confirmationWasAuthenticated: confirmedAtOnce,
        createdAt: new Date().toISOString(),
      };
      state.subscriptions.set(sub.arn, sub);
      if (protocol === "http" || protocol === "https") hooks.confirmHttp(topic, sub);
      if (protocol === "email" || protocol === "email-json") {
        await hooks.confirmEmail(topic, sub);
        cloud.log.info(`sns: subscription of ${endpoint} to ${topic.arn} is pending confirmation; the confirmation is in the local outbox (npm run outbox), never sent. Confirm with token ${sub.token}`);
      }
      return { SubscriptionArn: confirmedAtOnce || input.ReturnSubscriptionArn === "true" ? sub.arn : "pending confirmation" };
    },

    ConfirmSubscription(_ctx: RequestContext, input: { TopicArn?: string; Token?: string; AuthenticateOnUnsubscribe?: string }) {
      const topic = requireTopic(state, input.TopicArn);
      if (input.Token === undefined) throw missingParameter("Token");
      const sub = subscriptionsOf(state, topic.arn).find((s) => s.token !== undefined && s.token === input.Token);
      if (!sub) throw invalidParameter("Token");
      state.subscriptions.set(sub.arn, { ...sub, confirmed: true, confirmationWasAuthenticated: input.AuthenticateOnUnsubscribe === "true" });
      cloud.log.info(`sns: ${sub.protocol} subscription ${sub.endpoint} to ${topic.arn} confirmed`);
      return { SubscriptionArn: sub.arn };
    },

    Unsubscribe(_ctx: RequestContext, input: { SubscriptionArn?: string }) {
      removeSubscription(requireSubscription(state, input.SubscriptionArn));
      return {};
    },

    ListSubscriptions(ctx: RequestContext, input: { NextToken?: string }) {
      const subs = [...state.subscriptions.values()]
        .filter((s) => s.account === ctx.account && s.topicArn.split(":")[3] === ctx.region)
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
      return listing(subs, input.NextToken);
    },

    ListSubscriptionsByTopic(_ctx: RequestContext, input: { TopicArn?: string; NextToken?: string }) {
      const topic = requireTopic(state, input.TopicArn);
      return listing(subscriptionsOf(state, topic.arn), input.NextToken);
    },

    GetSubscriptionAttributes(_ctx: RequestContext, input: { SubscriptionArn?: string }) {
      const sub = requireSubscription(state, input.SubscriptionArn);
      const attributes: Record<string, string> = {
        ConfirmationWasAuthenticated: String(sub.confirmationWasAuthenticated),
        PendingConfirmation: String(!sub.confirmed),
        Owner: sub.account,
        RawMessageDelivery: sub.attributes.RawMessageDelivery ?? "false",
        SubscriptionArn: sub.arn,
        TopicArn: sub.topicArn,
        Protocol: sub.protocol,
        Endpoint: sub.endpoint,
        SubscriptionPrincipal: `arn:aws:iam::${sub.account}:root`,
      };
      for (const [k, v] of Object.entries(sub.attributes)) if (k !== "RawMessageDelivery" && v !== "") attributes[k] = v;
      if (sub.protocol === "http" || sub.protocol === "https") attributes.EffectiveDeliveryPolicy = sub.attributes.DeliveryPolicy ?? DEFAULT_EFFECTIVE_DELIVERY_POLICY;
      return { Attributes: entries(attributes) };
    },

    SetSubscriptionAttributes(_ctx: RequestContext, input: { SubscriptionArn?: string; AttributeName?: string; AttributeValue?: string }) {
      const sub = requireSubscription(state, input.SubscriptionArn);
      if (input.AttributeName === undefined) throw missingParameter("AttributeName");
      const name = String(input.AttributeName);
      const value = validateSubscriptionAttribute(sub, name, input.AttributeValue === undefined ? "" : String(input.AttributeValue));
      const attributes = { ...sub.attributes };
      if (value === "") delete attributes[name];
      else attributes[name] = value;
      if (name === "FilterPolicy") {
        if (value === "") delete attributes.FilterPolicyScope;
        else attributes.FilterPolicyScope ??= "MessageAttributes";
      }
      state.subscriptions.set(sub.arn, { ...sub, attributes });
      return {};
    },
  };
}
