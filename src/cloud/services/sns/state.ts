/**
 * SNS records kept in the cloud's store (they survive a restart): topics and
 * subscriptions, keyed by ARN (ARNs carry account and region). A topic keeps
 * its attributes as AWS shows them in GetTopicAttributes, except the counts,
 * which are computed from its subscriptions.
 */
import type { Table } from "../../core/store.js";
import type { Cloud } from "../../core/cloud.js";

export interface TopicRecord {
  arn: string;
  name: string;
  account: string;
  region: string;
  /** Settable attributes (DisplayName, Policy, DeliveryPolicy, …) as strings. */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** How many subscriptions were deleted (SubscriptionsDeleted). */
  deletedSubscriptions: number;
  createdAt: string;
}

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  account: string;
  protocol: string;
  endpoint: string;
  /** false until the endpoint confirms (http/https/email); sqs and lambda are confirmed at once. */
  confirmed: boolean;
  /** Confirmation token for pending subscriptions. */
  token?: string;
  /** RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy, DeliveryPolicy… */
  attributes: Record<string, string>;
  confirmationWasAuthenticated: boolean;
  createdAt: string;
}

export interface SnsState {
  topics: Table<TopicRecord>;
  subscriptions: Table<SubscriptionRecord>;
}

export function openState(cloud: Cloud): SnsState {
  return {
    topics: cloud.store.table<TopicRecord>("sns.topics"),
    subscriptions: cloud.store.table<SubscriptionRecord>("sns.subscriptions"),
  };
}

/** Subscriptions of one topic, oldest first. */
export function subscriptionsOf(state: SnsState, topicArn: string): SubscriptionRecord[] {
  const out: SubscriptionRecord[] = [];
  for (const sub of state.subscriptions.values()) if (sub.topicArn === topicArn) out.push(sub);
  return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}
