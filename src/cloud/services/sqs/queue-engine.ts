/**
 * The queues themselves: records in the store plus an in-memory index of each
 * queue's messages in arrival order, and the long-poll waiters. Everything
 * that changes a message goes through here — enqueue (with delay), receive
 * (visibility timeout, receive counts, dead-letter redrive, retention),
 * delete, change visibility, purge — so the wire handlers, the destination
 * adapter (S3/SNS/EventBridge → SQS) and the internal API for event source
 * mappings all see one behaviour.
 *
 * No timers run unless someone is long-polling: a waiter sleeps until the
 * earliest of its deadline and the next moment a message becomes visible, and
 * an enqueue wakes it at once. Expired messages (MessageRetentionPeriod) are
 * dropped lazily whenever the queue is read.
 *
 * The built-in AWS/SQS metrics (metrics.ts) are counted here too, so every
 * path (API, destinations, event source mappings) is measured alike.
 */
import { randomBytes } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";
import { uuid } from "../../core/ids.js";
import { messageKeyOf, queueKeyOf, type MessageRecord, type QueueRecord, type StoredMessageAttribute } from "./state.js";
import { numberAttribute, redrivePolicyOf, type QueueCounts } from "./queue-attributes.js";
import { parseQueueArn } from "./queue-urls.js";
import { md5Hex, md5OfMessageAttributes } from "./message-md5.js";
import { receiptHandleIsInvalid } from "./errors.js";
import { SqsMetrics, type QueueGauges } from "./metrics.js";

export interface EnqueueInput {
  body: string;
  messageAttributes: Record<string, StoredMessageAttribute>;
  /** Seconds; undefined = the queue's DelaySeconds. */
  delaySeconds?: number;
  senderId: string;
  traceHeader?: string;
}

export interface Received {
  message: MessageRecord;
  receiptHandle: string;
}

interface Waiter {
  wake(): void;
}

/** PurgeQueue may run once per 60 s per queue (AWS). */
export const PURGE_INTERVAL_MS = 60_000;

export class QueueEngine {
  readonly queues: Table<QueueRecord>;
  private readonly messages: Table<MessageRecord>;
  /** queueKey → messageId → record, in arrival order. */
  private readonly index = new Map<string, Map<string, MessageRecord>>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  private seq = 0;
  private closed = false;
  /** Bumped by reset(): long polls begun before a reset end instead of reading the new state. */
  private generation = 0;
  readonly metrics: SqsMetrics;

  constructor(private readonly cloud: Cloud) {
    this.queues = cloud.store.table<QueueRecord>("sqs.queues");
    this.messages = cloud.store.table<MessageRecord>("sqs.messages");
    this.load();
    this.metrics = new SqsMetrics(cloud);
    this.metrics.sampleGauges(() => this.queues.values(), (queue) => this.gauges(queue));
  }

  private load(): void {
    const all = [...this.messages.values()].sort((a, b) => a.seq - b.seq);
    for (const message of all) {
      if (!this.queues.has(message.queueKey)) continue;
      this.messagesOf(message.queueKey).set(message.messageId, message);
      this.seq = Math.max(this.seq, message.seq);
    }
  }

  private messagesOf(queueKey: string): Map<string, MessageRecord> {
    let map = this.index.get(queueKey);
    if (!map) {
      map = new Map();
      this.index.set(queueKey, map);
    }
    return map;
  }

  // ---- queues ----

  getQueue(account: string, region: string, name: string): QueueRecord | undefined {
    return this.queues.get(queueKeyOf(account, region, name));
  }

  queueByArn(arn: string): QueueRecord | undefined {
    const ref = parseQueueArn(arn);
    return ref ? this.getQueue(ref.account, ref.region, ref.name) : undefined;
  }

  keyOf(queue: QueueRecord): string {
    return queueKeyOf(queue.account, queue.region, queue.name);
  }

