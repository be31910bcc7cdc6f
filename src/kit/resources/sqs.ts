/**
 * SQS operations the labs share: create a (standard) queue with tags and
 * attributes, and read its URL and ARN back.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { type KitContext, recordResource } from "../context.js";
import { kitTags } from "../names.js";

export interface Queue {
  name: string;
  url: string;
  arn: string;
}

export async function createQueue(ctx: KitContext, name: string, attributes: Record<string, string> = {}): Promise<Queue> {
  const entry = recordResource(ctx, "sqs-queue", name);
  const out = await ctx.clients.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags: kitTags(ctx.lab, ctx.names.namespace) }));
  const attrs = await ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: out.QueueUrl!, AttributeNames: ["QueueArn"] }));
  const arn = attrs.Attributes!.QueueArn!;
  ctx.ledger.setArn(entry.id, arn);
  return { name, url: out.QueueUrl!, arn };
}

/** Set the queue's access policy (the `Policy` attribute is a JSON string). */
export async function setQueuePolicy(ctx: KitContext, queue: Queue, policy: unknown): Promise<void> {
  await ctx.clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { Policy: JSON.stringify(policy) } }));
}
