/**
 * Queue operations: CreateQueue (idempotent when the attributes agree,
 * QueueNameExists when one differs), GetQueueUrl, DeleteQueue, ListQueues
 * (prefix, MaxResults/NextToken), Get/SetQueueAttributes, tags, PurgeQueue
 * (once per 60 s) and ListDeadLetterSourceQueues. Input and output are the
 * JSON protocol's shapes; query-wire.ts converts for awsQuery clients.
 */
import type { RequestContext } from "../../core/context.js";
import type { SqsService } from "./service-context.js";
import { requireQueue, stringList, urlOf } from "./service-context.js";
import { DEFAULTS, describeAttributes, validateAttributeNames, validateQueueAttributes } from "./queue-attributes.js";
import { QUEUE_NAME, queueArn } from "./queue-urls.js";
import { queueKeyOf, type QueueRecord } from "./state.js";
import { invalidParameterValue, missingParameter, purgeQueueInProgress, queueDoesNotExist, queueNameExists, unsupportedOperation } from "./errors.js";
import { intParam } from "./message-validation.js";
import { PURGE_INTERVAL_MS } from "./queue-engine.js";

type Input = Record<string, unknown>;

function validateTags(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidParameterValue("Tags must be a map of key to value.");
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!k || k.length > 128) throw invalidParameterValue(`Tag key ${k} is invalid: it must be 1 to 128 characters.`);
    if (typeof v !== "string" || v.length > 256) throw invalidParameterValue(`Tag value for ${k} is invalid: it must be a string of at most 256 characters.`);
    tags[k] = v;
  }
  return tags;
}

export function queueHandlers(svc: SqsService) {
  const { engine } = svc;
  const dlqExists = (arn: string) => !!engine.queueByArn(arn);

  return {
    CreateQueue(ctx: RequestContext, input: Input) {
      const name = input.QueueName;
      if (typeof name !== "string" || !name) throw missingParameter("QueueName");
      if (name.endsWith(".fifo")) throw unsupportedOperation("FIFO queues are not implemented by the local cloud. Use a standard queue name (without .fifo).");
      if (!QUEUE_NAME.test(name)) throw invalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
      const attributes = validateQueueAttributes(input.Attributes, dlqExists);
      const tags = validateTags(input.tags ?? input.Tags);
      const existing = engine.getQueue(ctx.account, ctx.region, name);
      if (existing) {
        // Idempotent only when every attribute sent matches what the queue has (defaults included).
        for (const [attr, value] of Object.entries(attributes)) {
          const current = existing.attributes[attr] ?? DEFAULTS[attr] ?? "";
          if (current !== value) throw queueNameExists(attr);
        }
        return { QueueUrl: urlOf(svc, ctx, existing) };
      }
      const now = Math.floor(Date.now() / 1000);
      const queue: QueueRecord = {
        account: ctx.account,
        region: ctx.region,
        name,
        arn: queueArn(ctx.region, ctx.account, name),
        attributes: Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== "")),
        tags,
        createdTimestamp: now,
        lastModifiedTimestamp: now,
      };
      engine.saveQueue(queue);
      return { QueueUrl: urlOf(svc, ctx, queue) };
    },

    GetQueueUrl(ctx: RequestContext, input: Input) {
      const name = input.QueueName;
      if (typeof name !== "string" || !name) throw missingParameter("QueueName");
      const owner = typeof input.QueueOwnerAWSAccountId === "string" && input.QueueOwnerAWSAccountId ? input.QueueOwnerAWSAccountId : ctx.account;
      const queue = engine.getQueue(owner, ctx.region, name);
      if (!queue) throw queueDoesNotExist();
      return { QueueUrl: urlOf(svc, ctx, queue) };
    },

    DeleteQueue(ctx: RequestContext, input: Input) {
      engine.deleteQueue(requireQueue(svc, ctx, input));
      return {};
    },

    ListQueues(ctx: RequestContext, input: Input) {
      const prefix = typeof input.QueueNamePrefix === "string" ? input.QueueNamePrefix : "";
      const max = intParam("MaxResults", input.MaxResults, 1, 1000, "Must be between 1 and 1000, if provided.");
      let after = "";
      if (typeof input.NextToken === "string" && input.NextToken) {
        after = Buffer.from(input.NextToken, "base64").toString("utf8");
        if (!after.startsWith("sqs-list:")) throw invalidParameterValue("Invalid NextToken value.");
        after = after.slice("sqs-list:".length);
      }
      const names = engine.queues
        .withPrefix(queueKeyOf(ctx.account, ctx.region, prefix))
        .map(([, q]) => q)
        .filter((q) => q.name > after);
      // Without MaxResults AWS returns up to 1000 and no token.
      const page = names.slice(0, max ?? 1000);
      const out: { QueueUrls?: string[]; NextToken?: string } = {};
      if (page.length) out.QueueUrls = page.map((q) => urlOf(svc, ctx, q));
      if (max !== undefined && names.length > page.length) out.NextToken = Buffer.from(`sqs-list:${page[page.length - 1]!.name}`).toString("base64");
      return out;
    },

    GetQueueAttributes(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const names = stringList(input.AttributeNames);
      validateAttributeNames(names);
      const attributes = describeAttributes(queue, names, engine.counts(queue));
      return Object.keys(attributes).length ? { Attributes: attributes } : {};
    },

    SetQueueAttributes(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      if (input.Attributes === undefined) throw missingParameter("Attributes");
      const attributes = validateQueueAttributes(input.Attributes, dlqExists);
      for (const [name, value] of Object.entries(attributes)) {
        if (value === "") delete queue.attributes[name];
        else queue.attributes[name] = value;
      }
      queue.lastModifiedTimestamp = Math.floor(Date.now() / 1000);
      engine.saveQueue(queue);
      return {};
    },

    TagQueue(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const tags = validateTags(input.Tags);
      if (!Object.keys(tags).length) throw missingParameter("Tags");
      Object.assign(queue.tags, tags);
      if (Object.keys(queue.tags).length > 50) throw invalidParameterValue("Too many tags: a queue can have at most 50.");
      engine.saveQueue(queue);
      return {};
    },

    UntagQueue(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const keys = stringList(input.TagKeys);
      if (!keys.length) throw missingParameter("TagKeys");
      for (const key of keys) delete queue.tags[key];
      engine.saveQueue(queue);
      return {};
    },

    ListQueueTags(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      return Object.keys(queue.tags).length ? { Tags: { ...queue.tags } } : {};
    },

    PurgeQueue(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const now = Date.now();
      if (queue.lastPurgeAt !== undefined && now - queue.lastPurgeAt < PURGE_INTERVAL_MS) throw purgeQueueInProgress(queue.arn);
      engine.purge(queue);
      queue.lastPurgeAt = now;
      engine.saveQueue(queue);
      return {};
    },

    ListDeadLetterSourceQueues(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const sources = [...engine.queues.values()].filter((q) => {
        try {
          return JSON.parse(q.attributes.RedrivePolicy ?? "{}").deadLetterTargetArn === queue.arn;
        } catch {
          return false;
        }
      });
      return { queueUrls: sources.map((q) => urlOf(svc, ctx, q)) };
    },
  };
}
