/**
 * The kit's client for the local cloud's fault injection
 * (/_localcloud/faults, src/cloud/core/faults/): add, list and clear fault
 * rules, and read the injected faults from the trace. The requests are signed
 * with SigV4 as the target's administrator (local-admin.ts adminRequest), so
 * no admin token is needed. Only local and endpoint
 * targets have it: AWS has no fault switch, and graders that run there
 * produce their duplicates themselves.
 */
import type { Target } from "./target.js";
import { adminRequest } from "./local-admin.js";

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

export class FaultsApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export class FaultsApi {
  constructor(private readonly endpoint: string, private readonly region: string, private readonly credentials: Target["credentials"]) {}

  private async call<T>(method: string, pathAndQuery: string, body?: unknown): Promise<T> {
    const res = await adminRequest({ endpoint: this.endpoint, region: this.region, credentials: this.credentials }, method, pathAndQuery, { body });
    let answer: T & { error?: string };
    try {
      answer = JSON.parse(res.text) as T & { error?: string };
    } catch {
      answer = {} as T & { error?: string };
    }
    if (!res.ok) throw new FaultsApiError(answer.error ?? `${method} ${pathAndQuery.split("?")[0]} answered ${res.status}`, res.status);
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
