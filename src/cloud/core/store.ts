/**
 * State that survives a restart. A service keeps its records in named tables
 * (`store.table<Queue>("sqs.queues")`): an in-memory Map that is the source of
 * truth while the cloud runs, backed on disk under `<data dir>/state/` by
 *
 * - `<table>.snapshot` — JSON Lines, one `{"k":…,"v":…}` record per line,
 *   written to a temp file, fsynced and renamed over the old one (atomic on
 *   POSIX) when the table is compacted;
 * - `<table>.jsonl` — the append-only journal of changes since: one JSON line
 *   per set/delete, written synchronously (`writeSync`) before the change is
 *   visible, so an acknowledged write is in the file before the response goes
 *   out.
 *
 * Durability. Nothing is buffered in the process: once `set`/`delete` returns,
 * the bytes are in the kernel's page cache, which a `kill -9` (or any crash of
 * the cloud) does not lose — that is what test/cloud/store-durability.test.ts
 * proves with a real SIGKILLed cloud. Journal appends are not fsynced (a power
 * cut may lose the last writes; snapshots are fsynced before their rename so a
 * compaction never loses data that was already safe).
 *
 * A crash mid-append can leave a torn last line. Loading detects it (no "\n",
 * or a last line that does not parse) and truncates the journal to the end of
 * its last complete record *before* the next append — otherwise the next
 * acknowledged write would be glued onto the torn bytes and lost on the
 * following load. A failed append (disk full) is cut back the same way and
 * throws, so the request fails instead of being acknowledged.
 *
 * Loading streams (core/line-reader.ts): snapshot and journal are read in
 * chunks and only single lines become strings, so state larger than V8's
 * ~512 MiB string limit still loads. The pre-2026-12 snapshot format, one JSON
 * object in `<table>.json`, is still read (it was written with one
 * `JSON.stringify`, so it is always under that limit) and replaced by the new
 * format at the next compaction.
 *
 * Compaction runs when the journal has many more lines than the table has
 * records, or more bytes than twice the last snapshot (and at least
 * `compactJournalBytes`): a few large records rewritten often (a log stream,
 * a queue of 1 MB messages) grow the journal by size, not by count.
 *
 * By design (a local limit AWS does not have): every table lives in memory.
 * When the tables on disk pass `warnStateBytes` (default 1 GiB,
 * `LOCALCLOUD_STATE_WARN_BYTES`), the cloud warns at start and once while
 * running — it never refuses to start. `POST /_localcloud/reset` empties it.
 *
 * Blobs (object bodies, Lambda code) are files: core/blob-store.ts.
 * With `inMemory` nothing touches the disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { BlobStore } from "./blob-store.js";
import { readLines } from "./line-reader.js";

export { BlobStore } from "./blob-store.js";

type JournalEntry<T> = { k: string; v?: T; d?: 1 };

export interface StoreOptions {
  /** Where the store's warnings go (the cloud's log). */
  warn?: (message: string) => void;
  /** Longest string the loader may build; injectable so a test can prove large state loads without writing 512 MiB. */
  maxStringBytes?: number;
  /** Bytes per read while loading. */
  chunkBytes?: number;
  /** A journal never triggers a size compaction below this many bytes. Default 16 MiB. */
  compactJournalBytes?: number;
  /** Warn (never fail) when the tables on disk pass this many bytes. Default 1 GiB or LOCALCLOUD_STATE_WARN_BYTES. */
  warnStateBytes?: number;
}

const DEFAULT_COMPACT_JOURNAL_BYTES = 16 * 1024 * 1024;
const DEFAULT_WARN_STATE_BYTES = 1024 * 1024 * 1024;
/** Snapshot lines are written in batches of about this many bytes (one writeSync each). */
const SNAPSHOT_BATCH_BYTES = 1024 * 1024;

export class Table<T> {
  private readonly map = new Map<string, T>();
  private journalFd: number | null = null;
  private journalLines = 0;
  /** Size of the journal file: where the next append starts, and where a failed one is cut back to. */
  private journalBytes = 0;
  private snapshotBytes = 0;
  private hasLegacySnapshot = false;

  constructor(
    readonly name: string,
    private readonly dir: string | null,
    private readonly options: StoreOptions & { onGrow?: () => void } = {},
  ) {
    if (dir) this.load();
  }

  private get snapshotPath(): string {
    return path.join(this.dir!, `${this.name}.snapshot`);
  }
  private get legacySnapshotPath(): string {
    return path.join(this.dir!, `${this.name}.json`);
  }
  private get journalPath(): string {
    return path.join(this.dir!, `${this.name}.jsonl`);
  }

  /** Bytes this table occupies on disk (snapshot + journal). */
  get diskBytes(): number {
    return this.snapshotBytes + this.journalBytes;
  }

