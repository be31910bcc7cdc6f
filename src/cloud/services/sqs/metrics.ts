/**
 * SQS's built-in CloudWatch metrics (namespace AWS/SQS, dimension QueueName
 * only; aws-behavior.md §11, SQS guide "sqs-available-cloudwatch-metrics"),
 * published through core/metrics.ts. Counters as they happen:
 * NumberOfMessagesSent and SentMessageSize (a move to a dead-letter queue is
 * not a send, as on AWS), NumberOfMessagesReceived, NumberOfEmptyReceives (a
 * receive call, long poll included, that returned nothing),
 * NumberOfMessagesDeleted (every delete with a well-formed handle, repeats
 * included, as AWS counts them). Gauges sampled once per minute of cloud time
 * for every *active* queue (one with messages, or used within the last 6
 * hours of cloud time): ApproximateNumberOfMessagesVisible / NotVisible /
 * Delayed and ApproximateAgeOfOldestMessage (seconds; measured from the first
 * enqueue, also in a dead-letter queue — AWS measures from the move there).
 */
import type { Cloud } from "../../core/cloud.js";
import { builtinMetrics, type BuiltinMetrics } from "../../core/metrics.js";
import type { QueueRecord } from "./state.js";

const NS = "AWS/SQS";
/** AWS keeps publishing for 6 hours after a queue was last used. */
const ACTIVE_MS = 6 * 3600_000;

export interface QueueGauges {
  visible: number;
  notVisible: number;
  delayed: number;
  oldestAgeSeconds: number;
  empty: boolean;
}

export class SqsMetrics {
  readonly metrics: BuiltinMetrics;
  /** Queue ARN → last time it was used. */
  private readonly lastUsed = new Map<string, number>();

  constructor(private readonly cloud: Cloud) {
    this.metrics = builtinMetrics(cloud);
  }

  /** Dimension objects per queue, kept so core/metrics.ts sorts them once. */
  private readonly dims = new Map<string, Record<string, string>>();

  private dimsOf(queue: QueueRecord): Record<string, string> {
    let d = this.dims.get(queue.arn);
    if (!d) this.dims.set(queue.arn, (d = { QueueName: queue.name }));
    return d;
  }

  private count(queue: QueueRecord, name: string, value: number, unit = "Count"): void {
    this.lastUsed.set(queue.arn, Date.now());
    this.metrics.record(queue.account, queue.region, NS, name, this.dimsOf(queue), value, unit);
  }

  sent(queue: QueueRecord, bytes: number): void {
    if (!this.metrics.enabled) return;
    this.count(queue, "NumberOfMessagesSent", 1);
    this.count(queue, "SentMessageSize", bytes, "Bytes");
  }

  received(queue: QueueRecord, messages: number): void {
    if (!this.metrics.enabled) return;
    if (messages > 0) this.count(queue, "NumberOfMessagesReceived", messages);
    else this.count(queue, "NumberOfEmptyReceives", 1);
  }

  deleted(queue: QueueRecord): void {
    if (!this.metrics.enabled) return;
    this.count(queue, "NumberOfMessagesDeleted", 1);
  }

  used(queue: QueueRecord): void {
    this.lastUsed.set(queue.arn, Date.now());
  }

  /** Register the per-minute gauge sampler over the queues `list` returns. */
  sampleGauges(list: () => Iterable<QueueRecord>, gauges: (queue: QueueRecord) => QueueGauges): void {
    this.metrics.sampler((bucket) => {
      const activeAfter = Date.now() - Math.max(1000, this.cloud.scaled(ACTIVE_MS));
      for (const queue of list()) {
        const g = gauges(queue);
        if (g.empty && (this.lastUsed.get(queue.arn) ?? 0) < activeAfter) continue;
        const dims = this.dimsOf(queue);
        const m = this.metrics;
        m.record(queue.account, queue.region, NS, "ApproximateNumberOfMessagesVisible", dims, g.visible, "Count", bucket);
        m.record(queue.account, queue.region, NS, "ApproximateNumberOfMessagesNotVisible", dims, g.notVisible, "Count", bucket);
        m.record(queue.account, queue.region, NS, "ApproximateNumberOfMessagesDelayed", dims, g.delayed, "Count", bucket);
        m.record(queue.account, queue.region, NS, "ApproximateAgeOfOldestMessage", dims, g.oldestAgeSeconds, "Seconds", bucket);
      }
    });
  }

  forget(queue: QueueRecord): void {
    this.lastUsed.delete(queue.arn);
    this.dims.delete(queue.arn);
  }
}
