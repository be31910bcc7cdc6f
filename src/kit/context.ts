/**
 * What a guided step or a grader check receives: the target and its clients,
 * the ledger (already bound to this lab and namespace), the names of this run,
 * and two ways to talk to the person — `status` (updates the spinner during a
 * long wait) and `log` (a line under the current step).
 */
import type { Clients } from "./clients.js";
import type { Ledger, LedgerEntry, ResourceType } from "./ledger.js";
import type { Names } from "./names.js";
import type { Target } from "./target.js";

export interface KitContext {
  target: Target;
  clients: Clients;
  ledger: Ledger;
  lab: string;
  names: Names;
  /** Who is creating: "guided", "grade" or "solution". */
  by: string;
  status(text: string): void;
  log(line: string): void;
}

/** Record a resource for this run before creating it (ledger.ts explains why before). */
export function recordResource(ctx: KitContext, type: ResourceType, name: string, extra: { arn?: string; parent?: string } = {}): LedgerEntry {
  return ctx.ledger.record({ target: ctx.target.id, region: ctx.target.region, lab: ctx.lab, namespace: ctx.names.namespace, type, name, by: ctx.by, ...extra });
}

/** Poll intervals: locally things settle in milliseconds; AWS wants seconds. */
export function pace(ctx: { target: Target }): { intervalMs: number; maxIntervalMs: number; propagationMs: number } {
  return ctx.target.kind === "aws" ? { intervalMs: 500, maxIntervalMs: 3000, propagationMs: 90_000 } : { intervalMs: 25, maxIntervalMs: 250, propagationMs: 5_000 };
}
