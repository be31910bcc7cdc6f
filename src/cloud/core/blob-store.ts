/**
 * Blobs: large byte payloads (S3 object bodies, Lambda code) kept as files
 * under the data dir, outside the tables (core/store.ts). Each is written to a
 * temp file and renamed into place *before* the record that points at it is
 * journaled, so a crash can leave an orphan blob but never a record pointing
 * at half a file. Blob names are random ids — user input (object keys) never
 * becomes a file path. With no directory they live in memory.
 *
 * Large request bodies (S3 PutObject/UploadPart past the spool threshold,
 * gateway/spool.ts) never exist as one Buffer: the gateway streams them to a
 * temp file from spoolPath() — inside the blob dir, so adopt() is a rename —
 * and reads of large blobs are streams (stream()). An in-memory store keeps
 * such files in a private folder under os.tmpdir(), removed on clear().
 * Temp files a crash left behind (`tmp/` in the blob dir) are removed at start.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import * as os from "node:os";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

/** A body already on disk (a spooled upload): `path` is a temp file from spoolPath(). */
export interface BlobFile {
  path: string;
  size: number;
}

export function isBlobFile(data: unknown): data is BlobFile {
  return typeof data === "object" && data !== null && !Buffer.isBuffer(data) && !(data instanceof Uint8Array) && typeof (data as BlobFile).path === "string";
}

/** Size of a blob's bytes, in memory or on disk. */
export function blobSize(data: Buffer | Uint8Array | BlobFile): number {
  return isBlobFile(data) ? data.size : data.length;
}

/** Blobs up to this size are written with synchronous calls (see put). */
const SYNC_WRITE_LIMIT = 1024 * 1024;

export class BlobStore {
  private readonly memory = new Map<string, Buffer>();
  /** Fan-out folders known to exist: a mkdir per write is a syscall on every PutObject's path. */
  private readonly madeDirs = new Set<string>();
  /** In-memory mode: adopted (spooled) blobs stay files, id → path. */
  private readonly files = new Map<string, string>();
  /** Where spooled bodies are written before adopt(): `<dir>/tmp`, or a private folder under os.tmpdir(). */
  private spoolDir: string | null = null;
  constructor(private readonly dir: string | null) {
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      // Spool files of requests a crash interrupted: never adopted, so never referenced.
      fs.rmSync(path.join(dir, "tmp"), { recursive: true, force: true });
    }
  }

  /** A fresh temp-file path for a spooled body, on the same filesystem as the blobs (adopt renames it). */
  spoolPath(): string {
    if (!this.spoolDir) {
      this.spoolDir = this.dir ? path.join(this.dir, "tmp") : fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-spool-"));
      fs.mkdirSync(this.spoolDir, { recursive: true });
    }
    return path.join(this.spoolDir, `${randomBytes(12).toString("hex")}.spool`);
  }

  /** Move a spooled file into the store; resolves once it is durably in place. Returns the blob id. */
  async adopt(file: BlobFile): Promise<string> {
    const id = randomBytes(16).toString("hex");
    if (!this.dir) {
      // Renamed even here, so a caller may always remove the spool path afterwards.
      const kept = path.join(path.dirname(file.path), `${id}.blob`);
      await fsp.rename(file.path, kept);
      this.files.set(id, kept);
      return id;
    }
    const target = this.filePath(id);
    const folder = path.dirname(target);
    if (!this.madeDirs.has(folder)) await fsp.mkdir(folder, { recursive: true });
    this.madeDirs.add(folder);
    await fsp.rename(file.path, target);
    return id;
  }

  /** A blob's bytes (or a range, inclusive) as a stream: large objects are never read whole. */
  stream(id: string, range?: { start: number; end: number }): Readable {
    const file = this.dir ? this.filePath(id) : this.files.get(id);
    if (file) return fs.createReadStream(file, range ? { start: range.start, end: range.end } : {});
    const whole = this.memory.get(id);
    if (!whole) throw new Error(`blob ${id} is missing`);
    return streamOf(range ? whole.subarray(range.start, range.end + 1) : whole);
  }

  private filePath(id: string): string {
    if (!/^[a-f0-9]{32}$/.test(id)) throw new Error(`invalid blob id ${id}`);
    return path.join(this.dir!, id.slice(0, 2), id);
  }

  /** Store bytes; resolves once they are durably in place. Returns the blob id. */
  async put(data: Buffer | Uint8Array | BlobFile): Promise<string> {
    if (isBlobFile(data)) return this.adopt(data);
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
    const spooled = this.files.get(id);
    const whole = this.dir ? await fsp.readFile(this.filePath(id)) : spooled ? await fsp.readFile(spooled) : this.memory.get(id);
    if (!whole) throw new Error(`blob ${id} is missing`);
    return range ? whole.subarray(range.start, range.end + 1) : whole;
  }

  /** Path on disk, for services that hand files to other processes (Lambda code). Null in memory mode. */
  pathOf(id: string): string | null {
    return this.dir ? this.filePath(id) : (this.files.get(id) ?? null);
  }

  async delete(id: string): Promise<void> {
    if (!this.dir) {
      this.memory.delete(id);
      const spooled = this.files.get(id);
      this.files.delete(id);
      if (spooled) await fsp.rm(spooled, { force: true });
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
    for (const file of this.files.values()) await fsp.rm(file, { force: true });
    this.files.clear();
    if (this.dir) {
      await fsp.rm(this.dir, { recursive: true, force: true });
      await fsp.mkdir(this.dir, { recursive: true });
    }
  }
}

function streamOf(data: Buffer): Readable {
  return Readable.from([data], { objectMode: false });
}

const DEFAULT_SPOOL_BYTES = 8 * 1024 * 1024;

/**
 * Bodies (S3 uploads, object reads) larger than this go through files and
 * streams, never one Buffer; smaller ones keep the faster in-memory path.
 * LOCALCLOUD_SPOOL_BYTES changes it (tests use a tiny one).
 */
export function spoolThresholdBytes(): number {
  const fromEnv = Number(process.env.LOCALCLOUD_SPOOL_BYTES);
  return Number.isFinite(fromEnv) && fromEnv >= 0 && process.env.LOCALCLOUD_SPOOL_BYTES !== "" && process.env.LOCALCLOUD_SPOOL_BYTES !== undefined ? fromEnv : DEFAULT_SPOOL_BYTES;
}
