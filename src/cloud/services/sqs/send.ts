/**
 * SendMessage and SendMessageBatch: validate the body and attributes, enforce
 * the queue's MaximumMessageSize, apply DelaySeconds, and answer with the
 * checksums the SDKs verify. A batch is refused as a whole only for batch
 * problems (empty, more than 10, bad or repeated ids, too long); an entry that
 * is itself invalid fails alone in `Failed` with SenderFault, as on AWS.
 */
import { createHash } from "node:crypto";
import type { RequestContext } from "../../core/context.js";
import { isAwsError } from "../../core/aws-error.js";
import type { SqsService } from "./service-context.js";
import { requireQueue } from "./service-context.js";
import type { QueueRecord } from "./state.js";
import { checkSize, intParam, messageSize, validateBody, validateMessageAttributes } from "./message-validation.js";
import { numberAttribute } from "./queue-attributes.js";
import { batchEntryIdsNotDistinct, batchRequestTooLong, emptyBatchRequest, invalidBatchEntryId, invalidParameterValue, tooManyEntriesInBatchRequest } from "./errors.js";

type Input = Record<string, unknown>;

/** SenderId as AWS shows it: the caller's principal id (AIDA…/AROA…:session), or the account for the root user. */
export function senderIdOf(ctx: RequestContext): string {
  return ctx.principal.kind === "admin" ? ctx.account : ctx.principal.principalId;
}

/** A stable AIDA-style id for a service principal (S3, SNS… send as their own internal users). */
export function serviceSenderId(principal: string): string {
  const digest = createHash("sha256").update(principal).digest();
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let id = "AIDA";
  for (let i = 0; i < 17; i++) id += alphabet[digest[i]! % alphabet.length];
  return id;
}

function traceHeaderOf(ctx: RequestContext, systemAttributes: unknown): string | undefined {
  const attr = (systemAttributes as Record<string, { StringValue?: unknown }> | undefined)?.AWSTraceHeader;
  if (attr && typeof attr.StringValue === "string") return attr.StringValue;
  // The caller's trace header carries Lambda loop-detection lineage (aws-behavior.md §5).
  return ctx.traceHeader?.includes("Lineage=") ? ctx.traceHeader : undefined;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
}

export function sendOne(svc: SqsService, ctx: RequestContext, queue: QueueRecord, entry: Input): SendResult {
  const body = validateBody(entry.MessageBody);
  const delaySeconds = intParam("DelaySeconds", entry.DelaySeconds, 0, 900, "DelaySeconds must be >= 0 and <= 900.");
  const messageAttributes = validateMessageAttributes(entry.MessageAttributes);
  checkSize(messageSize(body, messageAttributes), numberAttribute(queue, "MaximumMessageSize"));
  const message = svc.engine.enqueue(queue, {
    body,
    messageAttributes,
    delaySeconds,
    senderId: senderIdOf(ctx),
    traceHeader: traceHeaderOf(ctx, entry.MessageSystemAttributes),
  });
  const out: SendResult = { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
  if (message.md5OfMessageAttributes) out.MD5OfMessageAttributes = message.md5OfMessageAttributes;
  return out;
}

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Batch-level checks shared by every *Batch operation. */
export function checkBatch(entries: unknown, entryName: string): Input[] {
  if (entries !== undefined && !Array.isArray(entries)) throw invalidParameterValue(`${entryName} entries must be a list.`);
  const list = (entries ?? []) as Input[];
  if (list.length === 0) throw emptyBatchRequest(entryName);
  if (list.length > 10) throw tooManyEntriesInBatchRequest(list.length);
  const seen = new Set<string>();
  for (const entry of list) {
    const id = entry?.Id;
    if (typeof id !== "string" || !BATCH_ID.test(id)) throw invalidBatchEntryId();
    if (seen.has(id)) throw batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return list;
}

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

export function failureOf(id: string, err: unknown): BatchFailure {
  if (isAwsError(err)) return { Id: id, SenderFault: err.fault === "Sender", Code: err.queryCode ?? err.code, Message: err.message };
  return { Id: id, SenderFault: false, Code: "InternalError", Message: err instanceof Error ? err.message : String(err) };
}

export function sendHandlers(svc: SqsService) {
  return {
    SendMessage(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      return sendOne(svc, ctx, queue, input);
    },

    SendMessageBatch(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const entries = checkBatch(input.Entries, "SendMessageBatchRequestEntry");
      const limit = Math.max(262144, numberAttribute(queue, "MaximumMessageSize"));
      const total = entries.reduce((sum, e) => {
        try {
          return sum + messageSize(typeof e.MessageBody === "string" ? e.MessageBody : "", validateMessageAttributes(e.MessageAttributes));
        } catch {
          return sum + (typeof e.MessageBody === "string" ? Buffer.byteLength(e.MessageBody) : 0);
        }
      }, 0);
      if (total > limit) throw batchRequestTooLong(limit, total);
      const Successful: Array<SendResult & { Id: string }> = [];
      const Failed: BatchFailure[] = [];
      for (const entry of entries) {
        const id = entry.Id as string;
        try {
          Successful.push({ Id: id, ...sendOne(svc, ctx, queue, entry) });
        } catch (err) {
          Failed.push(failureOf(id, err));
        }
      }
      return { Successful, Failed };
    },
  };
}
