/**
 * Deliveries are visible (design.md): every event the cloud routes — S3 to a
 * destination, SNS to a subscriber, async invoke attempts, DLQ moves, denials —
 * is recorded as a trace entry with a correlation id and printed as a log line,
 * so a person can follow what happened to their upload. The newest entries are
 * kept in memory and served at GET /_localcloud/traces, and streamed live to
 * subscribers (the console's server-sent events, console/stream.ts).
 *
 * Entries may carry structured `data` for the console (an S3 event's record
 * and its configuration matches, an invocation's log lines) and `causedBy`:
 * the invocation whose SDK call caused this entry. The link is made through
 * the X-Amzn-Trace-Id Root Lambda gives each invocation (`rememberInvocation`
 * when it starts, `invocationOf` when the function's SDK call comes back
 * through the gateway), so a function's writes and the events they cause
 * hang under the invocation that made them — loops show as a chain.
 */
import { uuid } from "./ids.js";

export type TraceStatus = "ok" | "retry" | "failed" | "dropped" | "denied" | "info";

export interface TraceEntry {
  id: string;
  correlationId: string;
  time: string;
  /** e.g. "s3→sqs", "lambda.invoke", "sns→lambda", "iam.deny" */
  kind: string;
  source?: string;
  target?: string;
  status: TraceStatus;
  attempt?: number;
  detail?: string;
  /** Increases by one per entry recorded since start: a stream reader sees any gap. */
  seq: number;
  /** Structured facts for the console (kind-specific, kept small). */
  data?: Record<string, unknown>;
  /** The Lambda invocation whose SDK call caused this entry, if any. */
  causedBy?: InvocationLink;
  /** Set when the entry records an injected fault: the fault rule's id (core/faults/). */
  fault?: string;
}

/** One invocation, as the entries it causes point back to it. */
export interface InvocationLink {
  correlationId: string;
  /** The invocation's request id (the same for every retry of an async event). */
  requestId: string;
  functionArn: string;
  /** The X-Amzn-Trace-Id Root of this one attempt (each retry gets its own). */
  traceRoot?: string;
}

export type LogLevel = "debug" | "info" | "warn" | "error";

export class Logger {
  constructor(
    private readonly sink: (line: string) => void,
    private readonly minLevel: LogLevel,
  ) {}
  private static readonly order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  log(level: LogLevel, message: string): void {
    if (Logger.order[level] < Logger.order[this.minLevel]) return;
    const stamp = new Date().toISOString().slice(11, 23);
    this.sink(`${stamp} ${level.toUpperCase().padEnd(5)} ${message}`);
  }
  debug(m: string): void {
    this.log("debug", m);
  }
  info(m: string): void {
    this.log("info", m);
  }
  warn(m: string): void {
    this.log("warn", m);
  }
  error(m: string): void {
    this.log("error", m);
  }
}

/** How many invocations' trace roots are remembered for causality links (the newest win). */
const REMEMBERED_INVOCATIONS = 2000;

export class TraceLog {
  private readonly entries: TraceEntry[] = [];
  private readonly listeners = new Set<(entry: TraceEntry) => void>();
  private readonly invocations = new Map<string, InvocationLink>();
  private seq = 0;
  constructor(
    private readonly logger: Logger,
    private readonly capacity = 10_000,
  ) {}

  newCorrelationId(): string {
    return uuid();
  }

  record(entry: Omit<TraceEntry, "id" | "time" | "seq">): TraceEntry {
    const full: TraceEntry = { id: uuid(), time: new Date().toISOString(), seq: ++this.seq, ...entry };
    this.entries.push(full);
    // Trimmed in batches: splicing one entry off a full array on every record is quadratic under a burst.
    if (this.entries.length > this.capacity + 500) this.entries.splice(0, this.entries.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch (err) {
        this.logger.error(`trace: a subscriber failed: ${(err as Error)?.message ?? err}`);
      }
    }
    const arrow = [full.source, full.target].filter(Boolean).join(" → ");
    const attempt = full.attempt ? ` attempt ${full.attempt}` : "";
    const line = `[${full.kind}] ${full.status}${attempt} ${arrow}${full.detail ? ` — ${full.detail}` : ""} (${full.correlationId.slice(0, 8)})`;
    const level: LogLevel = full.status === "failed" || full.status === "dropped" ? "error" : full.status === "denied" || full.status === "retry" ? "warn" : "debug";
    this.logger.log(level, line);
    return full;
  }

  list(filter: { correlationId?: string; kind?: string; since?: string; afterSeq?: number; faults?: boolean } = {}): TraceEntry[] {
    return this.entries.filter(
      (e) =>
        (!filter.correlationId || e.correlationId === filter.correlationId) &&
        (!filter.kind || e.kind === filter.kind) &&
        (!filter.faults || e.fault !== undefined) &&
        (!filter.since || e.time >= filter.since) &&
        (filter.afterSeq === undefined || e.seq > filter.afterSeq),
    );
  }

  /** Every entry recorded from now on, synchronously as it is recorded. Returns the unsubscribe. */
  subscribe(listener: (entry: TraceEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The seq of the newest entry (0 when none). */
  lastSeq(): number {
    return this.seq;
  }

  /** Lambda is about to run an invocation with this X-Amzn-Trace-Id: remember its Root. */
  rememberInvocation(traceHeader: string | undefined, link: InvocationLink): void {
    const root = traceRootOf(traceHeader);
    if (!root) return;
    this.invocations.set(root, { ...link, traceRoot: root });
    if (this.invocations.size > REMEMBERED_INVOCATIONS) this.invocations.delete(this.invocations.keys().next().value!);
  }

  /** The invocation whose SDK call carries this X-Amzn-Trace-Id, if it is one Lambda started. */
  invocationOf(traceHeader: string | undefined): InvocationLink | undefined {
    const root = traceRootOf(traceHeader);
    return root ? this.invocations.get(root) : undefined;
  }

  clear(): void {
    this.entries.length = 0;
    this.invocations.clear();
  }
}

/** The Root=… of an X-Amzn-Trace-Id header. */
export function traceRootOf(header: string | undefined): string | undefined {
  const m = header ? /(?:^|;)\s*Root=([0-9a-zA-Z-]+)/.exec(header) : null;
  return m ? m[1] : undefined;
}

/**
 * Lambda recursive-loop lineage carried in X-Amzn-Trace-Id (aws-behavior.md §5):
 * Lambda passes `Root=…;Parent=…;Sampled=0;Lineage=<origin>:<depth>` to the
 * function as _X_AMZN_TRACE_ID, the SDK inside the function sends it back on
 * every call, and the service that receives the call (S3, SNS, SQS, Lambda)
 * copies the lineage into the DeliveryMessage it routes. `depth` counts the
 * Lambda invocations the originating event has been through.
 */
export function lineageFromTraceHeader(header: string | undefined): { originId: string; depth: number } | undefined {
  const m = header ? /(?:^|;)\s*Lineage=([0-9a-zA-Z]+):(\d+)/.exec(header) : null;
  return m ? { originId: m[1]!, depth: Number(m[2]) } : undefined;
}

export function traceHeaderWithLineage(lineage: { originId: string; depth: number }): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join("");
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(24)}`;
  return `Root=${root};Parent=${hex(16)};Sampled=0;Lineage=${lineage.originId}:${lineage.depth}`;
}
