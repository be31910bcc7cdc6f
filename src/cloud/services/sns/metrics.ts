/**
 * SNS's built-in CloudWatch metrics (namespace AWS/SNS, dimension TopicName;
 * aws-behavior.md §11, SNS guide "sns-monitoring-using-cloudwatch"),
 * published through core/metrics.ts: NumberOfMessagesPublished and
 * PublishSize for every message a topic accepts (Publish, PublishBatch
 * entries, deliveries from S3/EventBridge/Lambda/CloudWatch), and per
 * subscription NumberOfNotificationsDelivered, NumberOfNotificationsFailed
 * (once, when SNS gives up — AWS counts every failed HTTP attempt),
 * NumberOfNotificationsFilteredOut plus its -MessageAttributes /
 * -MessageBody variant. An email written to the local outbox counts as
 * delivered; SMS, never sent, counts in none of them.
 */
import type { Cloud } from "../../core/cloud.js";
import { builtinMetrics, type BuiltinMetrics } from "../../core/metrics.js";
import type { TopicRecord } from "./state.js";

const NS = "AWS/SNS";

export class SnsMetrics {
  private readonly metrics: BuiltinMetrics;

  constructor(cloud: Cloud) {
    this.metrics = builtinMetrics(cloud);
  }

  /** Dimension objects per topic, kept so core/metrics.ts sorts them once. */
  private readonly dims = new Map<string, Record<string, string>>();

  private count(topic: TopicRecord, name: string, value = 1, unit = "Count"): void {
    let d = this.dims.get(topic.arn);
    if (!d) this.dims.set(topic.arn, (d = { TopicName: topic.name }));
    this.metrics.record(topic.account, topic.region, NS, name, d, value, unit);
  }

  published(topic: TopicRecord, bytes: number): void {
    if (!this.metrics.enabled) return;
    this.count(topic, "NumberOfMessagesPublished");
    this.count(topic, "PublishSize", bytes, "Bytes");
  }

  delivered(topic: TopicRecord, ok: boolean): void {
    if (!this.metrics.enabled) return;
    this.count(topic, ok ? "NumberOfNotificationsDelivered" : "NumberOfNotificationsFailed");
  }

  filteredOut(topic: TopicRecord, scope: "MessageAttributes" | "MessageBody"): void {
    if (!this.metrics.enabled) return;
    this.count(topic, "NumberOfNotificationsFilteredOut");
    this.count(topic, `NumberOfNotificationsFilteredOut-${scope}`);
  }
}
