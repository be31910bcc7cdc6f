/**
 * PutLogEvents and GetLogEvents. GetLogEvents reproduces AWS's token
 * semantics: without a token it returns the newest events (or the oldest
 * with startFromHead), `nextForwardToken` continues after the last event
 * returned and `nextBackwardToken` before the first; when there is nothing
 * more in that direction AWS hands back the very token it was given, which is
 * how clients (and `aws logs get-log-events` loops) know they reached the end.
 * Tokens are `f/<56 digits>` / `b/<56 digits>` like AWS's; ours encode a
 * position in the stream.
 */
import type { RequestContext } from "../../core/context.js";
import type { JsonHandler } from "../../protocols/json.js";
import { invalidParameter, requireString, streamNotFound } from "./errors.js";
import { findGroup, groupNameFrom } from "./groups.js";
import { streamKey, type LogsState, type StoredEvent } from "./state.js";

const DAY = 86_400_000;
const MAX_BATCH_EVENTS = 10_000;
/** PutLogEvents' batch limit: the messages' UTF-8 bytes plus 26 bytes per event. */
const MAX_BATCH_BYTES = 1_048_576;
/** One event's limit, counted the same way: 256 KB until April 2025, 1 MB since (AWS's "Log event too large"). */
const MAX_EVENT_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;

const token = (direction: "f" | "b", position: number) => `${direction}/${String(position).padStart(56, "0")}`;

function parseToken(value: unknown): { direction: "f" | "b"; position: number } | undefined {
  if (value === undefined || value === null) return undefined;
  const m = typeof value === "string" ? /^([fb])\/(\d{1,56})$/.exec(value) : null;
  if (!m) throw invalidParameter("The specified nextToken is invalid.");
  return { direction: m[1] as "f" | "b", position: Number(m[2]) };
}

export function eventHandlers(state: LogsState): Record<string, JsonHandler> {
  return {
    PutLogEvents(ctx: RequestContext, input) {
      const group = findGroup(state, ctx, requireString(input, "logGroupName"));
      const streamName = requireString(input, "logStreamName");
      const stream = state.streams.get(streamKey(ctx.account, ctx.region, group.name, streamName));
      if (!stream) throw streamNotFound();
      const events = input.logEvents;
      if (!Array.isArray(events) || events.length === 0 || events.length > MAX_BATCH_EVENTS) {
        throw invalidParameter(`1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH_EVENTS}`);
      }
      for (let i = 0; i < events.length; i++) {
        const e = events[i];
        if (!e || typeof e.timestamp !== "number" || typeof e.message !== "string") {
          throw invalidParameter(`1 validation error detected: Value at 'logEvents.${i + 1}' failed to satisfy constraint: Member must have a numeric timestamp and a string message`);
        }
        if (i > 0 && e.timestamp < events[i - 1].timestamp) {
          throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
        }
      }
      let batchBytes = 0;
      for (const e of events as Array<{ message: string }>) {
        const size = Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES;
        if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
        batchBytes += size;
      }
      if (batchBytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${batchBytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
      if (events[events.length - 1].timestamp - events[0].timestamp > DAY) {
        throw invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
      }
      // AWS accepts the batch but rejects events older than 14 days (or the retention) and more than 2 hours ahead.
      const now = Date.now();
      const oldest = Math.max(now - 14 * DAY, state.retentionCutoff(group));
      let tooOldEnd = -1;
      let tooNewStart = -1;
      const accepted: StoredEvent[] = [];
      events.forEach((e: { timestamp: number; message: string }, i: number) => {
        if (e.timestamp < oldest) tooOldEnd = i;
        else if (e.timestamp > now + 2 * 3_600_000) tooNewStart = tooNewStart === -1 ? i : tooNewStart;
        else accepted.push({ timestamp: e.timestamp, message: e.message, ingestionTime: now });
      });
      state.append(stream, accepted);
      const rejected = {
        ...(tooOldEnd >= 0 ? { tooOldLogEventEndIndex: tooOldEnd + 1 } : {}),
        ...(tooNewStart >= 0 ? { tooNewLogEventStartIndex: tooNewStart } : {}),
      };
      return {
        nextSequenceToken: String(Date.now()).padStart(56, "0"),
        ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}),
      };
    },

    GetLogEvents(ctx: RequestContext, input) {
      const group = findGroup(state, ctx, groupNameFrom(input));
      const key = streamKey(ctx.account, ctx.region, group.name, requireString(input, "logStreamName"));
      if (!state.streams.has(key)) throw streamNotFound();
      const limit = input.limit === undefined ? MAX_BATCH_EVENTS : Number(input.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BATCH_EVENTS) {
        throw invalidParameter(`1 validation error detected: Value '${input.limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${MAX_BATCH_EVENTS}`);
      }
      const from = Math.max(typeof input.startTime === "number" ? input.startTime : -Infinity, state.retentionCutoff(group));
      const to = typeof input.endTime === "number" ? input.endTime : Infinity;
      const all = state.eventsOf(key);
      // Positions (indices into the stream) of the events inside the time window.
      const window: number[] = [];
      for (let i = 0; i < all.length; i++) if (all[i]!.timestamp >= from && all[i]!.timestamp < to) window.push(i);

      const given = parseToken(input.nextToken);
      let picked: number[];
      if (!given) picked = input.startFromHead === true ? window.slice(0, limit) : window.slice(-limit);
      else if (given.direction === "f") picked = window.filter((i) => i >= given.position).slice(0, limit);
      else picked = window.filter((i) => i < given.position).slice(-limit);

      let forward: string;
      let backward: string;
      if (picked.length > 0) {
        forward = token("f", picked[picked.length - 1]! + 1);
        backward = token("b", picked[0]!);
      } else if (given) {
        // Nothing further in that direction: AWS returns the token it was given.
        forward = token("f", given.position);
        backward = token("b", given.position);
      } else {
        forward = token("f", all.length);
        backward = token("b", 0);
      }
      return {
        events: picked.map((i) => ({ timestamp: all[i]!.timestamp, message: all[i]!.message, ingestionTime: all[i]!.ingestionTime })),
        nextForwardToken: forward,
        nextBackwardToken: backward,
      };
    },
  };
}
