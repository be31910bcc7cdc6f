/**
 * S3 test helpers: an SDK client that uses virtual-hosted addressing offline
 * (the SDK's endpoint is http://localhost:PORT, so it addresses
 * `bucket.localhost:PORT`; the agent resolves every name to 127.0.0.1, since
 * *.localhost does not resolve on every machine), a raw HTTP request for
 * what the SDK will not send, and `failure()` to inspect SDK errors.
 */
import * as http from "node:http";
import { placeholderScope, signHeaders } from "./signed-fetch.js";
import { S3Client } from "@aws-sdk/client-s3";
import type { TestCloud } from "./cloud.js";

export function virtualHostedS3(cloud: TestCloud): S3Client {
  const agent = new http.Agent({
    keepAlive: true,
    lookup: ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    }) as never,
  });
  return new S3Client({
    ...cloud.clientConfig,
    endpoint: `http://localhost:${cloud.port}`,
    forcePathStyle: false,
    // The SDK accepts its HTTP handler's options directly.
    requestHandler: { httpAgent: agent },
  });
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A plain HTTP request to the cloud, with the Host header and path exactly as given. */
export async function rawRequest(
  cloud: TestCloud,
  options: { method: string; path: string; host?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  let headers: Record<string, string> = {
    host: options.host ?? `127.0.0.1:${cloud.port}`,
    // A placeholder, replaced by a real signature below (signed-fetch.ts); tests pass authorization: "" to go unsigned.
    authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
    ...(options.body !== undefined ? { "content-length": String(Buffer.byteLength(options.body)) } : {}),
    ...options.headers,
  };
  const scope = placeholderScope(headers.authorization);
  if (scope) {
    const at = options.path.indexOf("?");
    const signed = await signHeaders({
      method: options.method,
      host: headers.host!,
      path: at < 0 ? options.path : options.path.slice(0, at),
      query: new URLSearchParams(at < 0 ? "" : options.path.slice(at + 1)),
      headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k !== "content-length")),
      body: options.body,
      ...scope,
    });
    headers = { ...signed, ...(headers["content-length"] !== undefined ? { "content-length": headers["content-length"] } : {}) };
  } else if (headers.authorization === "") delete headers.authorization;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: cloud.port,
        method: options.method,
        path: options.path,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The error an SDK call rejects with (fails the test if it succeeds). */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number; raw: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } } & Record<string, unknown>;
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, raw: e };
  }
  throw new Error("expected the call to fail, it succeeded");
}
