/**
 * From one S3 event to its deliveries (design.md, "event bus inside the
 * cloud"): find the bucket's configuration, pick every destination whose
 * event names and key filter match, build the §2 record with that
 * destination's configurationId, and hand it to `cloud.destinations.deliver`
 * — the SQS, SNS and Lambda services registered the adapters, so S3 never
 * imports them. Bodies per aws-behavior.md §4: SQS and Lambda get
 * `{"Records":[record]}`, SNS the same as Message with Subject
 * "Amazon S3 Notification". With EventBridge on, every event also goes to the
 * account's default bus as an "aws.s3" event (no filtering in S3).
 *
 * Deliveries are asynchronous and retried by Destinations; every attempt is
 * traced under one correlation id per S3 event, and a final failure is logged
 * with a hint. Nothing here throws back into the S3 request.
 */
import type { Cloud } from "../../../core/cloud.js";
import type { DeliveryMessage, DeliveryResult } from "../../../core/destinations.js";
import { lineageFromTraceHeader } from "../../../core/trace.js";
import type { S3ObjectEvent } from "./contract.js";
import { SERVICE_OF, type DestinationConfig, type NotificationConfig } from "./config-types.js";
import { eventNameMatches } from "./event-names.js";
import { keyMatches } from "./key-filter.js";
import { buildEventRecord, MAX_EVENT_BYTES, recordMessageBody } from "./event-record.js";
import { buildEventBridgeEvent } from "./eventbridge-event.js";
import { S3_SERVICE_PRINCIPAL } from "./destination-check.js";
import { eventTraceEntry } from "./trace-facts.js";

export const SNS_SUBJECT = "Amazon S3 Notification";

/** The configurations an event goes to (each at most once). */
export function matchingDestinations(config: NotificationConfig, event: Pick<S3ObjectEvent, "eventName" | "key">): DestinationConfig[] {
  return config.destinations.filter((d) => d.events.some((e) => eventNameMatches(e, event.eventName)) && keyMatches(d.filterRules, event.key));
}

export function defaultBusArn(account: string, region: string): string {
  return `arn:aws:events:${region}:${account}:event-bus/default`;
}

export class NotificationRouter {
  constructor(private readonly cloud: Cloud) {}

  /** Route one event through a configuration. Never throws. */
  route(config: NotificationConfig | undefined, event: S3ObjectEvent): void {
    const correlationId = this.cloud.trace.newCorrelationId();
    // The event itself, matched or not, for the console's trace (trace-facts.ts).
    const shown = buildEventRecord(event, config?.destinations.find((d) => matchingDestinations({ destinations: [d], eventBridge: false }, event).length)?.id ?? "");
    this.cloud.trace.record({ ...eventTraceEntry(event, config, correlationId, shown), causedBy: this.cloud.trace.invocationOf(event.traceHeader) });
    if (!config) return;
    const source = { principal: S3_SERVICE_PRINCIPAL, arn: `arn:aws:s3:::${event.bucket}`, account: event.account };
    const lineage = lineageFromTraceHeader(event.traceHeader);
    for (const d of matchingDestinations(config, event)) {
      const body = recordMessageBody(buildEventRecord(event, d.id));
      if (body.length > MAX_EVENT_BYTES) this.cloud.log.warn(`s3 notifications: the ${event.eventName} record of s3://${event.bucket}/${event.key} is ${body.length} bytes, over S3's documented 64 KB limit`);
      const message: DeliveryMessage = { body, source, correlationId, lineage, traceHeader: event.traceHeader };
      if (d.type === "Topic") message.subject = SNS_SUBJECT;
      this.send(d.arn, message, `s3→${SERVICE_OF[d.type]}`, event);
    }
    if (config.eventBridge) {
      const ebEvent = buildEventBridgeEvent(event);
      if (ebEvent) {
        const message: DeliveryMessage = {
          body: JSON.stringify(ebEvent),
          source,
          correlationId,
          lineage,
          extra: { detailType: ebEvent["detail-type"], source: ebEvent.source },
        };
        this.send(defaultBusArn(event.account, event.region), message, "s3→events", event);
      }
    }
  }

  /** Deliver and, when every retry failed, say in the log what was lost and what usually fixes it. */
  send(arn: string, message: DeliveryMessage, kind: string, event?: Pick<S3ObjectEvent, "eventName" | "bucket" | "key">): Promise<DeliveryResult> {
    const what = event ? `the ${event.eventName} event of s3://${event.bucket}/${event.key}` : "an S3 notification";
    let delivery: Promise<DeliveryResult>;
    try {
      delivery = this.cloud.destinations.deliver(arn, message, { kind });
    } catch (err) {
      delivery = Promise.resolve({ ok: false, attempts: 0, error: err instanceof Error ? err.message : String(err) });
    }
    return delivery.then((result) => {
      if (!result.ok) {
        this.cloud.log.error(
          `s3 notifications: ${what} was not delivered to ${arn} after ${result.attempts} attempt(s): ${result.error}. ` +
            `Check that the destination still exists and that its resource policy allows ${S3_SERVICE_PRINCIPAL} (see GET /_localcloud/traces?correlationId=${message.correlationId}).`,
        );
      }
      return result;
    });
  }
}
