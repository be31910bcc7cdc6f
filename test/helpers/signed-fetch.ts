/**
 * Signing hand-made requests. Wire-format tests build their own HTTP requests
 * (raw bodies, odd headers) and used to mark them with a placeholder
 * Authorization header (`Credential=test/…/sqs/aws4_request, …, Signature=abc`)
 * only so the gateway would route them; now that the cloud verifies
 * signatures, `signedFetch` and `signHeaders` replace such a placeholder with
 * a real SigV4 signature made by the SDK's own signer (@smithy/signature-v4)
 * with the test credentials — the scope's service and region are kept. A
 * request without a placeholder is sent as it is (unsigned stays unsigned,
 * and a real signature is never touched).
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { canonicalPath } from "../../src/cloud/gateway/auth/sigv4.js";

class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: string | Uint8Array) {
    this.hash = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
}

const PLACEHOLDER = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/,]+)\/aws4_request,\s*SignedHeaders=[^,]*,\s*Signature=(abc|0+)$/;

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

export interface ToSign {
  method: string;
  /** Host header value, e.g. 127.0.0.1:4566 */
  host: string;
  /** The path as it will be sent (percent-encoded). */
  path: string;
  query?: URLSearchParams;
  headers: Record<string, string>;
  body?: string | Buffer | Uint8Array;
  service: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Signing time (tests of clock skew). */
  signingDate?: Date;
}

/** Headers (lower-case) with a real SigV4 Authorization for this request. */
export async function signHeaders(r: ToSign): Promise<Record<string, string>> {
  const s3 = r.service === "s3";
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  delete headers.authorization;
  headers.host = r.host;
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body as string | Uint8Array);
  if (s3 && headers["x-amz-content-sha256"] === undefined) headers["x-amz-content-sha256"] = createHash("sha256").update(body).digest("hex");
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of r.query ?? []) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({
    service: r.service,
    region: r.region ?? "us-east-1",
    credentials: r.credentials ?? TEST_CREDENTIALS,
    sha256: NodeSha256 as never,
    uriEscapePath: !s3,
    applyChecksum: false,
  });
  // S3 signs the path once-encoded, normalised as the cloud reads it (the SDK's serializer does the same).
  const path = s3 ? canonicalPath(r.path) : r.path;
  const signed = await signer.sign(
    { method: r.method, protocol: "http:", hostname: r.host.replace(/:\d+$/, ""), port: undefined, path, query, headers, body } as never,
    { signingDate: r.signingDate },
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((signed as unknown as { headers: Record<string, string> }).headers)) out[k.toLowerCase()] = v;
  return out;
}

/** The placeholder's service and region, when `authorization` is one. */
export function placeholderScope(authorization: string | undefined): { service: string; region: string } | undefined {
  const m = authorization ? PLACEHOLDER.exec(authorization.trim()) : null;
  return m ? { region: m[2]!, service: m[3]! } : undefined;
}

function headerRecord(init: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init).forEach((v, k) => (out[k] = v));
  return out;
}

/** fetch(), signing requests that carry a placeholder Authorization header. */
export async function signedFetch(input: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers = headerRecord(init.headers);
  const scope = placeholderScope(headers.authorization);
  if (!scope) return fetch(input, init);
  const url = new URL(input);
  if (init.body !== undefined && init.body !== null && typeof init.body !== "string" && !(init.body instanceof Uint8Array)) {
    throw new Error("signedFetch signs string and Buffer bodies only");
  }
  const signed = await signHeaders({
    method: init.method ?? "GET",
    host: url.host,
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: (init.body ?? undefined) as string | Uint8Array | undefined,
    ...scope,
  });
  delete signed.host; // fetch sets it itself (the same value)
  return fetch(input, { ...init, headers: signed });
}