  private apply(entry: JournalEntry<T>): void {
    if (entry.d) this.map.delete(entry.k);
    else this.map.set(entry.k, entry.v as T);
  }

  private load(): void {
    const reader = { maxStringBytes: this.options.maxStringBytes, chunkBytes: this.options.chunkBytes };
    if (fs.existsSync(this.snapshotPath)) {
      for (const line of readLines(this.snapshotPath, reader)) {
        // Snapshots are renamed into place whole, so every line is complete; a bad one is skipped, not fatal.
        if (!line.text) continue;
        try {
          this.apply(JSON.parse(line.text) as JournalEntry<T>);
        } catch {
          this.options.warn?.(`store: ${this.name}: skipped an unreadable snapshot record`);
        }
        this.snapshotBytes = line.end;
      }
      // A crash between a compaction's rename and its removal of the old-format file: that file is older.
      if (fs.existsSync(this.legacySnapshotPath)) fs.rmSync(this.legacySnapshotPath, { force: true });
    } else if (fs.existsSync(this.legacySnapshotPath)) {
      // The old format: one JSON object, written by one JSON.stringify, hence always under the string limit.
      const snapshot = JSON.parse(fs.readFileSync(this.legacySnapshotPath, "utf8")) as Record<string, T>;
      for (const [k, v] of Object.entries(snapshot)) this.map.set(k, v);
      this.hasLegacySnapshot = true;
      this.snapshotBytes = fs.statSync(this.legacySnapshotPath).size;
    }
    let goodEnd = 0;
    let fileEnd = 0;
    let lastBad = false;
    for (const line of readLines(this.journalPath, reader)) {
      fileEnd = line.end;
      lastBad = true;
      if (!line.complete) break;
      if (line.text) {
        let entry: JournalEntry<T>;
        try {
          entry = JSON.parse(line.text);
        } catch {
          continue; // unparsable: cut if it is the tail, skipped if good lines follow
        }
        this.apply(entry);
        this.journalLines++;
      }
      lastBad = false;
      goodEnd = line.end;
    }
    if (lastBad || fileEnd > goodEnd) {
      // A torn tail: the append a crash interrupted was never acknowledged. Cut it now, before any append.
      fs.truncateSync(this.journalPath, goodEnd);
      this.options.warn?.(`store: ${this.name}: cut a torn journal tail (${fileEnd - goodEnd} bytes) left by a crash`);
    }
    this.journalBytes = goodEnd;
  }

  private append(entry: JournalEntry<T>): void {
    if (!this.dir) return;
    const bytes = Buffer.from(JSON.stringify(entry) + "\n");
    if (this.journalFd === null) this.journalFd = fs.openSync(this.journalPath, "a");
    try {
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(this.journalFd, bytes, written);
    } catch (err) {
      // Half a line must not stay behind for the next append to be glued onto.
      try {
        fs.ftruncateSync(this.journalFd, this.journalBytes);
      } catch {
        // the load-time tail check will cut it
      }
      throw err;
    }
    this.journalBytes += bytes.length;
    this.journalLines++;
  }

  /** After a change is applied to the map (a snapshot taken before would miss it, and the journal is then emptied). */
  private maybeCompact(): void {
    if (!this.dir) return;
    const byCount = this.journalLines > 1000 && this.journalLines > this.map.size * 2;
    const bySize = this.journalBytes > (this.options.compactJournalBytes ?? DEFAULT_COMPACT_JOURNAL_BYTES) && this.journalBytes > this.snapshotBytes * 2;
    if (byCount || bySize) {
      try {
        this.compact();
      } catch (err) {
        // The change itself is safe in the journal; a compaction that fails (disk full) is retried later.
        this.options.warn?.(`store: ${this.name}: compaction failed, will retry: ${(err as Error).message}`);
        // Back off: the next attempt after as many lines / bytes again, not on every write.
        this.snapshotBytes = this.journalBytes;
        this.journalLines = 0;
      }
    }
    this.options.onGrow?.();
  }

