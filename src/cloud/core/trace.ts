/**
 * Deliveries are visible (design.md): every event the cloud routes — S3 to a
 * destination, SNS to a subscriber, async invoke attempts, DLQ moves, denials —
 * is recorded as a trace entry with a correlation id and printed as a log line,
 * so a person can follow what happened to their upload. The newest entries are
 * kept in memory and served at GET /_localcloud/traces.
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
  /** Set when the entry records an injected fault: the fault rule's id (core/faults/). */
  fault?: string;
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

export class TraceLog {
  private readonly entries: TraceEntry[] = [];
  constructor(
    private readonly logger: Logger,
    private readonly capacity = 5000,
  ) {}

  newCorrelationId(): string {
    return uuid();
  }

  record(entry: Omit<TraceEntry, "id" | "time">): TraceEntry {
    const full: TraceEntry = { id: uuid(), time: new Date().toISOString(), ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    const arrow = [full.source, full.target].filter(Boolean).join(" → ");
    const attempt = full.attempt ? ` attempt ${full.attempt}` : "";
    const line = `[${full.kind}] ${full.status}${attempt} ${arrow}${full.detail ? ` — ${full.detail}` : ""} (${full.correlationId.slice(0, 8)})`;
    const level: LogLevel = full.status === "failed" || full.status === "dropped" ? "error" : full.status === "denied" || full.status === "retry" ? "warn" : "debug";
    this.logger.log(level, line);
    return full;
  }

  list(filter: { correlationId?: string; kind?: string; since?: string; faults?: boolean } = {}): TraceEntry[] {
    return this.entries.filter(
      (e) =>
        (!filter.correlationId || e.correlationId === filter.correlationId) &&
        (!filter.kind || e.kind === filter.kind) &&
        (!filter.faults || e.fault !== undefined) &&
        (!filter.since || e.time >= filter.since),
    );
  }

  clear(): void {
    this.entries.length = 0;
  }
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
