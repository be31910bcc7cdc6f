/**
 * The trace as server-sent events (text/event-stream): every entry after
 * `?after=<seq>` still in the trace's memory, then each new entry as it is
 * recorded. Each event's `id:` is the entry's seq, so a reader that
 * reconnects asks for what it missed, and a gap in the seqs means entries
 * were trimmed from memory before it read them (the page says so).
 *
 * Nothing is dropped for a slow reader: entries queue in Node's socket buffer;
 * a reader that falls more than MAX_BUFFERED_BYTES behind is disconnected
 * (it reconnects with its last seq and gets the rest from the trace's
 * memory), so one stuck tab cannot grow the cloud without bound.
 */
import type * as http from "node:http";
import type { Cloud } from "../core/cloud.js";
import type { TraceEntry } from "../core/trace.js";

const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

function frame(entry: TraceEntry): string {
  return `id: ${entry.seq}\nevent: entry\ndata: ${JSON.stringify(entry)}\n\n`;
}

export function streamTrace(cloud: Cloud, req: http.IncomingMessage, res: http.ServerResponse, after: number): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    connection: "keep-alive",
  });
  res.flushHeaders();
  let last = after;
  const write = (entry: TraceEntry) => {
    if (entry.seq <= last) return;
    last = entry.seq;
    res.write(frame(entry));
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      cloud.log.warn(`console: a trace stream reader fell ${res.writableLength} bytes behind; disconnecting it (it resumes from seq ${last})`);
      stop();
      res.destroy();
    }
  };
  // Subscribed before the backlog is written, so nothing recorded meanwhile falls between the two.
  const pending: TraceEntry[] = [];
  let live = false;
  const unsubscribe = cloud.trace.subscribe((entry) => (live ? write(entry) : pending.push(entry)));
  res.write(`retry: 1000\n: trace after ${after}, newest ${cloud.trace.lastSeq()}\n\n`);
  for (const entry of cloud.trace.list({ afterSeq: after })) write(entry);
  for (const entry of pending) write(entry);
  live = true;
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  heartbeat.unref();
  let stopped = false;
  function stop() {
    if (stopped) return;
    stopped = true;
    clearInterval(heartbeat);
    unsubscribe();
  }
  // The gateway's close() destroys every connection, this one too.
  req.on("close", stop);
  res.on("close", stop);
}
