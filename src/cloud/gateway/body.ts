/**
 * Reading a request body whole, with a size limit: refused up front when
 * Content-Length already says too much, cut off when the bytes do, and never
 * processed when the client hangs up half-way (a body that ends early must
 * not become a partial object). The gateway uses it for every request;
 * DynamoDB, which answers before the gateway's protocols, uses it too.
 *
 * A body that stops arriving half-way (a client that sent its headers and
 * part of the body, then went quiet) is answered like S3 answers it: after
 * the idle time with no bytes, 400 RequestTimeout "Your socket connection to
 * the server was not read from or written to within the timeout period" and
 * the connection is closed. AWS waits about 20 s; LOCALCLOUD_BODY_IDLE_TIMEOUT_MS
 * changes it (tests use a short one). Idle between requests is the server's
 * keep-alive timeout, not this.
 */
import type * as http from "node:http";
import { AwsError } from "../core/aws-error.js";

const DEFAULT_BODY_IDLE_MS = 20_000;

/** Idle time allowed between two chunks of a request body, in ms. */
export function bodyIdleTimeoutMs(): number {
  const fromEnv = Number(process.env.LOCALCLOUD_BODY_IDLE_TIMEOUT_MS);
  return fromEnv > 0 ? fromEnv : DEFAULT_BODY_IDLE_MS;
}

export const requestTimeout = () =>
  new AwsError("RequestTimeout", "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.", {
    headers: { connection: "close" },
  });

export function readBody(
  req: http.IncomingMessage,
  limit: number,
  tooLarge: () => AwsError = () => new AwsError("EntityTooLarge", `Your proposed upload exceeds the maximum allowed size (${limit} bytes in the local cloud).`),
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(tooLarge());
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const idleMs = bodyIdleTimeoutMs();
    let idle: NodeJS.Timeout | undefined;
    const stopTimer = () => clearTimeout(idle);
    const armTimer = () => {
      if (idle) idle.refresh(); // cheaper than a new timer per chunk
      else
        idle = setTimeout(() => {
          req.pause(); // read nothing more; the error response closes the connection
          reject(requestTimeout());
        }, idleMs);
    };
    if (!req.complete) armTimer();
    req.on("data", (chunk: Buffer) => {
      armTimer();
      size += chunk.length;
      if (size > limit) {
        stopTimer();
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      stopTimer();
      resolve(Buffer.concat(chunks, size));
    });
    // A body that ends early (client closed the connection) is never processed.
    req.on("aborted", () => {
      stopTimer();
      reject(new Error("request aborted"));
    });
    req.on("error", (err) => {
      stopTimer();
      reject(err);
    });
    req.on("close", stopTimer);
  });
}
