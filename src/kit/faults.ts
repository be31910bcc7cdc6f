/**
 * The kit's client for the local cloud's fault injection
 * (/_localcloud/faults, src/cloud/core/faults/): add, list and clear fault
 * rules, and read the injected faults from the trace. The requests are signed
 * with SigV4 by the SDK's own signer (@smithy/signature-v4, installed with
 * every @aws-sdk client) using the target's credentials — the local cloud's
 * administrator — so no admin token is needed. Only local and endpoint
 * targets have it: AWS has no fault switch, and graders that run there
 * produce their duplicates themselves.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity } from "@smithy/types";
import type { Target } from "./target.js";

export type FaultKind = "duplicate" | "delay" | "reorder" | "throttle" | "error";

export interface FaultRuleInput {
  id?: string;
  kind: FaultKind;
  service?: string;
  destination?: string;
  prefix?: string;
  operations?: string[];
  probability?: number;
  seed?: number;
  max?: number;
  copies?: number;
  delayMs?: number | [number, number];
  windowMs?: number;
  errorCode?: string;
}

export interface FaultRule extends FaultRuleInput {
  id: string;
  probability: number;
  seed: number;
  injected?: number;
  createdAt: string;
}

export interface FaultTraceEntry {
  id: string;
  correlationId: string;
  time: string;
  kind: string;
  source?: string;
  target?: string;
  detail?: string;
  fault?: string;
}

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

export class FaultsApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export class FaultsApi {
  constructor(private readonly endpoint: string, private readonly region: string, private readonly credentials: Target["credentials"]) {}

  private async call<T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
    const url = new URL(pathAndQuery, this.endpoint);
    const text = body === undefined ? "" : JSON.stringify(body);
    const creds = typeof this.credentials === "function" ? await this.credentials() : (this.credentials as AwsCredentialIdentity | undefined);
    const headers: Record<string, string> = { host: url.host, "content-type": "application/json" };
    let signedHeaders = headers;
    if (creds) {
      const signer = new SignatureV4({ service: "localcloud", region: this.region, credentials: creds, sha256: NodeSha256 as never, applyChecksum: false });
      const query: Record<string, string> = Object.fromEntries(url.searchParams);
      const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname, path: url.pathname, query, headers, body: text } as never);
      signedHeaders = (signed as unknown as { headers: Record<string, string> }).headers;
    }
    const { host: _host, ...sendHeaders } = signedHeaders;
    const res = await fetch(url, { method, headers: sendHeaders, body: method === "GET" || method === "DELETE" ? undefined : text, signal: AbortSignal.timeout(10_000) });
    const answer = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new FaultsApiError(answer.error ?? `${method} ${url.pathname} answered ${res.status}`, res.status);
    return answer;
  }

  async add(rule: FaultRuleInput): Promise<FaultRule> {
    return (await this.call<{ rule: FaultRule }>("POST", "/_localcloud/faults", rule)).rule;
  }

  async list(): Promise<FaultRule[]> {
    return (await this.call<{ rules: FaultRule[] }>("GET", "/_localcloud/faults")).rules;
  }

  /** Remove every rule, or those whose prefix starts with `prefix` (a grader's namespace). */
  async clear(prefix?: string): Promise<number> {
    return (await this.call<{ removed: number }>("DELETE", `/_localcloud/faults${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ""}`)).removed;
  }

  async remove(id: string): Promise<void> {
    await this.call("DELETE", `/_localcloud/faults/${encodeURIComponent(id)}`);
  }

  /** Trace entries of injected faults (newest last), optionally since an ISO time. */
  async injected(since?: string): Promise<FaultTraceEntry[]> {
    return (await this.call<{ traces: FaultTraceEntry[] }>("GET", `/_localcloud/traces?faults=1${since ? `&since=${encodeURIComponent(since)}` : ""}`)).traces;
  }
}

/** The fault switch of a target's cloud, or undefined on AWS (which has none). */
export function faultsApiFor(target: Target): FaultsApi | undefined {
  if (target.kind === "aws" || !target.endpoint) return undefined;
  return new FaultsApi(target.endpoint, target.region, target.credentials);
}
