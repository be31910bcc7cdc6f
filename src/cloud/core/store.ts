/**
 * State that survives a restart. A service keeps its records in named tables
 * (`store.table<Queue>("sqs.queues")`): an in-memory Map that is the source of
 * truth while the cloud runs, backed on disk by a snapshot plus an append-only
 * journal of changes. Every change is one JSON line appended synchronously, so
 * a write is durable before the response goes out, and a torn last line from a
 * crash is simply ignored on replay. When the journal grows past the table's
 * size the table is compacted: a new snapshot is written to a temp file and
 * renamed over the old one (atomic on POSIX), then the journal is truncated.
 *
 * Large byte payloads (S3 object bodies, Lambda code) are blobs: written to a
 * temp file and renamed into place *before* the record that points at them is
 * journaled, so a crash can leave an orphan blob but never a record pointing at
 * half a file. Blob names are random ids — user input (object keys) never
 * becomes a file path.
 *
 * With `inMemory` nothing touches the disk.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

type JournalEntry<T> = { k: string; v?: T; d?: 1 };

export class Table<T> {
  private readonly map = new Map<string, T>();
  private journalFd: number | null = null;
  private journalLines = 0;

  constructor(
    readonly name: string,
    private readonly dir: string | null,
  ) {
    if (dir) this.load();
  }

  private get snapshotPath(): string {
    return path.join(this.dir!, `${this.name}.json`);
  }
  private get journalPath(): string {
    return path.join(this.dir!, `${this.name}.jsonl`);
  }

  private load(): void {
    if (fs.existsSync(this.snapshotPath)) {
      const snapshot = JSON.parse(fs.readFileSync(this.snapshotPath, "utf8")) as Record<string, T>;
      for (const [k, v] of Object.entries(snapshot)) this.map.set(k, v);
    }
    if (fs.existsSync(this.journalPath)) {
      const lines = fs.readFileSync(this.journalPath, "utf8").split("\n");
      for (const line of lines) {
        if (!line) continue;
        let entry: JournalEntry<T>;
        try {
          entry = JSON.parse(line);
        } catch {
          continue; // a torn line from a crash mid-append: the change never completed
        }
        if (entry.d) this.map.delete(entry.k);
        else this.map.set(entry.k, entry.v as T);
        this.journalLines++;
      }
    }
  }

  private append(entry: JournalEntry<T>): void {
    if (!this.dir) return;
    if (this.journalFd === null) this.journalFd = fs.openSync(this.journalPath, "a");
    fs.writeSync(this.journalFd, JSON.stringify(entry) + "\n");
    this.journalLines++;
    if (this.journalLines > 1000 && this.journalLines > this.map.size * 2) this.compact();
  }

  /** Write a snapshot atomically and start a fresh journal. */
  compact(): void {
    if (!this.dir) return;
    const tmp = `${this.snapshotPath}.${randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.map)));
    fs.renameSync(tmp, this.snapshotPath);
    if (this.journalFd !== null) fs.closeSync(this.journalFd);
    this.journalFd = fs.openSync(this.journalPath, "w");
    this.journalLines = 0;
  }

  get(key: string): T | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  /** Store a record. Values must be plain JSON (encode Buffers as base64). */
  set(key: string, value: T): void {
    this.map.set(key, value);
    this.append({ k: key, v: value });
  }
  delete(key: string): boolean {
    const existed = this.map.delete(key);
    if (existed) this.append({ k: key, d: 1 });
    return existed;
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

/** Blobs up to this size are written with synchronous calls (see put). */
const SYNC_WRITE_LIMIT = 1024 * 1024;

export class BlobStore {
  private readonly memory = new Map<string, Buffer>();
  /** Fan-out folders known to exist: a mkdir per write is a syscall on every PutObject's path. */
  private readonly madeDirs = new Set<string>();
  constructor(private readonly dir: string | null) {
    if (dir) fs.mkdirSync(dir, { recursive: true });
  }

  private filePath(id: string): string {
    if (!/^[a-f0-9]{32}$/.test(id)) throw new Error(`invalid blob id ${id}`);
    return path.join(this.dir!, id.slice(0, 2), id);
  }

  /** Store bytes; resolves once they are durably in place. Returns the blob id. */
  async put(data: Buffer | Uint8Array): Promise<string> {
    const id = randomBytes(16).toString("hex");
    if (!this.dir) {
      this.memory.set(id, Buffer.from(data));
      return id;
    }
    const file = this.filePath(id);
    const folder = path.dirname(file);
    const tmp = `${file}.tmp`;
    if (data.length <= SYNC_WRITE_LIMIT) {
      // Small bodies (the common 1 KiB–1 MiB upload) are written synchronously: four syscalls of
      // microseconds each cost less than four round trips through libuv's thread pool.
      if (!this.madeDirs.has(folder)) fs.mkdirSync(folder, { recursive: true });
      this.madeDirs.add(folder);
      fs.writeFileSync(tmp, data);
      fs.renameSync(tmp, file);
      return id;
    }
    if (!this.madeDirs.has(folder)) await fsp.mkdir(folder, { recursive: true });
    this.madeDirs.add(folder);
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, file);
    return id;
  }

  async get(id: string, range?: { start: number; end: number }): Promise<Buffer> {
    const whole = this.dir ? await fsp.readFile(this.filePath(id)) : this.memory.get(id);
    if (!whole) throw new Error(`blob ${id} is missing`);
    return range ? whole.subarray(range.start, range.end + 1) : whole;
  }

  /** Path on disk, for services that hand files to other processes (Lambda code). Null in memory mode. */
  pathOf(id: string): string | null {
    return this.dir ? this.filePath(id) : null;
  }

  async delete(id: string): Promise<void> {
    if (!this.dir) {
      this.memory.delete(id);
      return;
    }
    // One unlink (rm stats first), synchronous for the same reason as small writes; already gone is fine.
    try {
      fs.unlinkSync(this.filePath(id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }

  async clear(): Promise<void> {
    this.memory.clear();
    this.madeDirs.clear();
    if (this.dir) {
      await fsp.rm(this.dir, { recursive: true, force: true });
      await fsp.mkdir(this.dir, { recursive: true });
    }
  }
}

export class Store {
  readonly blobs: BlobStore;
  private readonly tables = new Map<string, Table<unknown>>();
  private readonly stateDir: string | null;

  /** `dataDir` null = in memory only. */
  constructor(readonly dataDir: string | null) {
    this.stateDir = dataDir ? path.join(dataDir, "state") : null;
    if (this.stateDir) fs.mkdirSync(this.stateDir, { recursive: true });
    this.blobs = new BlobStore(dataDir ? path.join(dataDir, "blobs") : null);
  }

  /** A named table, e.g. "sqs.queues". The same name always returns the same table. */
  table<T>(name: string): Table<T> {
    if (!/^[a-z0-9.-]+$/.test(name)) throw new Error(`bad table name ${name}`);
    let table = this.tables.get(name);
    if (!table) {
      table = new Table<unknown>(name, this.stateDir);
      this.tables.set(name, table);
    }
    return table as Table<T>;
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
  }

  close(): void {
    for (const table of this.tables.values()) table.close();
  }
}
