/**
 * Spooling a large request body to disk: the S3 uploads a service marks with
 * spoolsBody() (PutObject, UploadPart) whose Content-Length is past the spool
 * threshold (core/blob-store.ts, 8 MiB; LOCALCLOUD_SPOOL_BYTES) are streamed
 * to a temp file in the blob store's directory instead of a Buffer, while the
 * MD5 and SHA-256 of the bytes as sent are computed on the way (S3's ETag and
 * Content-MD5 need the first, x-amz-content-sha256 and SigV4 the second).
 * The same rules as readBody (body.ts) hold: the size cap, S3's RequestTimeout
 * after the idle time, and a body that ends early is never processed — in
 * every failure the temp file is removed before the promise settles. On
 * success the caller owns the file: the service renames it into the blob
 * store, and the gateway removes whatever is left once the response is sent.
 */
import type * as http from "node:http";
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import { AwsError } from "../core/aws-error.js";
import type { SpooledBody } from "../core/service.js";
import { bodyIdleTimeoutMs, closingTooLarge, requestTimeout } from "./body.js";

export function spoolBody(req: http.IncomingMessage, file: string, limit: number, tooLarge: () => AwsError): Promise<SpooledBody> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      req.pause();
      reject(closingTooLarge(tooLarge));
      return;
    }
    if (req.destroyed || req.readableAborted) {
      // The client hung up before the gateway got here: its close event has already passed.
      reject(new Error("request aborted"));
      return;
    }
    const out = fs.createWriteStream(file, { flags: "wx" });
    const md5 = createHash("md5");
    const sha256 = createHash("sha256");
    let size = 0;
    let settled = false;
    let idle: NodeJS.Timeout | undefined;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.pause();
      req.removeAllListeners("data");
      out.destroy();
      // Removed before the error is reported: nothing of a failed upload stays on disk.
      fs.rm(file, { force: true }, () => reject(err));
    };
    const armTimer = () => {
      if (idle) idle.refresh();
      else idle = setTimeout(() => fail(requestTimeout()), bodyIdleTimeoutMs());
    };
    if (!req.complete) armTimer();
    out.on("error", fail);
    out.on("drain", () => {
      armTimer(); // time spent waiting for the disk is not the client's idle time
      req.resume();
    });
    req.on("data", (chunk: Buffer) => {
      armTimer();
      size += chunk.length;
      if (size > limit) {
        fail(closingTooLarge(tooLarge));
        return;
      }
      md5.update(chunk);
      sha256.update(chunk);
      if (!out.write(chunk)) {
        clearTimeout(idle);
        idle = undefined;
        req.pause();
      }
    });
    req.on("end", () => {
      if (settled) return;
      clearTimeout(idle);
      out.end(() => {
        if (settled) return;
        settled = true;
        resolve({ path: file, size, md5: md5.digest(), sha256: sha256.digest("hex") });
      });
    });
    req.on("aborted", () => fail(new Error("request aborted")));
    req.on("error", fail);
    req.on("close", () => {
      if (!req.complete) fail(new Error("request aborted"));
    });
  });
}
