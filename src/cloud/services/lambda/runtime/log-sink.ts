/**
 * Batches an environment's log events on their way to RuntimePoolOptions.onLogs:
 * events go out at most every 200 ms while an invocation runs (so `aws logs
 * tail` sees a long invocation progress) and at once when it ends. Output
 * written between invocations (a timer firing after the handler returned)
 * travels the same way, so nothing is dropped.
 */
import type { LogEvent } from "./contract.js";

const FLUSH_EVERY_MS = 200;

export class LogSink {
  private pending: LogEvent[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly deliver: (events: LogEvent[]) => void) {}

  push(event: LogEvent): void {
    this.pending.push(event);
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
