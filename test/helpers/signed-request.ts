/**
 * Raw HTTP requests to a local cloud, SigV4-signed the way the SDK signs them
 * (with the SDK's own signer, @smithy/signature-v4, which every
 * @aws-sdk/client-* depends on), for tests that must send what no SDK client
 * would: malformed bodies, wrong content types, odd headers. Signing makes them
 * reach the service even when the gateway verifies signatures.
 */
import * as http from "node:http";
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** The hash constructor the signer wants, on node:crypto (no extra dependency). */
class Sha256 {
  private hash;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  reset(): void {
    this.hash = this.secret ? createHmac("sha256", toBytes(this.secret)) : createHash("sha256");
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface RawRequest {
  method: string;
  /** URI path as sent, already percent-encoded where it needs to be. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Signing name: s3, sqs, sns, iam, sts, events, logs, dynamodb, lambda. */
  service: string;
  region?: string;
  /** Leave the request unsigned. */
  unsigned?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const signers = new Map<string, SignatureV4>();
function signerFor(service: string, region: string, credentials: { accessKeyId: string; secretAccessKey: string }): SignatureV4 {
  const key = `${service}/${region}/${credentials.accessKeyId}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({ service, region, credentials, sha256: Sha256, uriEscapePath: service !== "s3", applyChecksum: true });
    signers.set(key, signer);
  }
  return signer;
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export async function signedRequest(
  endpoint: string,
  request: RawRequest,
  credentials = { accessKeyId: "test", secretAccessKey: "test" },
  timeoutMs = 15_000,
): Promise<RawResponse> {
  const url = new URL(endpoint);
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, "utf8");
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
    ...(request.headers ?? {}),
  };
  if (body.length > 0 || request.method === "POST" || request.method === "PUT") headers["content-length"] = String(body.length);
  // Lone surrogates cannot be percent-encoded; send them as U+FFFD, as an HTTP client would.
  const wellFormed = (v: string) => Buffer.from(v, "utf8").toString("utf8");
  const query = Object.fromEntries(Object.entries(request.query ?? {}).map(([k, v]) => [wellFormed(k), wellFormed(v)]));
  let signedHeaders = headers;
  if (!request.unsigned) {
    const signed = await signerFor(request.service, request.region ?? "us-east-1", credentials).sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: request.path,
      query,
      headers,
      body,
    });
    signedHeaders = signed.headers as Record<string, string>;
  }
  const qs = Object.entries(query)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join("&");
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: request.method, path: request.path + (qs ? `?${qs}` : ""), headers: signedHeaders, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