  saveQueue(queue: QueueRecord): void {
    this.queues.set(this.keyOf(queue), queue);
    this.metrics.used(queue);
  }

  deleteQueue(queue: QueueRecord): void {
    const key = this.keyOf(queue);
    for (const id of this.messagesOf(key).keys()) this.messages.delete(messageKeyOf(key, id));
    this.index.delete(key);
    this.queues.delete(key);
    this.metrics.forget(queue);
    this.wake(key);
  }

  // ---- messages ----

  enqueue(queue: QueueRecord, input: EnqueueInput): MessageRecord {
    const key = this.keyOf(queue);
    const now = Date.now();
    const delay = input.delaySeconds ?? numberAttribute(queue, "DelaySeconds");
    const message: MessageRecord = {
      queueKey: key,
      messageId: uuid(),
      seq: ++this.seq,
      body: input.body,
      md5OfBody: md5Hex(input.body),
      messageAttributes: input.messageAttributes,
      md5OfMessageAttributes: md5OfMessageAttributes(input.messageAttributes),
      sentTimestamp: now,
      senderId: input.senderId,
      traceHeader: input.traceHeader,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    this.store(message);
    this.metrics.sent(queue, Buffer.byteLength(input.body));
    this.wake(key);
    return message;
  }

  private store(message: MessageRecord): void {
    this.messagesOf(message.queueKey).set(message.messageId, message);
    this.messages.set(messageKeyOf(message.queueKey, message.messageId), message);
  }

  private drop(message: MessageRecord): void {
    this.index.get(message.queueKey)?.delete(message.messageId);
    this.messages.delete(messageKeyOf(message.queueKey, message.messageId));
  }

  /** Drop messages older than the queue's MessageRetentionPeriod (counted from the first enqueue). */
  private expire(queue: QueueRecord, now: number): void {
    const retentionMs = numberAttribute(queue, "MessageRetentionPeriod") * 1000;
    for (const message of [...this.messagesOf(this.keyOf(queue)).values()]) {
      if (message.sentTimestamp + retentionMs <= now) this.drop(message);
    }
  }

  /** The gauges of the per-minute metrics sample (one pass over the queue). */
  private gauges(queue: QueueRecord): QueueGauges {
    const now = Date.now();
    this.expire(queue, now);
    const g: QueueGauges = { visible: 0, notVisible: 0, delayed: 0, oldestAgeSeconds: 0, empty: true };
    let oldest = now;
    for (const m of this.messagesOf(this.keyOf(queue)).values()) {
      g.empty = false;
      if (m.visibleAt <= now) g.visible++;
      else if (m.inFlight) g.notVisible++;
      else g.delayed++;
      if (m.sentTimestamp < oldest) oldest = m.sentTimestamp;
    }
    g.oldestAgeSeconds = Math.floor((now - oldest) / 1000);
    return g;
  }

  counts(queue: QueueRecord): QueueCounts {
    const g = this.gauges(queue);
    return { visible: g.visible, inFlight: g.notVisible, delayed: g.delayed };
  }

  /**
   * The queue's messages as they are, without receiving them (no receive count, no visibility change,
   * no DLQ move): what the console shows. Oldest first, at most `max`.
   */
  peek(queue: QueueRecord, max: number): Array<MessageRecord & { state: "visible" | "in flight" | "delayed" }> {
    const now = Date.now();
    const out: Array<MessageRecord & { state: "visible" | "in flight" | "delayed" }> = [];
    for (const m of this.messagesOf(this.keyOf(queue)).values()) {
      if (out.length >= max) break;
      out.push({ ...m, state: m.visibleAt <= now ? "visible" : m.inFlight ? "in flight" : "delayed" });
    }
    return out;
  }

  /** One receive attempt, no waiting. */
  receiveNow(queue: QueueRecord, max: number, visibilityTimeout?: number): Received[] {
    const now = Date.now();
    this.expire(queue, now);
    const visibilityMs = (visibilityTimeout ?? numberAttribute(queue, "VisibilityTimeout")) * 1000;
    const redrive = redrivePolicyOf(queue);
    const out: Received[] = [];
    for (const message of [...this.messagesOf(this.keyOf(queue)).values()]) {
      if (out.length >= max) break;
      if (message.visibleAt > now) continue;
      // The receive that would exceed maxReceiveCount moves the message instead (SQS DLQ semantics).
      if (redrive && message.receiveCount >= redrive.maxReceiveCount && this.moveToDeadLetterQueue(queue, message, redrive.deadLetterTargetArn)) continue;
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
      message.receiptNonce = randomBytes(12).toString("hex");
      message.visibleAt = now + visibilityMs;
      message.inFlight = true;
      this.store(message);
      out.push({ message: { ...message }, receiptHandle: encodeHandle(message) });
    }
    return out;
  }

  private moveToDeadLetterQueue(source: QueueRecord, message: MessageRecord, dlqArn: string): boolean {
    const dlq = this.queueByArn(dlqArn);
    if (!dlq) {
      this.cloud.log.warn(`sqs: ${source.arn} redrive target ${dlqArn} does not exist; message ${message.messageId} stays in the source queue`);
      return false;
    }
    this.drop(message);
    const moved: MessageRecord = {
      ...message,
      queueKey: this.keyOf(dlq),
      seq: ++this.seq,
      visibleAt: Date.now(),
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      receiptNonce: undefined,
      inFlight: false,
      // Where it came from: a message move task without DestinationArn sends it back there.
      deadLetterSourceArn: source.arn,
    };
    this.store(moved);
    this.cloud.trace.record({
      correlationId: message.messageId,
      kind: "sqs→dlq",
      source: source.arn,
      target: dlq.arn,
      status: "info",
      detail: `message ${message.messageId} moved after ${message.receiveCount} receives (maxReceiveCount reached)`,
    });
    this.wake(this.keyOf(dlq));
    return true;
  }

  /** Receive with long polling: returns as soon as one message is available, or empty at the deadline. */
  async receive(queue: QueueRecord, options: { max: number; visibilityTimeout?: number; waitSeconds: number; signal?: AbortSignal }): Promise<Received[]> {
    const key = this.keyOf(queue);
    const deadline = Date.now() + options.waitSeconds * 1000;
    const generation = this.generation;
    const signal = options.signal;
    for (;;) {
      const current = this.queues.get(key);
      // A reset, a shutdown or the caller (an event source mapping being disabled) ends the poll.
      if (!current || this.closed || generation !== this.generation || signal?.aborted) return [];
      const got = this.receiveNow(current, options.max, options.visibilityTimeout);
      const now = Date.now();
      if (got.length || now >= deadline) {
        this.metrics.received(current, got.length);
        return got;
      }
      const next = this.nextVisibleAt(key);
      const until = Math.min(deadline, next ?? Infinity) - now;
      await new Promise<void>((resolve) => {
        let set = this.waiters.get(key);
        if (!set) this.waiters.set(key, (set = new Set()));
        const waiter: Waiter = {
          wake: () => {
            clearTimeout(timer);
            set!.delete(waiter);
            signal?.removeEventListener("abort", waiter.wake);
            resolve();
          },
        };
        const timer = setTimeout(waiter.wake, Math.max(1, until));
        set.add(waiter);
        signal?.addEventListener("abort", waiter.wake);
      });
    }
  }

  private nextVisibleAt(queueKey: string): number | undefined {
    let next: number | undefined;
    for (const m of this.messagesOf(queueKey).values()) if (next === undefined || m.visibleAt < next) next = m.visibleAt;
    return next;
  }

  private wake(queueKey: string): void {
    const set = this.waiters.get(queueKey);
    if (set) for (const waiter of [...set]) waiter.wake();
  }

  /** The message a receipt handle names, if it is the latest handle of a message still in this queue. */
  private byHandle(queue: QueueRecord, handle: string): { message?: MessageRecord; current: boolean } {
    const decoded = decodeHandle(handle);
    if (!decoded || decoded.queueKey !== this.keyOf(queue)) throw receiptHandleIsInvalid(handle);
    const message = this.messagesOf(decoded.queueKey).get(decoded.messageId);
    return { message, current: !!message && message.receiptNonce === decoded.nonce };
  }

  /**
   * DeleteMessage: succeeds for a well-formed handle even when the message is
   * gone; only the most recent handle deletes ("otherwise, the request
   * succeeds, but the message will not be deleted" — SQS API reference).
   */
  deleteMessage(queue: QueueRecord, handle: string): void {
    const { message, current } = this.byHandle(queue, handle);
    this.metrics.deleted(queue);
    if (message && current) this.drop(message);
  }

  /** ChangeMessageVisibility: only for an in-flight message and its latest handle. Returns false otherwise. */
  changeVisibility(queue: QueueRecord, handle: string, seconds: number): boolean {
    const { message, current } = this.byHandle(queue, handle);
    const now = Date.now();
    if (!message || !current || !message.inFlight || message.visibleAt <= now) return false;
    message.visibleAt = now + seconds * 1000;
    if (seconds === 0) message.inFlight = false;
    this.store(message);
    this.wake(message.queueKey);
    return true;
  }

  /**
   * Take up to `max` visible messages out of `queue` (oldest first), for a
   * message move task; in-flight and delayed ones stay where they are.
   */
  takeVisible(queue: QueueRecord, max: number): MessageRecord[] {
    const now = Date.now();
    this.expire(queue, now);
    const out: MessageRecord[] = [];
    for (const message of this.messagesOf(this.keyOf(queue)).values()) {
      if (out.length >= max) break;
      if (message.visibleAt <= now) out.push(message);
    }
    for (const message of out) this.drop(message);
    return out;
  }

  /**
   * Put a moved message into `destination` (a redrive): same id, body,
   * attributes and SentTimestamp, visible at once, receive count back to 0.
   */
  enqueueMoved(destination: QueueRecord, message: MessageRecord, options: { keepDeadLetterSource?: boolean } = {}): void {
    const moved: MessageRecord = {
      ...message,
      queueKey: this.keyOf(destination),
      seq: ++this.seq,
      visibleAt: Date.now(),
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      receiptNonce: undefined,
      inFlight: false,
      deadLetterSourceArn: options.keepDeadLetterSource ? message.deadLetterSourceArn : undefined,
    };
    this.store(moved);
    this.wake(moved.queueKey);
  }

  purge(queue: QueueRecord): void {
    for (const message of [...this.messagesOf(this.keyOf(queue)).values()]) this.drop(message);
  }

  /** Wake every long poll (they return empty) and forget in-memory state. */
  reset(): void {
    this.generation++;
    for (const key of [...this.waiters.keys()]) this.wake(key);
    this.index.clear();
    this.seq = 0;
  }

  close(): void {
    this.closed = true;
    for (const key of [...this.waiters.keys()]) this.wake(key);
  }
}

/** Receipt handles are opaque to clients: base64 of queue key, message id and a per-receive nonce. */
function encodeHandle(message: MessageRecord): string {
  return Buffer.from(`${message.queueKey}\n${message.messageId}\n${message.receiptNonce}`, "utf8").toString("base64");
}

function decodeHandle(handle: string): { queueKey: string; messageId: string; nonce: string } | undefined {
  if (typeof handle !== "string" || !/^[A-Za-z0-9+/]+=*$/.test(handle)) return undefined;
  const parts = Buffer.from(handle, "base64").toString("utf8").split("\n");
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) return undefined;
  return { queueKey: parts[0], messageId: parts[1], nonce: parts[2] };
}
