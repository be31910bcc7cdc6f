/**
 * The saved configuration in GetBucketNotificationConfiguration's shape: the
 * object the S3 response builder writes under <NotificationConfiguration>.
 * Topic, queue and function configurations in the API model's order, each
 * with its Id (generated when the PUT had none), ARN, one <Event> per event
 * and the filter rules with capitalised names; <EventBridgeConfiguration/>
 * when enabled. An empty configuration is an empty element.
 */
import type { DestinationConfig, DestinationType, NotificationConfig } from "./config-types.js";

const ELEMENT: Record<DestinationType, string> = {
  Topic: "TopicConfiguration",
  Queue: "QueueConfiguration",
  CloudFunction: "CloudFunctionConfiguration",
};

function destinationXml(d: DestinationConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { Id: d.id, [d.type]: d.arn, Event: d.events };
  if (d.hasFilter || d.filterRules.length) {
    out.Filter = { S3Key: d.filterRules.length ? { FilterRule: d.filterRules.map((r) => ({ Name: r.name, Value: r.value })) } : {} };
  }
  return out;
}

export function configToXmlBody(config: NotificationConfig): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const type of ["Topic", "Queue", "CloudFunction"] as const) {
    const list = config.destinations.filter((d) => d.type === type).map(destinationXml);
    if (list.length) body[ELEMENT[type]] = list;
  }
  if (config.eventBridge) body.EventBridgeConfiguration = {};
  return body;
}
