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

/** S3 requests that are buffered (not spooled: POST Object, small uploads, XML bodies) are refused past this. */
export const MAX_S3_BODY_BYTES = 1024 * 1024 * 1024;
/** S3 uploads spooled to disk (spool.ts) may be as large as AWS allows one PUT or part to be: 5 GiB. */
export const MAX_S3_SPOOLED_BYTES = 5 * 1024 * 1024 * 1024;
export const spooledTooLarge = () =>
  new AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { fields: { MaxSizeAllowed: MAX_S3_SPOOLED_BYTES } });
/**
 * Every other service is refused far earlier, before its body is buffered:
 * each has its own AWS limit (SQS 1 MiB of messages, SNS 256 KB, a Lambda
 * zip 50 MB = 69,905,067 bytes of base64, an invoke 6 MB) that it checks itself
 * with AWS's error; the gateway's cap only has to be above any request those
 * limits allow (URL- or JSON-escaping can triple a 1 MiB message).
 */
const SERVICE_BODY_LIMITS: Record<string, number> = { lambda: 72 * 1024 * 1024 };
const DEFAULT_SERVICE_BODY_LIMIT = 16 * 1024 * 1024;

/** The most the gateway buffers for a request to `service` (undefined: a service the cloud does not have). */
export function bodyLimitFor(service: string | undefined): number {
  if (service === "s3") return MAX_S3_BODY_BYTES;
  return (service && SERVICE_BODY_LIMITS[service]) || DEFAULT_SERVICE_BODY_LIMIT;
}

/** The error for a body past bodyLimitFor(service): S3's EntityTooLarge, else a 413 in the service's shape. */
export function bodyTooLargeFor(service: string | undefined): () => AwsError {
  const limit = bodyLimitFor(service);
  if (service === "s3") return () => new AwsError("EntityTooLarge", `Your proposed upload exceeds the maximum allowed size (${limit} bytes in the local cloud).`);
  if (service === "lambda") return () => new AwsError("RequestEntityTooLargeException", `Request must be smaller than ${limit} bytes`, { status: 413 });
  return () => new AwsError("RequestEntityTooLarge", `Request body is larger than ${limit} bytes, far past what ${service ?? "this service"} accepts.`, { status: 413 });
}

/** A too-large error that also closes the connection (the rest of the body is never read). */
export function closingTooLarge(tooLarge: () => AwsError): AwsError {
  const err = tooLarge();
  err.headers.connection = "close";
  return err;
}

export function readBody(
  req: http.IncomingMessage,
  limit: number,
  tooLarge: () => AwsError = () => new AwsError("EntityTooLarge", `Your proposed upload exceeds the maximum allowed size (${limit} bytes in the local cloud).`),
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Too large: answered at once and the connection closed, rather than reading (or draining) the rest.
    const refuse = () => {
      req.pause();
      reject(closingTooLarge(tooLarge));
    };
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      refuse();
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
        chunks.length = 0;
        req.removeAllListeners("data");
        refuse();
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
