/**
 * SNS operations → IAM actions on topic ARNs. Subscription operations are
 * authorised on the subscription's topic (a subscription ARN is the topic ARN
 * plus ":<id>"); CreateTopic on the ARN the topic will have; list operations
 * on "*". PublishBatch is sns:Publish.
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const RENAMED: Record<string, string> = { PublishBatch: "Publish" };

const KNOWN = new Set([
  "CreateTopic", "DeleteTopic", "GetTopicAttributes", "SetTopicAttributes", "ListTopics", "Subscribe", "Unsubscribe", "ConfirmSubscription",
  "GetSubscriptionAttributes", "SetSubscriptionAttributes", "ListSubscriptions", "ListSubscriptionsByTopic", "Publish", "PublishBatch",
  "TagResource", "UntagResource", "ListTagsForResource", "AddPermission", "RemovePermission", "GetDataProtectionPolicy", "PutDataProtectionPolicy",
]);

const topicOfSubscription = (arn: string) => arn.split(":").slice(0, 6).join(":");

export function snsActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `sns:${RENAMED[operation] ?? operation}`;
  const subscription = str(input, "SubscriptionArn");
  const name = str(input, "Name");
  const topic =
    str(input, "TopicArn", "TargetArn", "ResourceArn") ??
    (subscription && subscription.split(":").length >= 7 ? topicOfSubscription(subscription) : undefined) ??
    (operation === "CreateTopic" && name ? `arn:aws:sns:${where.region}:${where.account}:${name}` : undefined) ??
    "*";
  return { checks: [{ action, resource: topic }], guessed: !KNOWN.has(operation) };
}
