/**
 * Batches an environment's log events on their way to RuntimePoolOptions.onLogs:
 * events go out at most every 200 ms while an invocation runs (so `aws logs
 * tail` sees a long invocation progress) and at once when it ends. Output
 * written between invocations (a timer firing after the handler returned)
 * travels the same way, so nothing is dropped.
 *
 * Size: a CloudWatch Logs event was at most 256 KB (262,144 bytes counting
 * the 26 bytes of per-event overhead), and Lambda splits a longer line into
 * consecutive events of at most 262,118 bytes of message — that is the split
 * point learners observed in /aws/lambda/* streams (2^18 − 26). CloudWatch
 * Logs raised its own per-event limit to 1 MB in April 2025 (PutLogEvents
 * accepts that here too, logs/events.ts); whether Lambda's capture followed is
 * not documented, so the local cloud keeps the observed 256 KB split. The
 * pieces are cut on UTF-8 character boundaries and keep the line's timestamp;
 * only the last piece carries the line's "\n".
 */
import type { LogEvent } from "./contract.js";

const FLUSH_EVERY_MS = 200;
/** 256 KB less CloudWatch Logs' 26 bytes of per-event overhead. */
export const MAX_LAMBDA_LOG_EVENT_BYTES = 262_144 - 26;

/** A log event cut into events of at most `max` UTF-8 bytes of message, in order. */
export function splitLogEvent(event: LogEvent, max = MAX_LAMBDA_LOG_EVENT_BYTES): LogEvent[] {
  // Fast path: UTF-8 needs at most 3 bytes per UTF-16 unit, so short strings cannot be over.
  if (event.message.length * 3 <= max || Buffer.byteLength(event.message) <= max) return [event];
  const bytes = Buffer.from(event.message, "utf8");
  const out: LogEvent[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + max, bytes.length);
    // Never cut inside a character: back up over UTF-8 continuation bytes (10xxxxxx).
    if (end < bytes.length) while (end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    out.push({ timestamp: event.timestamp, message: bytes.toString("utf8", start, end) });
    start = end;
  }
  return out;
}

export class LogSink {
  private pending: LogEvent[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly deliver: (events: LogEvent[]) => void) {}

  push(event: LogEvent): void {
    for (const piece of splitLogEvent(event)) this.pending.push(piece);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_EVERY_MS);
    this.timer.unref?.();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    try {
      this.deliver(events);
    } catch {
      // A failing log consumer must never break an invocation.
    }
  }
}
