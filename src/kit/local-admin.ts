/**
 * The kit's client for the local cloud's admin API (GET /_localcloud/…):
 * requests are SigV4-signed with the target's administrator credentials,
 * which the admin API accepts like its admin token (gateway/admin.ts) — so
 * the kit needs no token file. It is an HTTP client of the cloud's public
 * surface, not an import of src/cloud/ (design.md). Only for local and
 * endpoint targets: AWS has no such API (there the learner's inbox is the
 * outbox).
 *
 * The signer is a few lines of node:crypto (AWS SigV4 with a JSON body or
 * none) rather than @smithy/signature-v4, which is only a transitive
 * dependency of the SDK clients. The outbox (lab 05) and the fault switch
 * (faults.ts, lab 07) both go through adminRequest.
 */
import { createHash, createHmac } from "node:crypto";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { Target } from "./target.js";
import { DEFAULT_LOCAL_CREDENTIALS } from "./local-cloud.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const hmac = (key: Buffer | string, s: string) => createHmac("sha256", key).update(s).digest();
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function credentialsOf(c: Target["credentials"]): Promise<AwsCredentialIdentity> {
  if (!c) return DEFAULT_LOCAL_CREDENTIALS;
  return typeof c === "function" ? await (c as AwsCredentialIdentityProvider)() : c;
}

export interface AdminAnswer {
  status: number;
  ok: boolean;
  text: string;
}

/**
 * One request to the admin API (e.g. POST /_localcloud/faults with a JSON
 * body), SigV4-signed as the target's administrator; the answer as text.
 */
export async function adminRequest(cloud: Pick<Target, "endpoint" | "region" | "credentials">, method: string, path: string, options: { query?: Record<string, string | undefined>; body?: unknown; timeoutMs?: number } = {}): Promise<AdminAnswer> {
  if (!cloud.endpoint) throw new Error("the admin API exists only on the local cloud (or an endpoint running it), not on AWS");
  const url = new URL(path, cloud.endpoint);
  const fromPath = [...url.searchParams.entries()];
  const fromOptions = Object.entries(options.query ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  const params = [...fromPath, ...fromOptions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const canonicalQuery = params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join("&");
  const body = options.body === undefined ? "" : JSON.stringify(options.body);
  const creds = await credentialsOf(cloud.credentials);
  const amzDate = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${cloud.region}/sns/aws4_request`;
  const headers: Record<string, string> = { host: url.host, "x-amz-content-sha256": sha256(body), "x-amz-date": amzDate, ...(body ? { "content-type": "application/json" } : {}) };
  if (creds.sessionToken) headers["x-amz-security-token"] = creds.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = [method, url.pathname, canonicalQuery, names.map((n) => `${n}:${headers[n]}\n`).join(""), names.join(";"), headers["x-amz-content-sha256"]].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  let key = hmac(`AWS4${creds.secretAccessKey}`, day);
  for (const part of [cloud.region, "sns", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  const authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  const res = await fetch(`${url.origin}${url.pathname}${canonicalQuery ? `?${canonicalQuery}` : ""}`, { method, headers: { ...sent, authorization }, body: body || undefined, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  return { status: res.status, ok: res.ok, text: await res.text() };
}

/** GET an admin path (e.g. "/_localcloud/outbox") with query parameters; returns the parsed JSON or throws with the cloud's message. */
export async function adminGet<T>(target: Target, path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  if (target.kind === "aws") throw new Error("the admin API exists only on the local cloud (or an endpoint running it), not on AWS");
  const answer = await adminRequest(target, "GET", path, { query });
  if (!answer.ok) throw new Error(`${path}: HTTP ${answer.status}: ${answer.text.slice(0, 300)}`);
  return JSON.parse(answer.text) as T;
}

/** One mail of the local outbox (the cloud's SnsOutboxMessage, as the admin API returns it). */
export interface OutboxMail {
  id: string;
  sentAt: string;
  address: string;
  protocol: "email" | "email-json";
  type: string;
  topicArn: string;
  subscriptionArn: string;
  messageId: string;
  from: string;
  subject: string;
  body: string;
  subscribeUrl?: string;
  token?: string;
}

export async function readOutbox(target: Target, filter: { address?: string; topicArn?: string; since?: string } = {}): Promise<{ addresses: Array<{ address: string; messages: number; lastSentAt: string }>; messages: OutboxMail[] }> {
  return adminGet(target, "/_localcloud/outbox", filter);
}
