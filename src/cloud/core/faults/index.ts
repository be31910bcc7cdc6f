/**
 * Fault injection (design.md: "one clock, one trace, one fault switch"): the
 * one place that decides whether something the cloud does goes wrong on
 * purpose. Off unless an administrator adds a rule (POST /_localcloud/faults,
 * `npm run faults`); a restart or POST /_localcloud/reset turns every fault
 * off. Rules are scoped (service, destination, name prefix) so a grader can
 * break its own namespace without touching anyone else's.
 *
 * Every path asks here:
 * - core/destinations.ts, for every routed delivery: `forDelivery` →
 *   duplicate copies and a hold-back delay (delay, reorder);
 * - services/lambda/invoker.ts, for every invocation (Invoke, async events,
 *   event source mappings): `forInvoke` → a throttle;
 * - gateway/server.ts, for every authenticated request of a role session to
 *   S3 or DynamoDB: `forRequest` → a transient AwsError, answered before the
 *   service sees the request (so the SDK's retry is safe).
 * Every injection is a trace entry of kind `fault.<kind>` carrying the rule
 * id (`fault`), under the correlation id of what it hit.
 *
 * Reproducibility: each rule draws from its own seeded generator (mulberry32),
 * so the same rule over the same sequence of events makes the same choices.
 * Concurrent events may reach a rule in a different order from run to run;
 * the seed fixes the choices, not the order of arrival.
 */
import { AwsError } from "../aws-error.js";
import type { Principal } from "../identity.js";
import type { TraceLog } from "../trace.js";
import { checkRule, FaultRuleError, TRANSIENT_ERRORS, type FaultRule, type FaultRuleInput } from "./rules.js";

export { FaultRuleError, type FaultRule, type FaultRuleInput } from "./rules.js";

/** mulberry32: a small, fast, seedable generator (public domain), enough for fault choices. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The resource name an ARN names: bucket, function, queue, topic, rule or bus. */
export function nameOfArn(arn: string | undefined): string | undefined {
  if (!arn?.startsWith("arn:")) return undefined;
  const parts = arn.split(":");
  const service = parts[2];
  if (service === "lambda") return parts[6];
  const rest = parts.slice(5).join(":");
  if (service === "s3") return rest.split("/")[0];
  return rest.includes("/") ? rest.split("/").pop() : rest;
}

const serviceOfArn = (arn: string | undefined) => (arn?.startsWith("arn:") ? arn.split(":")[2] : undefined);

interface ActiveRule {
  rule: FaultRule;
  random: () => number;
  injected: number;
}

export interface DeliveryFault {
  /** Real ms to wait before the first attempt. */
  delayMs: number;
  /** Extra copies to deliver. */
  copies: number;
}

export class Faults {
  private readonly rules = new Map<string, ActiveRule>();
  private nextId = 1;

  constructor(private readonly trace: TraceLog) {}

  /** Add (or replace, by id) a rule. Throws FaultRuleError on a bad rule. */
  add(input: FaultRuleInput | unknown): FaultRule {
    const rule = checkRule(input, `fault-${this.nextId++}`);
    this.rules.set(rule.id, { rule, random: seeded(rule.seed), injected: 0 });
    return rule;
  }

  list(): Array<FaultRule & { injected: number }> {
    return [...this.rules.values()].map((r) => ({ ...r.rule, injected: r.injected }));
  }

  remove(id: string): boolean {
    return this.rules.delete(id);
  }

  /** Remove every rule (or those whose prefix starts with `prefix`); returns how many. */
  clear(prefix?: string): number {
    let n = 0;
    for (const [id, r] of this.rules) {
      if (prefix === undefined || r.rule.prefix?.startsWith(prefix)) {
        this.rules.delete(id);
        n++;
      }
    }
    return n;
  }

  get active(): boolean {
    return this.rules.size > 0;
  }

  /** Does a rule fire for this event? Draws from the rule's generator and counts the injection. */
  private fires(r: ActiveRule): boolean {
    if (r.rule.max !== undefined && r.injected >= r.rule.max) return false;
    const draw = r.random();
    if (draw >= r.rule.probability) return false;
    r.injected++;
    return true;
  }

