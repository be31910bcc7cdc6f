/**
 * Deployment packages: the `ZipFile` of CreateFunction / UpdateFunctionCode
 * (base64 in the JSON body, ≤ 50 MB zipped, ≤ 250 MB unzipped as on AWS) is
 * checked, stored as a blob (so it survives a restart) and unpacked with
 * fflate into a directory per code revision, which the runtime reads. After
 * a restart the directory is unpacked again on first use when it is gone.
 * Replaced code is removed a minute later (running invocations may still be
 * reading it); the list of such code is persisted and finished at start-up.
 * Entry names never escape the directory: absolute paths, `..` segments,
 * control characters (NUL) and symlinks make the package invalid
 * (zip-checks.ts), all checked before anything is written; a package that
 * fails while being written is removed again, blob and directory, so a
 * refused upload leaves nothing on disk.
 * A package carrying sharp's build for another
 * platform (linux-x64, for AWS) gets this host's build added beside it when
 * unpacked (runtime/native-modules.ts); the stored zip is unchanged.
 */
import { createHash, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { unzipSync } from "fflate";
import { AwsError } from "../../core/aws-error.js";
import type { Cloud } from "../../core/cloud.js";
import { invalidParameter } from "./errors.js";
import { checkNames, symlinkEntries, UNZIP_FAILED } from "./zip-checks.js";
import type { FunctionCode } from "./state.js";
import type { Table } from "../../core/store.js";
import { adaptNativeModules } from "./runtime/native-modules.js";
import { findKitNodeModules } from "./runtime/sdk-modules.js";

/** AWS: 50 MB for a direct upload of the zipped package. */
export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
/** AWS: 250 MB unzipped. */
export const MAX_UNZIPPED_BYTES = 262_144_000;

function decodeZip(zipFile: unknown, operation: string): Buffer {
  if (typeof zipFile !== "string" || zipFile.length === 0) throw invalidParameter("Please provide a source for function code.");
  const bytes = Buffer.from(zipFile, "base64");
  if (bytes.length > MAX_ZIPPED_BYTES) {
    // AWS measures the request; 69905067 is 50 MB after base64 expansion.
    throw new AwsError("RequestEntityTooLargeException", `Request must be smaller than 69905067 bytes for the ${operation} operation`, { status: 413 });
  }
  return bytes;
}

function unpack(zip: Buffer): Map<string, Uint8Array> {
  let total = 0;
  // A Map, not fflate's plain object: an entry named "__proto__" must stay an entry.
  const files = new Map<string, Uint8Array>();
  const links = symlinkEntries(zip);
  if (links.length > 0) throw invalidParameter(`${UNZIP_FAILED} (symbolic links are not accepted: ${links.slice(0, 3).join(", ")})`);
  try {
    unzipSync(zip, {
      filter: (file) => {
        total += file.originalSize;
        if (total > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
        if (files.has(file.name)) throw invalidParameter(`${UNZIP_FAILED} (the archive holds "${file.name}" twice)`);
        files.set(file.name, new Uint8Array(0));
        return false; // this pass only reads the directory
      },
    });
  } catch (err) {
    if (err instanceof AwsError) throw err;
    throw invalidParameter(UNZIP_FAILED);
  }
  checkNames([...files.keys()]);
  // Second pass inflates for real, now that the names and sizes are known to be acceptable.
  let inflated: Record<string, Uint8Array>;
  try {
    inflated = unzipSync(zip);
  } catch {
    throw invalidParameter(UNZIP_FAILED);
  }
  for (const name of files.keys()) {
    const data = Object.prototype.hasOwnProperty.call(inflated, name) ? inflated[name] : undefined;
    files.set(name, data ?? new Uint8Array(0));
  }
  return files;
}

export class CodeStore {
  private readonly root: string;
  /** Directories known to be complete in this process. */
  private readonly ready = new Set<string>();
  /** Code replaced or deleted but not yet removed (kept for running invocations); persisted so a restart finishes the job. */
  private readonly garbage: Table<FunctionCode>;

  constructor(private readonly cloud: Cloud) {
    this.root = cloud.store.scratchDir("lambda-code");
    this.garbage = cloud.store.table<FunctionCode>("lambda.code-garbage");
  }

  /**
   * At start-up: remove code that was waiting to be discarded when the cloud
   * stopped, and unpacked directories no function refers to (half-written
   * ".tmp-" ones included).
   */
  async sweep(inUse: Iterable<FunctionCode>): Promise<void> {
    for (const [key, code] of [...this.garbage.entries()]) {
      await this.discard(code);
      this.garbage.delete(key);
    }
    const keep = new Set([...inUse].map((c) => c.revision));
    for (const name of fs.readdirSync(this.root)) {
      if (!keep.has(name)) fs.rmSync(path.join(this.root, name), { recursive: true, force: true });
    }
  }

  /** Discard later (after running invocations are done); remembered across a restart. */
  retire(code: FunctionCode, afterMs: number): NodeJS.Timeout {
    this.garbage.set(code.blobId, code);
    const timer = setTimeout(() => {
      void this.discard(code).then(() => this.garbage.delete(code.blobId));
    }, afterMs);
    timer.unref();
    return timer;
  }

  /** Validate, store and unpack an uploaded zip. Throws AwsError for a bad package. */
  async accept(zipFile: unknown, operation: string): Promise<FunctionCode> {
    const zip = decodeZip(zipFile, operation);
    const files = unpack(zip);
    const revision = randomUUID();
    this.write(revision, files);
    let blobId: string;
    try {
      blobId = await this.cloud.store.blobs.put(zip);
    } catch (err) {
      fs.rmSync(path.join(this.root, revision), { recursive: true, force: true });
      this.ready.delete(path.join(this.root, revision));
      throw err;
    }
    return { blobId, sha256: createHash("sha256").update(zip).digest("base64"), size: zip.length, revision };
  }

  /** The unpacked directory of a code revision, unpacking it again if it is gone (after a restart). */
  async directory(code: FunctionCode): Promise<string> {
    const dir = path.join(this.root, code.revision);
    if (this.ready.has(dir) || fs.existsSync(dir)) {
      this.ready.add(dir);
      return dir;
    }
    this.write(code.revision, unpack(await this.cloud.store.blobs.get(code.blobId)));
    return dir;
  }

  async discard(code: FunctionCode): Promise<void> {
    const dir = path.join(this.root, code.revision);
    this.ready.delete(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    await this.cloud.store.blobs.delete(code.blobId).catch(() => {});
  }

  /** The cloud stops: an in-memory cloud leaves nothing behind in the temp dir. */
  close(): void {
    if (this.cloud.store.dataDir === null) fs.rmSync(this.root, { recursive: true, force: true });
  }

  /** Everything (POST /_localcloud/reset). */
  clear(): void {
    this.ready.clear();
    fs.rmSync(this.root, { recursive: true, force: true });
    fs.mkdirSync(this.root, { recursive: true });
  }

  private write(revision: string, files: Map<string, Uint8Array>): void {
    const dir = path.join(this.root, revision);
    const tmp = `${dir}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    try {
      for (const [name, data] of files) {
        const target = path.join(tmp, name);
        // zip-checks.ts already refused escaping names; this is the belt to those braces.
        if (!target.startsWith(tmp + path.sep)) throw invalidParameter(UNZIP_FAILED);
        if (name.endsWith("/") || name.endsWith("\\")) {
          fs.mkdirSync(target, { recursive: true });
          continue;
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, data);
      }
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (err instanceof AwsError) throw err;
      // A name the file system refuses (too long, reserved): the package cannot be unpacked as sent.
      throw invalidParameter(`${UNZIP_FAILED} (${(err as NodeJS.ErrnoException).code ?? "write failed"})`);
    }
    adaptNativeModules(tmp, findKitNodeModules());
    // Rename into place so a half-written directory is never used.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    this.ready.add(dir);
  }
}