  /** Write a snapshot atomically (JSON Lines, streamed out in batches) and start a fresh journal. */
  compact(): void {
    if (!this.dir) return;
    const tmp = `${this.snapshotPath}.${randomBytes(4).toString("hex")}.tmp`;
    const fd = fs.openSync(tmp, "w");
    let size = 0;
    try {
      let batch: string[] = [];
      let batchBytes = 0;
      const flush = () => {
        const buf = Buffer.from(batch.join(""));
        let written = 0;
        while (written < buf.length) written += fs.writeSync(fd, buf, written);
        size += buf.length;
        batch = [];
        batchBytes = 0;
      };
      for (const [k, v] of this.map) {
        const line = JSON.stringify({ k, v }) + "\n";
        batch.push(line);
        batchBytes += line.length;
        if (batchBytes >= SNAPSHOT_BATCH_BYTES) flush();
      }
      flush();
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    fs.closeSync(fd);
    fs.renameSync(tmp, this.snapshotPath);
    this.snapshotBytes = size;
    if (this.hasLegacySnapshot) {
      fs.rmSync(this.legacySnapshotPath, { force: true });
      this.hasLegacySnapshot = false;
    }
    // Replaying the old journal over the new snapshot gives the same state, so a crash before this line is harmless.
    if (this.journalFd === null) this.journalFd = fs.openSync(this.journalPath, "a");
    fs.ftruncateSync(this.journalFd, 0);
    this.journalLines = 0;
    this.journalBytes = 0;
  }

  get(key: string): T | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  /** Store a record. Values must be plain JSON (encode Buffers as base64). Journaled before it becomes visible. */
  set(key: string, value: T): void {
    this.append({ k: key, v: value });
    this.map.set(key, value);
    this.maybeCompact();
  }
  delete(key: string): boolean {
    if (!this.map.has(key)) return false;
    this.append({ k: key, d: 1 });
    this.map.delete(key);
    this.maybeCompact();
    return true;
  }
  get size(): number {
    return this.map.size;
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<T> {
    return this.map.values();
  }
  entries(): IterableIterator<[string, T]> {
    return this.map.entries();
  }
  /** Records whose key starts with `prefix`, in key order. */
  withPrefix(prefix: string): Array<[string, T]> {
    const out: Array<[string, T]> = [];
    for (const entry of this.map) if (entry[0].startsWith(prefix)) out.push(entry);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
  clear(): void {
    this.map.clear();
    if (this.dir) this.compact();
  }
  close(): void {
    if (this.journalFd !== null) {
      fs.closeSync(this.journalFd);
      this.journalFd = null;
    }
  }
}

export class Store {
  readonly blobs: BlobStore;
  private readonly tables = new Map<string, Table<unknown>>();
  private readonly stateDir: string | null;
  private readonly warnStateBytes: number;
  private warnedSize = false;

  /** `dataDir` null = in memory only. */
  constructor(
    readonly dataDir: string | null,
    private readonly options: StoreOptions = {},
  ) {
    this.stateDir = dataDir ? path.join(dataDir, "state") : null;
    if (this.stateDir) {
      fs.mkdirSync(this.stateDir, { recursive: true });
      // Leftovers of a compaction a crash interrupted: never renamed into place, so never part of the state.
      for (const name of fs.readdirSync(this.stateDir)) if (name.endsWith(".tmp")) fs.rmSync(path.join(this.stateDir, name), { force: true });
    }
    this.blobs = new BlobStore(dataDir ? path.join(dataDir, "blobs") : null);
    const fromEnv = Number(process.env.LOCALCLOUD_STATE_WARN_BYTES);
    this.warnStateBytes = options.warnStateBytes ?? (fromEnv > 0 ? fromEnv : DEFAULT_WARN_STATE_BYTES);
  }

  /** A named table, e.g. "sqs.queues". The same name always returns the same table. */
  table<T>(name: string): Table<T> {
    if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`bad table name ${name}`);
    let table = this.tables.get(name);
    if (!table) {
      table = new Table<unknown>(name, this.stateDir, { ...this.options, onGrow: () => this.checkSize() });
      this.tables.set(name, table);
      this.checkSize();
    }
    return table as Table<T>;
  }

  /** Bytes the tables occupy on disk. */
  get diskBytes(): number {
    let total = 0;
    for (const table of this.tables.values()) total += table.diskBytes;
    return total;
  }

  private checkSize(): void {
    if (this.warnedSize || !this.stateDir) return;
    const total = this.diskBytes;
    if (total <= this.warnStateBytes) return;
    this.warnedSize = true;
    this.options.warn?.(
      `store: the state in ${this.stateDir} has grown to ${Math.round(total / 1048576)} MiB (warning limit ${Math.round(this.warnStateBytes / 1048576)} MiB, ` +
        `LOCALCLOUD_STATE_WARN_BYTES). The local cloud keeps every table in memory; delete what you no longer need or POST /_localcloud/reset.`,
    );
  }

  /** A scratch directory for a service (unpacked Lambda code…), under the data dir or the OS temp dir. */
  scratchDir(name: string): string {
    const base = this.dataDir ?? path.join(fs.realpathSync(process.env.TMPDIR ?? "/tmp"), `localcloud-${process.pid}`);
    const dir = path.join(base, "scratch", name);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  async reset(): Promise<void> {
    for (const table of this.tables.values()) table.clear();
    await this.blobs.clear();
    this.warnedSize = false;
  }

  close(): void {
    for (const table of this.tables.values()) table.close();
  }
}
