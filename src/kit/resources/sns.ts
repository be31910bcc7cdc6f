/**
 * SNS operations (lab 03 and later): a tagged topic and a subscription, both
 * recorded so cleanup unsubscribes before deleting the topic.
 */
import { CreateTopicCommand, SubscribeCommand, SetTopicAttributesCommand } from "@aws-sdk/client-sns";
import { type KitContext, recordResource } from "../context.js";
import { kitTagList } from "../names.js";

export async function createTopic(ctx: KitContext, name: string): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "sns-topic", name);
  const out = await ctx.clients.sns.send(new CreateTopicCommand({ Name: name, Tags: kitTagList(ctx.lab, ctx.names.namespace) }));
  ctx.ledger.setArn(entry.id, out.TopicArn!);
  return { name, arn: out.TopicArn! };
}

export async function setTopicPolicy(ctx: KitContext, topicArn: string, policy: unknown): Promise<void> {
  await ctx.clients.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: "Policy", AttributeValue: JSON.stringify(policy) }));
}

export async function subscribe(ctx: KitContext, topicArn: string, protocol: string, endpoint: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await ctx.clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true }));
  recordResource(ctx, "sns-subscription", out.SubscriptionArn!, { arn: out.SubscriptionArn!, parent: topicArn });
  return out.SubscriptionArn!;
}