  private mark(r: ActiveRule, what: { correlationId: string; source?: string; target?: string }, detail: string): void {
    this.trace.record({
      correlationId: what.correlationId,
      kind: `fault.${r.rule.kind}`,
      source: what.source,
      target: what.target,
      status: "info",
      detail: `injected by fault rule ${r.rule.id}: ${detail}`,
      fault: r.rule.id,
    });
  }

  private matching(kinds: FaultRule["kind"][], services: Array<string | undefined>, names: Array<string | undefined>, destination?: string): ActiveRule[] {
    if (!this.rules.size) return [];
    return [...this.rules.values()].filter(({ rule }) =>
      kinds.includes(rule.kind) &&
      (!rule.service || services.includes(rule.service)) &&
      (!rule.destination || rule.destination === destination) &&
      (!rule.prefix || names.some((n) => n?.startsWith(rule.prefix!))),
    );
  }

  /** A routed delivery (kind e.g. "s3→lambda") from sourceArn to targetArn: extra copies and a delay. */
  forDelivery(d: { kind: string; sourceArn?: string; targetArn: string; correlationId: string }): DeliveryFault {
    const out: DeliveryFault = { delayMs: 0, copies: 0 };
    const services = [...d.kind.split("→"), serviceOfArn(d.sourceArn), serviceOfArn(d.targetArn)];
    const names = [nameOfArn(d.sourceArn), nameOfArn(d.targetArn)];
    for (const r of this.matching(["duplicate", "delay", "reorder"], services, names, d.targetArn)) {
      if (!this.fires(r)) continue;
      const where = { correlationId: d.correlationId, source: d.sourceArn, target: d.targetArn };
      if (r.rule.kind === "duplicate") {
        out.copies += r.rule.copies ?? 1;
        this.mark(r, where, `${d.kind} delivered ${1 + (r.rule.copies ?? 1)} times (the same message)`);
      } else {
        const range: [number, number] = r.rule.kind === "reorder" ? [0, r.rule.windowMs ?? 500] : typeof r.rule.delayMs === "number" ? [r.rule.delayMs, r.rule.delayMs] : r.rule.delayMs!;
        const ms = Math.round(range[0] + r.random() * (range[1] - range[0]));
        out.delayMs += ms;
        this.mark(r, where, `${d.kind} held back ${ms} ms${r.rule.kind === "reorder" ? " (out of order)" : ""}`);
      }
    }
    return out;
  }

  /** A Lambda invocation about to run: the throttle rule that refuses it, if any. */
  forInvoke(i: { functionArn: string; correlationId: string; source?: string }): FaultRule | undefined {
    for (const r of this.matching(["throttle"], ["lambda"], [nameOfArn(i.functionArn)], i.functionArn)) {
      if (!this.fires(r)) continue;
      this.mark(r, { correlationId: i.correlationId, source: i.source, target: i.functionArn }, "invocation throttled (TooManyRequestsException)");
      return r.rule;
    }
    return undefined;
  }

  /**
   * An authenticated request to `service`: the transient error to answer instead, if a rule
   * fires. Only role sessions (a function's own SDK calls) are affected, never the administrator.
   */
  forRequest(q: { service: string; operation?: string; resource?: string; principal: Principal; requestId: string }): AwsError | undefined {
    if (!this.rules.size || q.principal.kind !== "assumed-role") return undefined;
    // The caller decides, not the resource: a function's session is named for the function and its role
    // for the lab (both in the grader's namespace), while a grader or participant reading the same bucket
    // through their own role session is left alone.
    const names = [q.principal.sessionName, q.principal.roleName];
    for (const r of this.matching(["error"], [q.service], names)) {
      if (r.rule.operations && !(q.operation && r.rule.operations.includes(q.operation))) continue;
      if (!this.fires(r)) continue;
      const code = r.rule.errorCode!;
      const shape = TRANSIENT_ERRORS[q.service]?.[code] ?? { status: 500, message: "Internal error" };
      this.mark(r, { correlationId: q.requestId, source: q.principal.arn, target: `${q.service}:${q.operation ?? "?"} ${q.resource ?? ""}`.trim() }, `answered ${shape.status} ${code}`);
      return new AwsError(code, shape.message, { status: shape.status });
    }
    return undefined;
  }
}

export function isFaultRuleError(err: unknown): err is FaultRuleError {
  return err instanceof FaultRuleError;
}
