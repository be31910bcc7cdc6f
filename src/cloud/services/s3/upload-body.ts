/**
 * The body of an S3 write (PutObject, UploadPart), decoded and verified: the
 * bytes to store, their checksums checked against what the request claims,
 * and the digests for whatever else the caller needs (a part's checksum in
 * its upload's algorithm).
 *
 * Small bodies arrive as a Buffer and are decoded in memory. Bodies past the
 * spool threshold arrive as a file (gateway/spool.ts, with the MD5 and
 * SHA-256 of the bytes as sent): a plain body *is* the object — one read of
 * the file computes the checksums; an aws-chunked body is decoded from that
 * file into a second one, chunk signatures and checksums computed as the
 * bytes pass. No step holds more than a read buffer. The decoded file is the
 * caller's to move into the blob store (writeObject / storePart); on any
 * failure here it is removed, and the gateway removes the raw file after the
 * response.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { createHash } from "node:crypto";
import { isBlobFile, type BlobFile } from "../../core/blob-store.js";
import type { S3Call } from "./call.js";
import { planDecoding } from "./aws-chunked.js";
import {
  algorithmsFor,
  bufferDigests,
  createDigester,
  verifyDigests,
  type BodyDigests,
  type ChecksumAlgorithm,
  type ChecksumResult,
  type Digester,
} from "./checksums.js";

export interface UploadBody {
  body: Buffer | BlobFile;
  verified: ChecksumResult;
  digests: BodyDigests;
  /** The Content-Encoding to store (aws-chunked removed). */
  contentEncoding?: string;
  chunked: boolean;
}

/** Read, decode and verify a write's body. `extra`: an algorithm the caller will ask `digests` for (a part's upload algorithm). */
export async function readUploadBody(call: S3Call, extra?: ChecksumAlgorithm): Promise<UploadBody> {
  const headers = call.headers;
  const secretAccessKey = call.cloud.identity.secretFor(call.ctx.principal.accessKeyId)?.secretAccessKey;
  const spooled = call.req.bodyFile;
  if (!spooled) {
    const raw = call.req.body;
    const plan = planDecoding(headers, () => createHash("sha256").update(raw).digest("hex"), { secretAccessKey });
    let body = raw;
    let trailers: Record<string, string> = {};
    if (plan.decoder) {
      const parts: Buffer[] = [];
      plan.decoder.push(raw, (data) => parts.push(data));
      trailers = plan.decoder.end();
      body = Buffer.concat(parts);
    }
    const digests = bufferDigests(body);
    const verified = await verifyDigests(headers, trailers, digests);
    return { body, verified, digests, contentEncoding: plan.contentEncoding, chunked: !!plan.decoder };
  }

  const plan = planDecoding(headers, () => spooled.sha256, { secretAccessKey });
  const wanted = algorithmsFor(headers);
  if (extra) wanted.add(extra);
  const digesters = new Map<ChecksumAlgorithm, Digester>();
  for (const algorithm of wanted) digesters.set(algorithm, await createDigester(algorithm));

  if (!plan.decoder) {
    // The file as sent is the object: one pass for the checksums (the gateway has its MD5).
    for await (const chunk of fs.createReadStream(spooled.path, { highWaterMark: 1024 * 1024 })) {
      for (const d of digesters.values()) d.update(chunk as Buffer);
    }
    const digests = await fileDigests(spooled, spooled.md5, digesters);
    const verified = await verifyDigests(headers, {}, digests);
    return { body: { path: spooled.path, size: spooled.size }, verified, digests, contentEncoding: plan.contentEncoding, chunked: false };
  }

  const decodedPath = call.cloud.store.blobs.spoolPath();
  try {
    const md5 = createHash("md5");
    const out = fs.createWriteStream(decodedPath, { flags: "wx" });
    const outDone = new Promise<void>((resolve, reject) => {
      out.on("error", reject);
      out.on("finish", resolve);
    });
    let size = 0;
    let trailers: Record<string, string>;
    try {
      for await (const chunk of fs.createReadStream(spooled.path, { highWaterMark: 1024 * 1024 })) {
        let more = true;
        plan.decoder.push(chunk as Buffer, (data) => {
          md5.update(data);
          for (const d of digesters.values()) d.update(data);
          size += data.length;
          more = out.write(data) && more; // a view into a read buffer the stream never reuses
        });
        if (!more) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
      }
      trailers = plan.decoder.end();
    } finally {
      out.end();
      await outDone;
    }
    const decoded = { path: decodedPath, size };
    const digests = await fileDigests(decoded, md5.digest(), digesters);
    const verified = await verifyDigests(headers, trailers, digests);
    return { body: decoded, verified, digests, contentEncoding: plan.contentEncoding, chunked: true };
  } catch (err) {
    await fsp.rm(decodedPath, { force: true });
    throw err;
  }
}

/** Digests computed while the body streamed past; any other algorithm is computed by reading the file again. */
async function fileDigests(file: BlobFile, md5: Buffer, digesters: Map<ChecksumAlgorithm, Digester>): Promise<BodyDigests> {
  const done = new Map<ChecksumAlgorithm, Buffer>();
  for (const [algorithm, d] of digesters) done.set(algorithm, await d.digest());
  return {
    md5: () => md5,
    async digest(algorithm) {
      const known = done.get(algorithm);
      if (known) return known;
      const d = await createDigester(algorithm);
      for await (const chunk of fs.createReadStream(file.path, { highWaterMark: 1024 * 1024 })) d.update(chunk as Buffer);
      const value = await d.digest();
      done.set(algorithm, value);
      return value;
    },
  };
}

/** Remove a body's spool file if the write did not move it into the blob store (a no-op after it did). */
export async function releaseUploadBody(upload: UploadBody | undefined): Promise<void> {
  if (upload && isBlobFile(upload.body)) await fsp.rm(upload.body.path, { force: true });
}
