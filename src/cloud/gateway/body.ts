/**
 * Reading a request body whole, with a size limit: refused up front when
 * Content-Length already says too much, cut off when the bytes do, and never
 * processed when the client hangs up half-way (a body that ends early must
 * not become a partial object). The gateway uses it for every request;
 * DynamoDB, which answers before the gateway's protocols, uses it too.
 */
import type * as http from "node:http";
import { AwsError } from "../core/aws-error.js";

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
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks, size)));
    // A body that ends early (client closed the connection) is never processed.
    req.on("aborted", () => reject(new Error("request aborted")));
    req.on("error", reject);
  });
}
