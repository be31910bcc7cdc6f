/**
 * Topic operations: CreateTopic (idempotent by name), DeleteTopic,
 * ListTopics, Get/SetTopicAttributes, TagResource / UntagResource /
 * ListTagsForResource. New topics get AWS's default topic policy (the owner
 * account may do everything; no service principal may publish — which is why
 * S3 → SNS needs a policy statement for s3.amazonaws.com).
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { entries, members } from "../../protocols/xml.js";
import type { SnsState, TopicRecord } from "./state.js";
import { subscriptionsOf } from "./state.js";
import { invalidParameter, missingParameter, topicNotFound } from "./errors.js";

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const PAGE = 100;

/** Attributes CreateTopic/SetTopicAttributes accept (SNS API reference, SetTopicAttributes). */
const SETTABLE = new Set([
  "DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
  "ArchivePolicy", "DataProtectionPolicy",
  ...["Application", "Firehose", "HTTP", "Lambda", "SQS"].flatMap((p) => [`${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`]),
]);

export const DEFAULT_EFFECTIVE_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: "linear" },
    disableSubscriptionOverrides: false,
    defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" },
  },
});

export function defaultTopicPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
          "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
        ],
        Resource: arn,
        Condition: { StringEquals: { "AWS:SourceOwner": account } },
      },
    ],
  });
}

export function topicArn(ctx: RequestContext, name: string): string {
  return `arn:aws:sns:${ctx.region}:${ctx.account}:${name}`;
}

/** Look a topic up by ARN; InvalidParameter for a malformed ARN, NotFound for a missing topic. */
export function requireTopic(state: SnsState, arn: unknown, parameter = "TopicArn"): TopicRecord {
  if (arn === undefined || arn === "") throw missingParameter(parameter);
  if (typeof arn !== "string" || !/^arn:aws:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) throw invalidParameter(parameter);
  const topic = state.topics.get(arn);
  if (!topic) throw topicNotFound();
  return topic;
}

/** Validate one settable attribute's value; returns the value to store. */
export function validateTopicAttribute(name: string, value: string): string {
  if (!SETTABLE.has(name)) {
    if (name === "FifoTopic" || name === "ContentBasedDeduplication" || name === "FifoThroughputScope") {
      throw invalidParameter(`Attributes Reason: ${name} is only for FIFO topics, which the local cloud does not support. Use a standard topic.`);
    }
    throw invalidParameter("AttributeName");
  }
  if (name === "DisplayName" && value.length > 100) throw invalidParameter("DisplayName Reason: must be at most 100 characters");
  if (name === "Policy" || name === "DeliveryPolicy" || name === "DataProtectionPolicy" || name === "ArchivePolicy") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalidParameter(`${name}: Invalid JSON`);
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidParameter(`${name}: must be a JSON object`);
    if (name === "Policy" && !("Statement" in (parsed as object))) throw invalidParameter("Policy Error: Policy is missing required element - Statement");
  }
  if (name === "SignatureVersion" && value !== "1" && value !== "2") throw invalidParameter("SignatureVersion: must be 1 or 2");
  if (name === "TracingConfig" && value !== "PassThrough" && value !== "Active") throw invalidParameter("TracingConfig: must be PassThrough or Active");
  return value;
}

function validateTags(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags === undefined) return out;
  if (!Array.isArray(tags)) throw invalidParameter("Tags");
  for (const tag of tags as Array<{ Key?: string; Value?: string }>) {
    if (typeof tag?.Key !== "string" || tag.Key.length === 0 || tag.Key.length > 128) throw invalidParameter("Tags Reason: Tag keys must be between 1 and 128 characters");
    if (tag.Value !== undefined && (typeof tag.Value !== "string" || tag.Value.length > 256)) throw invalidParameter("Tags Reason: Tag values must be at most 256 characters");
    if (/^aws:/i.test(tag.Key)) throw invalidParameter("Tags Reason: Tag keys must not start with aws:");
    out[tag.Key] = tag.Value ?? "";
  }
  if (Object.keys(out).length > 50) throw new AwsError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
  return out;
}

