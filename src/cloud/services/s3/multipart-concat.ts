/**
 * The bytes of a completed multipart upload: its parts, concatenated. Small
 * uploads are joined in memory; past the spool threshold the parts are
 * streamed one after another into a spool file (renamed into the blob store
 * by the object write), the full-object checksum computed on the way, so
 * completing a multi-GB upload holds one read buffer, not the object.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { once } from "node:events";
import { spoolThresholdBytes, type BlobFile, type BlobStore } from "../../core/blob-store.js";
import { createDigester, digest, type ChecksumAlgorithm } from "./checksums.js";

export interface JoinedParts {
  body: Buffer | BlobFile;
  /** Raw full-object digest in `algorithm`, when one was asked for. */
  digest?: Buffer;
}

export async function joinParts(blobs: BlobStore, parts: Array<{ blobId: string; size: number }>, algorithm?: ChecksumAlgorithm): Promise<JoinedParts> {
  const total = parts.reduce((n, p) => n + p.size, 0);
  if (total <= spoolThresholdBytes()) {
    const body = Buffer.concat(await Promise.all(parts.map((p) => blobs.get(p.blobId))));
    return { body, digest: algorithm ? await digest(algorithm, body) : undefined };
  }
  const file = blobs.spoolPath();
  const digester = algorithm ? await createDigester(algorithm) : undefined;
  const out = fs.createWriteStream(file, { flags: "wx" });
  try {
    const failed = once(out, "error").then(([err]) => Promise.reject(err));
    failed.catch(() => {});
    for (const part of parts) {
      for await (const chunk of blobs.stream(part.blobId)) {
        digester?.update(chunk as Buffer);
        if (!out.write(chunk)) await Promise.race([once(out, "drain"), failed]);
      }
    }
    out.end();
    await Promise.race([once(out, "finish"), failed]);
    return { body: { path: file, size: total }, digest: digester ? await digester.digest() : undefined };
  } catch (err) {
    out.destroy();
    await fsp.rm(file, { force: true });
    throw err;
  }
}
