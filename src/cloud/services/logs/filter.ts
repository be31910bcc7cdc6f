/**
 * FilterLogEvents: events of a log group (all streams, or the ones named by
 * logStreamNames / logStreamNamePrefix) between startTime and endTime that
 * match the filter pattern, merged in timestamp order. Each event carries its
 * stream name and an eventId; `nextToken` pages through the rest.
 */
import { createHash } from "node:crypto";
import type { JsonHandler } from "../../protocols/json.js";
import { invalidParameter } from "./errors.js";
import { findGroup, groupNameFrom } from "./groups.js";
import { compileFilterPattern } from "./filter-pattern.js";
import { streamKey, type LogsState } from "./state.js";

const MAX_LIMIT = 10_000;

function decodeToken(token: string): { timestamp: number; eventId: string } {
  try {
    const [timestamp, eventId] = JSON.parse(Buffer.from(token, "base64url").toString()) as [unknown, unknown];
    if (typeof timestamp === "number" && typeof eventId === "string") return { timestamp, eventId };
  } catch {
    // fall through
  }
  throw invalidParameter("The specified nextToken is invalid.");
}

export function filterHandlers(state: LogsState): Record<string, JsonHandler> {
  return {
    FilterLogEvents(ctx, input) {
      const group = findGroup(state, ctx, groupNameFrom(input));
      const names = Array.isArray(input.logStreamNames) ? (input.logStreamNames as string[]) : undefined;
      const prefix = typeof input.logStreamNamePrefix === "string" ? input.logStreamNamePrefix : undefined;
      if (names && prefix !== undefined) throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive");
      const limit = input.limit === undefined ? MAX_LIMIT : Number(input.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw invalidParameter(`1 validation error detected: Value '${input.limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${MAX_LIMIT}`);
      }
      const matches = compileFilterPattern(typeof input.filterPattern === "string" ? input.filterPattern : undefined);
      const from = Math.max(typeof input.startTime === "number" ? input.startTime : -Infinity, state.retentionCutoff(group));
      const to = typeof input.endTime === "number" ? input.endTime : Infinity;

      const streams = state
        .streamsOf(group.account, group.region, group.name)
        .filter((s) => (names ? names.includes(s.name) : prefix === undefined || s.name.startsWith(prefix)));
      const found: Array<{ logStreamName: string; timestamp: number; message: string; ingestionTime: number; eventId: string }> = [];
      streams.forEach((stream) => {
        const streamId = String(parseInt(createHash("sha1").update(stream.name).digest("hex").slice(0, 8), 16)).padStart(10, "0");
        state.eventsOf(streamKey(stream.account, stream.region, stream.group, stream.name)).forEach((e, i) => {
          if (e.timestamp < from || e.timestamp >= to || !matches(e.message)) return;
          found.push({
            logStreamName: stream.name,
            timestamp: e.timestamp,
            message: e.message,
            ingestionTime: e.ingestionTime,
            // 56 digits like AWS's ids, stable across calls: the timestamp, a hash of the stream name, the position in the stream.
            eventId: `${String(e.timestamp).padStart(20, "0")}${streamId}${String(i).padStart(26, "0")}`,
          });
        });
      });
      found.sort((a, b) => a.timestamp - b.timestamp || (a.eventId < b.eventId ? -1 : 1));

      // The token names the last event returned (its sort key), not an offset: events written while a
      // client pages (a running function's output) neither repeat nor shift the pages.
      const after = typeof input.nextToken === "string" ? decodeToken(input.nextToken) : undefined;
      const start = after ? found.findIndex((e) => e.timestamp > after.timestamp || (e.timestamp === after.timestamp && e.eventId > after.eventId)) : 0;
      const from_ = start === -1 ? found.length : start;
      const events = found.slice(from_, from_ + limit);
      const more = from_ + limit < found.length;
      const last = events[events.length - 1];
      return {
        events,
        searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: !more })),
        ...(more && last ? { nextToken: Buffer.from(JSON.stringify([last.timestamp, last.eventId])).toString("base64url") } : {}),
      };
    },
  };
}
