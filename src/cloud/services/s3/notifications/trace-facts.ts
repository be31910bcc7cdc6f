/**
 * What the console shows of one S3 event (console/, the event trace): the
 * request that caused it, the record as destinations receive it, and for
 * every notification configuration of the bucket whether it matched and why
 * — event type, prefix, suffix — in a sentence a learner can act on. Recorded
 * once per event as a "s3.event" trace entry, with or without a configuration
 * (an upload that notified nobody is the question learners ask most).
 */
import type { TraceEntry } from "../../../core/trace.js";
import type { S3ObjectEvent } from "./contract.js";
import type { NotificationConfig } from "./config-types.js";
import { SERVICE_OF } from "./config-types.js";
import { eventNameMatches } from "./event-names.js";
import { prefixOf, suffixOf } from "./key-filter.js";
import { encodeEventKey } from "./key-encoding.js";

export interface ConfigurationMatch {
  id: string;
  /** "sqs" | "sns" | "lambda" | "events" */
  service: string;
  arn: string;
  events: string[];
  prefix: string;
  suffix: string;
  matched: boolean;
  /** Why it matched or not. */
  reason: string;
}

export function explainMatches(config: NotificationConfig | undefined, event: Pick<S3ObjectEvent, "eventName" | "key">): ConfigurationMatch[] {
  const out: ConfigurationMatch[] = [];
  for (const d of config?.destinations ?? []) {
    const prefix = prefixOf(d.filterRules);
    const suffix = suffixOf(d.filterRules);
    const typeOk = d.events.some((e) => eventNameMatches(e, event.eventName));
    const prefixOk = event.key.startsWith(prefix);
    const suffixOk = event.key.endsWith(suffix);
    const reasons: string[] = [];
    if (!typeOk) reasons.push(`the event s3:${event.eventName} is not among its events (${d.events.join(", ")})`);
    if (!prefixOk) reasons.push(`the key "${event.key}" does not start with the prefix "${prefix}"`);
    if (!suffixOk) reasons.push(`the key "${event.key}" does not end with the suffix "${suffix}"`);
    const matched = reasons.length === 0;
    const filter = [prefix && `prefix "${prefix}"`, suffix && `suffix "${suffix}"`].filter(Boolean).join(" and ");
    out.push({
      id: d.id,
      service: SERVICE_OF[d.type],
      arn: d.arn,
      events: d.events,
      prefix,
      suffix,
      matched,
      reason: matched ? `s3:${event.eventName} is one of its events${filter ? ` and the key matches its ${filter}` : " and it has no key filter"}` : reasons.join("; "),
    });
  }
  if (config?.eventBridge) {
    out.push({ id: "EventBridge", service: "events", arn: "", events: ["*"], prefix: "", suffix: "", matched: true, reason: "EventBridge is on for the bucket: every event goes to the default bus (rules filter there)" });
  }
  return out;
}

/** The facts of the "s3.event" trace entry. */
export function eventTraceEntry(
  event: S3ObjectEvent,
  config: NotificationConfig | undefined,
  correlationId: string,
  record: unknown,
): Omit<TraceEntry, "id" | "time" | "seq"> {
  const matches = explainMatches(config, event);
  const hits = matches.filter((m) => m.matched);
  const detail = !config || matches.length === 0
    ? `s3:${event.eventName} s3://${event.bucket}/${event.key}: the bucket has no notification configuration, so nothing was notified`
    : hits.length === 0
      ? `s3:${event.eventName} s3://${event.bucket}/${event.key} matched none of the bucket's ${matches.length} notification configuration(s)`
      : `s3:${event.eventName} s3://${event.bucket}/${event.key} → ${hits.map((m) => m.service).join(", ")}`;
  return {
    correlationId,
    kind: "s3.event",
    source: `arn:aws:s3:::${event.bucket}`,
    status: "info",
    detail,
    data: {
      eventName: `s3:${event.eventName}`,
      bucket: event.bucket,
      key: event.key,
      encodedKey: encodeEventKey(event.key),
      size: event.size,
      versionId: event.versionId,
      requestId: event.requestId,
      principalId: event.principalId,
      region: event.region,
      account: event.account,
      record,
      matches,
    },
  };
}