function sameEntries(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export function topicHandlers(state: SnsState, onDelete: (topic: TopicRecord) => void) {
  return {
    CreateTopic(ctx: RequestContext, input: { Name?: string; Attributes?: Record<string, string>; Tags?: unknown }) {
      if (input.Name === undefined) throw missingParameter("Name");
      const name = String(input.Name);
      const attributes = (input.Attributes ?? {}) as Record<string, string>;
      if (name.endsWith(".fifo") || attributes.FifoTopic === "true") {
        throw invalidParameter("Topic Name Reason: FIFO topics (.fifo, FifoTopic=true) are not supported by the local cloud. Use a standard topic.");
      }
      if (!TOPIC_NAME.test(name)) throw invalidParameter("Topic Name");
      const clean: Record<string, string> = {};
      for (const [k, v] of Object.entries(attributes)) {
        if (k === "FifoTopic" && v === "false") continue;
        clean[k] = validateTopicAttribute(k, String(v));
      }
      const tags = validateTags(input.Tags);
      const arn = topicArn(ctx, name);
      const existing = state.topics.get(arn);
      if (existing) {
        // Idempotent by name, but only with the same attributes and tags (AWS compares them).
        for (const [k, v] of Object.entries(clean)) {
          if (existing.attributes[k] !== v) throw invalidParameter("Attributes Reason: Topic already exists with different attributes");
        }
        if (input.Tags !== undefined && !sameEntries(existing.tags, tags)) throw invalidParameter("Tags Reason: Topic already exists with different tags");
        return { TopicArn: arn };
      }
      state.topics.set(arn, {
        arn,
        name,
        account: ctx.account,
        region: ctx.region,
        attributes: { DisplayName: "", Policy: defaultTopicPolicy(arn, ctx.account), ...clean },
        tags,
        deletedSubscriptions: 0,
        createdAt: new Date().toISOString(),
      });
      return { TopicArn: arn };
    },

    DeleteTopic(_ctx: RequestContext, input: { TopicArn?: string }) {
      if (input.TopicArn === undefined) throw missingParameter("TopicArn");
      const topic = state.topics.get(String(input.TopicArn));
      if (!topic) return {}; // AWS answers success for a topic that does not exist
      for (const sub of subscriptionsOf(state, topic.arn)) state.subscriptions.delete(sub.arn);
      state.topics.delete(topic.arn);
      onDelete(topic);
      return {};
    },

    ListTopics(ctx: RequestContext, input: { NextToken?: string }) {
      const all = [...state.topics.values()].filter((t) => t.account === ctx.account && t.region === ctx.region).sort((a, b) => (a.arn < b.arn ? -1 : 1));
      const start = input.NextToken ? Number(Buffer.from(input.NextToken, "base64").toString()) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalidParameter("NextToken");
      const page = all.slice(start, start + PAGE);
      const next = start + PAGE < all.length ? Buffer.from(String(start + PAGE)).toString("base64") : undefined;
      return { Topics: members(page.map((t) => ({ TopicArn: t.arn }))), NextToken: next };
    },

    GetTopicAttributes(_ctx: RequestContext, input: { TopicArn?: string }) {
      const topic = requireTopic(state, input.TopicArn);
      const subs = subscriptionsOf(state, topic.arn);
      const { Policy, DisplayName, DeliveryPolicy, ...rest } = topic.attributes;
      const attributes: Record<string, string | undefined> = {
        Policy,
        Owner: topic.account,
        SubscriptionsPending: String(subs.filter((s) => !s.confirmed).length),
        TopicArn: topic.arn,
        EffectiveDeliveryPolicy: DeliveryPolicy ?? DEFAULT_EFFECTIVE_DELIVERY_POLICY,
        SubscriptionsConfirmed: String(subs.filter((s) => s.confirmed).length),
        DisplayName: DisplayName ?? "",
        SubscriptionsDeleted: String(topic.deletedSubscriptions),
        DeliveryPolicy,
        ...rest,
      };
      for (const k of Object.keys(attributes)) if (attributes[k] === undefined) delete attributes[k];
      return { Attributes: entries(attributes) };
    },

    SetTopicAttributes(_ctx: RequestContext, input: { TopicArn?: string; AttributeName?: string; AttributeValue?: string }) {
      const topic = requireTopic(state, input.TopicArn);
      if (input.AttributeName === undefined) throw missingParameter("AttributeName");
      const name = String(input.AttributeName);
      const value = input.AttributeValue === undefined ? "" : String(input.AttributeValue);
      const attributes = { ...topic.attributes };
      if (value === "" && name !== "DisplayName") {
        validateTopicAttribute(name, "{}"); // the name must still be valid
        if (name === "Policy") attributes.Policy = defaultTopicPolicy(topic.arn, topic.account); // AWS restores the default
        else delete attributes[name];
      } else {
        attributes[name] = validateTopicAttribute(name, value);
      }
      state.topics.set(topic.arn, { ...topic, attributes });
      return {};
    },

    TagResource(_ctx: RequestContext, input: { ResourceArn?: string; Tags?: unknown }) {
      const topic = requireTaggable(state, input.ResourceArn);
      const tags = { ...topic.tags, ...validateTags(input.Tags ?? []) };
      if (Object.keys(tags).length > 50) throw new AwsError("TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded");
      state.topics.set(topic.arn, { ...topic, tags });
      return {};
    },

    UntagResource(_ctx: RequestContext, input: { ResourceArn?: string; TagKeys?: unknown }) {
      const topic = requireTaggable(state, input.ResourceArn);
      const keys = Array.isArray(input.TagKeys) ? (input.TagKeys as string[]) : [];
      const tags = { ...topic.tags };
      for (const k of keys) delete tags[k];
      state.topics.set(topic.arn, { ...topic, tags });
      return {};
    },

    ListTagsForResource(_ctx: RequestContext, input: { ResourceArn?: string }) {
      const topic = requireTaggable(state, input.ResourceArn);
      return { Tags: members(Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value }))) };
    },
  };
}

function requireTaggable(state: SnsState, arn: unknown): TopicRecord {
  if (arn === undefined) throw missingParameter("ResourceArn");
  const topic = typeof arn === "string" ? state.topics.get(arn) : undefined;
  if (!topic) throw new AwsError("ResourceNotFound", "Resource does not exist", { status: 404 });
  return topic;
}
