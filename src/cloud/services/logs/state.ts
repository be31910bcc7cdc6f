/**
 * CloudWatch Logs records in the cloud's store (they survive a restart):
 * log groups, log streams, and the events themselves. Events are journaled in
 * batches (one record per PutLogEvents call or per flush of a Lambda
 * environment's output) so an append costs one journal line, and an
 * in-memory index (stream → events in arrival order) is rebuilt from the
 * batches on start. Keys are `account:region:group[:stream]` — neither a
 * group nor a stream name may contain ':', so keys are unambiguous.
 *
 * A local limit AWS does not have: every event is kept in memory (and in the
 * store), so a function that logs without end would grow the cloud without
 * end. Past `LOCALCLOUD_LOGS_MAX_BYTES` (default 256 MiB, counted as AWS
 * counts storedBytes: message bytes + 26 per event) the oldest batches, across
 * all streams, are deleted, and the cloud warns once. Never a failure.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";

export interface LogGroupRecord {
  account: string;
  region: string;
  name: string;
  creationTime: number;
  retentionInDays?: number;
  tags: Record<string, string>;
}

export interface LogStreamRecord {
  account: string;
  region: string;
  group: string;
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  storedBytes: number;
}

export interface StoredEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

interface EventBatch {
  stream: string;
  seq: number;
  events: StoredEvent[];
}

export const groupKey = (account: string, region: string, group: string) => `${account}:${region}:${group}`;
export const streamKey = (account: string, region: string, group: string, stream: string) => `${account}:${region}:${group}:${stream}`;

const DEFAULT_MAX_LOG_BYTES = 256 * 1024 * 1024;

function batchBytes(events: StoredEvent[]): number {
  let bytes = 0;
  for (const e of events) bytes += Buffer.byteLength(e.message) + 26; // AWS counts 26 bytes of overhead per event
  return bytes;
}

export class LogsState {
  readonly groups: Table<LogGroupRecord>;
  readonly streams: Table<LogStreamRecord>;
  private readonly batches: Table<EventBatch>;
  /** stream key → its events in arrival order (rebuilt from `batches`). */
  private events = new Map<string, StoredEvent[]>();
  /** stream key → keys of its batches (to delete them with the stream). */
  private batchKeys = new Map<string, string[]>();
  private seq = 0;
  /** Every batch in write order (oldest first from `oldestIndex`), for the local size limit. */
  private order: Array<{ key: string; stream: string; count: number }> = [];
  /** Bytes of each batch still stored (counted in `totalBytes`). */
  private liveBytes = new Map<string, number>();
  private oldestIndex = 0;
  private totalBytes = 0;
  private warnedLimit = false;
  private readonly maxBytes: number;

  constructor(private readonly cloud: Cloud) {
    const fromEnv = Number(process.env.LOCALCLOUD_LOGS_MAX_BYTES);
    this.maxBytes = fromEnv > 0 ? fromEnv : DEFAULT_MAX_LOG_BYTES;
    this.groups = cloud.store.table<LogGroupRecord>("logs.groups");
    this.streams = cloud.store.table<LogStreamRecord>("logs.streams");
    this.batches = cloud.store.table<EventBatch>("logs.events");
    this.rebuild();
  }

  private rebuild(): void {
    this.events.clear();
    this.batchKeys.clear();
    const all = [...this.batches.entries()].sort((a, b) => a[1].seq - b[1].seq);
    for (const [key, batch] of all) {
      this.seq = Math.max(this.seq, batch.seq);
      (this.events.get(batch.stream) ?? this.events.set(batch.stream, []).get(batch.stream)!).push(...batch.events);
      (this.batchKeys.get(batch.stream) ?? this.batchKeys.set(batch.stream, []).get(batch.stream)!).push(key);
      this.track(key, batch.stream, batch.events.length, batchBytes(batch.events));
    }
    this.enforceLimit();
  }

  private track(key: string, stream: string, count: number, bytes: number): void {
    this.order.push({ key, stream, count });
    this.liveBytes.set(key, bytes);
    this.totalBytes += bytes;
  }

  /** Drop the oldest batches while the events pass the local limit (never the newest one). */
  private enforceLimit(): void {
    let dropped = 0;
    while (this.totalBytes > this.maxBytes && this.order.length - this.oldestIndex > 1) {
      const oldest = this.order[this.oldestIndex++]!;
      const bytes = this.liveBytes.get(oldest.key);
      if (bytes === undefined) continue; // its stream was deleted already
      this.totalBytes -= bytes;
      this.liveBytes.delete(oldest.key);
      this.batches.delete(oldest.key);
      this.events.get(oldest.stream)?.splice(0, oldest.count);
      const keys = this.batchKeys.get(oldest.stream);
      if (keys?.[0] === oldest.key) keys.shift();
      dropped++;
    }
    if (this.oldestIndex > 1024 && this.oldestIndex > this.order.length / 2) {
      this.order = this.order.slice(this.oldestIndex);
      this.oldestIndex = 0;
    }
    if (dropped && !this.warnedLimit) {
      this.warnedLimit = true;
      this.cloud.log.warn(
        `logs: the stored log events passed ${Math.round(this.maxBytes / 1048576)} MiB (LOCALCLOUD_LOGS_MAX_BYTES, a local limit AWS does not have); the oldest events are being deleted.`,
      );
    }
  }

  /** After the store was cleared (POST /_localcloud/reset). */
  reset(): void {
    this.events.clear();
    this.batchKeys.clear();
    this.seq = 0;
    this.order = [];
    this.liveBytes.clear();
    this.oldestIndex = 0;
    this.totalBytes = 0;
    this.warnedLimit = false;
  }

  /**
   * Record a new stream. Any events still indexed under its key are stale
   * (written by a Lambda environment while the store was being reset).
   */
  createStream(stream: LogStreamRecord): void {
    const key = streamKey(stream.account, stream.region, stream.group, stream.name);
    this.events.delete(key);
    this.batchKeys.delete(key);
    this.streams.set(key, stream);
  }

  eventsOf(key: string): StoredEvent[] {
    return this.events.get(key) ?? [];
  }

  append(stream: LogStreamRecord, events: StoredEvent[]): void {
    if (events.length === 0) return;
    const key = streamKey(stream.account, stream.region, stream.group, stream.name);
    const seq = ++this.seq;
    const batchKey = `${key}#${seq}`;
    this.batches.set(batchKey, { stream: key, seq, events });
    (this.events.get(key) ?? this.events.set(key, []).get(key)!).push(...events);
    (this.batchKeys.get(key) ?? this.batchKeys.set(key, []).get(key)!).push(batchKey);
    for (const e of events) {
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? e.timestamp, e.timestamp);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? e.timestamp, e.timestamp);
    }
    stream.lastIngestionTime = events[events.length - 1]!.ingestionTime;
    const bytes = batchBytes(events);
    stream.storedBytes += bytes;
    this.streams.set(key, stream);
    this.track(batchKey, key, events.length, bytes);
    this.enforceLimit();
  }

  deleteStream(key: string): void {
    for (const batchKey of this.batchKeys.get(key) ?? []) {
      this.batches.delete(batchKey);
      this.totalBytes -= this.liveBytes.get(batchKey) ?? 0;
      this.liveBytes.delete(batchKey);
    }
    this.batchKeys.delete(key);
    this.events.delete(key);
    this.streams.delete(key);
  }

  deleteGroup(account: string, region: string, group: string): void {
    const prefix = groupKey(account, region, group) + ":";
    for (const [key] of this.streams.withPrefix(prefix)) this.deleteStream(key);
    this.groups.delete(groupKey(account, region, group));
  }

  streamsOf(account: string, region: string, group: string): LogStreamRecord[] {
    return this.streams.withPrefix(groupKey(account, region, group) + ":").map(([, s]) => s);
  }

  /** Oldest timestamp still within the group's retention (AWS deletes older events; we hide them). */
  retentionCutoff(group: LogGroupRecord): number {
    return group.retentionInDays ? Date.now() - group.retentionInDays * 86_400_000 : -Infinity;
  }
}
