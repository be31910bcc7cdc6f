/**
 * PutEvents and TestEventPattern, and the event envelope both share:
 * `{"version":"0","id","detail-type","source","account","time","region","resources","detail"}`
 * with `time` at seconds precision, as EventBridge writes it.
 * PutEvents reports problems per entry (ErrorCode/ErrorMessage, counted in
 * FailedEntryCount) the way AWS does, and routes the accepted events.
 * TestEventPattern uses the very matcher delivery uses, so they agree.
 */
import { jsonDepthExceeds } from "../../protocols/json.js";
import type { RequestContext } from "../../core/context.js";
import { uuid } from "../../core/ids.js";
import { matchesPattern, parsePattern } from "../../core/event-pattern.js";
import type { Cloud } from "../../core/cloud.js";
import type { EventsState } from "./state.js";
import { resolveBus } from "./buses.js";
import { validateEventPattern } from "./rules.js";
import { validation } from "./errors.js";
import type { EventRouter } from "./router.js";
import { isAwsError } from "../../core/aws-error.js";

/** Nesting accepted in an event's Detail: as deep as AWS's JSON reader goes (Jackson's default 1000 levels). */
const MAX_DETAIL_DEPTH = 1000;

const MAX_ENTRY_BYTES = 256 * 1024;

/** EventBridge's time format: ISO-8601 at seconds precision. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface Entry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number | string;
  EventBusName?: string;
  TraceHeader?: string;
}

type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

function parseTime(value: Entry["Time"]): Date | undefined {
  if (value === undefined) return new Date();
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function putEventsHandlers(cloud: Cloud, state: EventsState, router: EventRouter) {
  return {
    PutEvents(ctx: RequestContext, input: { Entries?: Entry[]; EndpointId?: string }) {
      const entries = input.Entries;
      if (!Array.isArray(entries) || entries.length === 0) throw validation("1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null");
      if (entries.length > 10) throw validation(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10`);
      const results: EntryResult[] = [];
      for (const entry of entries) {
        const fail = (code: string, message: string) => results.push({ ErrorCode: code, ErrorMessage: message });
        if (!entry?.Source) { fail("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."); continue; }
        if (!entry.DetailType) { fail("InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."); continue; }
        if (entry.Detail === undefined) { fail("InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."); continue; }
        let detail: unknown;
        try {
          detail = JSON.parse(entry.Detail);
        } catch {
          detail = undefined;
        }
        // Past MAX_DETAIL_DEPTH the event could not be serialized for delivery (and AWS's JSON reader refuses it too).
        if (!detail || typeof detail !== "object" || Array.isArray(detail) || jsonDepthExceeds(detail, MAX_DETAIL_DEPTH)) { fail("MalformedDetail", "Detail is malformed."); continue; }
        if (/^aws\./.test(entry.Source)) { fail("NotAuthorizedForSourceException", "Not authorized for the source."); continue; }
        const time = parseTime(entry.Time);
        if (!time) { fail("InvalidArgument", "Parameter Time is not valid."); continue; }
        const size = Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0);
        if (size > MAX_ENTRY_BYTES) { fail("InvalidArgument", "Total size of the entries in the request is over the limit."); continue; }
        let bus;
        try {
          bus = resolveBus(state, ctx.account, ctx.region, entry.EventBusName);
        } catch (err) {
          if (!isAwsError(err)) throw err;
          fail(err.code, err.message);
          continue;
        }
        const event = {
          version: "0",
          id: uuid(),
          "detail-type": entry.DetailType,
          source: entry.Source,
          account: bus.account,
          time: eventTime(time),
          region: bus.region,
          resources: entry.Resources ?? [],
          detail,
        };
        router.route(bus, event, { correlationId: cloud.trace.newCorrelationId() });
        results.push({ EventId: event.id });
      }
      return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
    },

    TestEventPattern(_ctx: RequestContext, input: { EventPattern?: string; Event?: string }) {
      const pattern = parsePattern(validateEventPattern(input.EventPattern));
      let event: unknown;
      try {
        event = JSON.parse(String(input.Event ?? ""));
      } catch {
        throw validation("Parameter Event is not valid.");
      }
      if (jsonDepthExceeds(event, MAX_DETAIL_DEPTH)) throw validation("Parameter Event is not valid. Reason: it nests too deeply.");
      const required = ["id", "account", "source", "time", "region", "resources", "detail-type"];
      if (!event || typeof event !== "object" || Array.isArray(event) || required.some((k) => !(k in (event as object)))) {
        throw validation(`Parameter Event is not valid. The event must be a JSON object with ${required.join(", ")}.`);
      }
      return { Result: matchesPattern(pattern, event) };
    },
  };
}
