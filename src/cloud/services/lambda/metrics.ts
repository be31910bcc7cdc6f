/**
 * Lambda's built-in CloudWatch metrics (namespace AWS/Lambda; aws-behavior.md
 * §11, Lambda guide "monitoring-metrics-types"), published through
 * core/metrics.ts. Per invocation: Invocations, Errors (0 or 1, so Sum counts
 * errors and a quiet minute is missing data), Duration (ms), Throttles (a
 * throttled request counts in neither Invocations nor Errors) and
 * ConcurrentExecutions (in flight, including this one; read with Maximum) —
 * each for dimensions {FunctionName}, {FunctionName, Resource} (Resource is
 * the function name: only $LATEST exists) and account-wide {}. Asynchronous
 * invocation: AsyncEventsReceived, AsyncEventAge (ms from queueing to each
 * attempt), AsyncEventsDropped (an event's life ended without success,
 * whether or not a destination then got it), DeadLetterErrors,
 * DestinationDeliveryFailures, RecursiveInvocationsDropped — {FunctionName}.
 * Values are stamped with the time of the invocation, as AWS stamps them.
 * Log lines in embedded metric format become the metrics they describe.
 */
import type { Cloud } from "../../core/cloud.js";
import { builtinMetrics, type BuiltinMetrics } from "../../core/metrics.js";
import { extractEmf } from "../../core/metrics-emf.js";

const NS = "AWS/Lambda";
const NONE: Record<string, string> = {};

interface FunctionRef {
  name: string;
  account: string;
  region: string;
}

export class LambdaMetrics {
  private readonly metrics: BuiltinMetrics;
  /** Function ARN → invocations in flight. */
  private readonly inFlight = new Map<string, number>();
  private accountInFlight = new Map<string, number>();

  constructor(cloud: Cloud) {
    this.metrics = builtinMetrics(cloud);
  }

  /** Dimension objects per function, kept so core/metrics.ts sorts them once. */
  private readonly dims = new Map<string, { fn: Record<string, string>; resource: Record<string, string> }>();

  private dimsOf(fn: FunctionRef): { fn: Record<string, string>; resource: Record<string, string> } {
    const key = `${fn.account}|${fn.region}|${fn.name}`;
    let d = this.dims.get(key);
    if (!d) this.dims.set(key, (d = { fn: { FunctionName: fn.name }, resource: { FunctionName: fn.name, Resource: fn.name } }));
    return d;
  }

  /** Three series per invocation metric: by function, by function and resource, account-wide. */
  private all(fn: FunctionRef, name: string, value: number, unit: string, at: number): void {
    const m = this.metrics;
    const d = this.dimsOf(fn);
    m.record(fn.account, fn.region, NS, name, d.fn, value, unit, at);
    m.record(fn.account, fn.region, NS, name, d.resource, value, unit, at);
    m.record(fn.account, fn.region, NS, name, NONE, value, unit, at);
  }

  private one(fn: FunctionRef, name: string, value: number, unit: string, at = Date.now()): void {
    this.metrics.record(fn.account, fn.region, NS, name, this.dimsOf(fn).fn, value, unit, at);
  }

  /** An invocation starts: returns its start time, to pass to finished() or throttled(). */
  started(fn: FunctionRef & { arn: string }): number {
    const at = Date.now();
    if (!this.metrics.enabled) return at;
    const inFlight = (this.inFlight.get(fn.arn) ?? 0) + 1;
    this.inFlight.set(fn.arn, inFlight);
    const accountKey = `${fn.account}|${fn.region}`;
    const accountInFlight = (this.accountInFlight.get(accountKey) ?? 0) + 1;
    this.accountInFlight.set(accountKey, accountInFlight);
    this.metrics.record(fn.account, fn.region, NS, "ConcurrentExecutions", this.dimsOf(fn).fn, inFlight, "Count", at);
    this.metrics.record(fn.account, fn.region, NS, "ConcurrentExecutions", NONE, accountInFlight, "Count", at);
    return at;
  }

  private ended(fn: FunctionRef & { arn: string }): void {
    const left = (this.inFlight.get(fn.arn) ?? 1) - 1;
    if (left > 0) this.inFlight.set(fn.arn, left);
    else this.inFlight.delete(fn.arn);
    const accountKey = `${fn.account}|${fn.region}`;
    const accountLeft = (this.accountInFlight.get(accountKey) ?? 1) - 1;
    if (accountLeft > 0) this.accountInFlight.set(accountKey, accountLeft);
    else this.accountInFlight.delete(accountKey);
  }

  finished(fn: FunctionRef & { arn: string }, startedAt: number, result: { durationMs: number; functionError?: string }): void {
    if (!this.metrics.enabled) return;
    this.ended(fn);
    this.all(fn, "Invocations", 1, "Count", startedAt);
    this.all(fn, "Errors", result.functionError ? 1 : 0, "Count", startedAt);
    this.all(fn, "Throttles", 0, "Count", startedAt);
    this.all(fn, "Duration", result.durationMs, "Milliseconds", startedAt);
  }

  /** Throttled (429) or not run at all: only Throttles counts it. */
  notRun(fn: FunctionRef & { arn: string }, startedAt: number, throttled: boolean): void {
    if (!this.metrics.enabled) return;
    this.ended(fn);
    if (throttled) this.all(fn, "Throttles", 1, "Count", startedAt);
  }

  asyncReceived(fn: FunctionRef): void {
    this.one(fn, "AsyncEventsReceived", 1, "Count");
  }

  asyncAge(fn: FunctionRef, ageMs: number): void {
    this.one(fn, "AsyncEventAge", ageMs, "Milliseconds");
  }

  asyncDropped(fn: FunctionRef): void {
    this.one(fn, "AsyncEventsDropped", 1, "Count");
  }

  deadLetterError(fn: FunctionRef): void {
    this.one(fn, "DeadLetterErrors", 1, "Count");
  }

  destinationDeliveryFailure(fn: FunctionRef): void {
    this.one(fn, "DestinationDeliveryFailures", 1, "Count");
  }

  /** A function log line in embedded metric format (core/metrics-emf.ts). */
  emf(account: string, region: string, message: string): void {
    extractEmf(this.metrics, account, region, message);
  }

  recursionDropped(fn: FunctionRef): void {
    this.one(fn, "RecursiveInvocationsDropped", 1, "Count");
  }
}
