/**
 * Blobs: large byte payloads (S3 object bodies, Lambda code) kept as files
 * under the data dir, outside the tables (core/store.ts). Each is written to a
 * temp file and renamed into place *before* the record that points at it is
 * journaled, so a crash can leave an orphan blob but never a record pointing
 * at half a file. Blob names are random ids — user input (object keys) never
 * becomes a file path. With no directory they live in memory.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

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
