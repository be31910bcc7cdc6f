/**
 * The bytes of a completed multipart upload: its parts, concatenated. Small
 * uploads are joined in memory; past the spool threshold the parts are
 * streamed one after another into a spool file (renamed into the blob store
 * by the object write), the full-object checksum computed on the way, so
 * completing a multi-GB upload holds one read buffer, not the object.
 * CopyObject and UploadPartCopy use it too, to copy one blob (or a range of it).
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { spoolThresholdBytes, type BlobFile, type BlobStore } from "../../core/blob-store.js";
import { createDigester, digest, type ChecksumAlgorithm } from "./checksums.js";

export interface JoinedParts {
  body: Buffer | BlobFile;
  /** Raw full-object digest in `algorithm`, when one was asked for. */
  digest?: Buffer;
  /** Hex MD5 of the whole, when asked for (a copy's ETag). */
  md5Hex?: string;
}

/**
 * Join blobs into one body (a copy is the join of one blob). `algorithm`:
 * compute that full-object checksum on the way; `md5`: and the MD5.
 */
export async function joinParts(
  blobs: BlobStore,
  /** `size`: the bytes taken from the blob — the whole blob, or `range` (inclusive) of it. */
  parts: Array<{ blobId: string; size: number; range?: { start: number; end: number } }>,
  algorithm?: ChecksumAlgorithm,
  md5 = false,
): Promise<JoinedParts> {
  const total = parts.reduce((n, p) => n + p.size, 0);
  if (total <= spoolThresholdBytes()) {
    const body = Buffer.concat(await Promise.all(parts.map((p) => (p.size > 0 ? blobs.get(p.blobId, p.range) : Buffer.alloc(0)))));
    return { body, digest: algorithm ? await digest(algorithm, body) : undefined, md5Hex: md5 ? createHash("md5").update(body).digest("hex") : undefined };
  }
  const file = blobs.spoolPath();
  const digester = algorithm ? await createDigester(algorithm) : undefined;
  const md5Hash = md5 ? createHash("md5") : undefined;
  const out = fs.createWriteStream(file, { flags: "wx" });
  try {
    const failed = once(out, "error").then(([err]) => Promise.reject(err));
    failed.catch(() => {});
    for (const part of parts) {
      if (part.size === 0) continue;
      for await (const chunk of blobs.stream(part.blobId, part.range)) {
        digester?.update(chunk as Buffer);
        md5Hash?.update(chunk as Buffer);
        if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
      }
    }
    out.end();
    await Promise.race([once(out, "finish"), failed]);
    return { body: { path: file, size: total }, digest: digester ? await digester.digest() : undefined, md5Hex: md5Hash?.digest("hex") };
  } catch (err) {
    out.destroy();
    await fsp.rm(file, { force: true });
    throw err;
  }
}
