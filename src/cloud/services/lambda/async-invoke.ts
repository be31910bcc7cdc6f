/**
 * Asynchronous invocation (aws-behavior.md §5, Lambda guide
 * "invocation-async-error-handling"): every `Event` invoke — from the Invoke
 * API or routed by S3, SNS, EventBridge and Lambda destinations — goes into an
 * internal queue and is run soon after, never blocking the sender.
 *
 * - A function error is retried MaximumRetryAttempts times (default 2): about
 *   1 minute before the 2nd attempt and 2 minutes before the 3rd on AWS,
 *   multiplied here by the cloud's time scale (1/60 by default → 1 s and 2 s);
 *   every wait is logged with both figures.
 * - Throttles (429) and runtime failures are retried with back-off until the
 *   event is MaximumEventAgeInSeconds old (default 6 hours, time-scaled too);
 *   they do not count as attempts.
 * - The outcome goes to the OnSuccess / OnFailure destination (SQS, SNS,
 *   Lambda, EventBridge) as AWS's invocation record, and failures also to the
 *   function's DeadLetterConfig target (the original event, with RequestID /
 *   ErrorCode / ErrorMessage message attributes). Deliveries go through
 *   cloud.destinations, so they are traced and retried like any other.
 * - Recursive loop detection: each event carries a lineage (origin id, depth)
 *   that rides on _X_AMZN_TRACE_ID into the function and back on its SDK
 *   calls. With RecursiveLoop = Terminate (default), an event that has already
 *   been through MAX_RECURSION_DEPTH invocations is not invoked: it goes to the
 *   failure destination / DLQ and the reason is logged.
 * Built-in metrics (metrics.ts): AsyncEventsReceived, AsyncEventAge,
 * AsyncEventsDropped, DeadLetterErrors, DestinationDeliveryFailures,
 * RecursiveInvocationsDropped.
 * Nothing is dropped silently: every end of an event's life is traced and a
 * failure without any destination is logged as an error. Queued events are
 * persisted (table lambda.async-events) until their outcome is delivered, so
 * a restart resumes them — at least once, as AWS promises (duplicates are
 * possible, losses are not).
 */
import { uuid, hex } from "../../core/ids.js";
import { isAwsError } from "../../core/aws-error.js";
import type { Cloud } from "../../core/cloud.js";
import type { DeliveryMessage, MessageAttributeValue } from "../../core/destinations.js";
import { traceHeaderWithLineage } from "../../core/trace.js";
import type { Table } from "../../core/store.js";
import type { InvokeResult } from "./runtime/index.js";
import type { Invoker } from "./invoker.js";
import { functionByArn } from "./names.js";
import type { FunctionRecord } from "./state.js";

/** AWS stops a recursive loop after about 16 invocations of one originating event. */
export const MAX_RECURSION_DEPTH = 16;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_SECONDS = 21_600;
/** AWS: ~1 minute before the 2nd attempt, ~2 minutes before the 3rd. */
const RETRY_WAIT_MS = [60_000, 120_000];
/** Throttles/system errors: back off from 1 s up to 5 minutes (AWS time, then scaled). */
const THROTTLE_BASE_MS = 1000;
const THROTTLE_MAX_MS = 300_000;

export type Lineage = NonNullable<DeliveryMessage["lineage"]>;

/** 1/60 rather than 0.016666666666666666. */
function describeScale(scale: number): string {
  return scale > 0 && scale < 1 && Number.isInteger(Math.round(1 / scale)) && Math.abs(1 / scale - Math.round(1 / scale)) < 1e-9 ? `1/${Math.round(1 / scale)}` : String(scale);
}

interface AsyncEvent {
  functionArn: string;
  payload: string;
  requestId: string;
  correlationId: string;
  source: string;
  /** Lineage of the event as it arrived (depth = invocations it has been through). */
  incoming?: Lineage;
  enqueuedAt: number;
  attempts: number;
  throttles: number;
  /** The latest invocation's outcome (what the destination record reports). */
  last?: { payload: string; functionError?: string; errorType?: string };
  /** Set when the event is past invoking and only its destinations remain (a stopped loop). */
  finishing?: { condition: Condition; reason?: string };
}

type Condition = "Success" | "RetriesExhausted" | "EventAgeExceeded" | "RecursiveInvocationDropped";

export class AsyncInvoker {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Queued events, persisted so a restart resumes them (key: request id). */
  private readonly queue: Table<AsyncEvent>;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** RecursiveInvocationsDropped, per function ARN (AWS publishes it as a CloudWatch metric). */
  readonly recursionDrops = new Map<string, number>();

  constructor(
    private readonly cloud: Cloud,
    private readonly functions: Table<FunctionRecord>,
    private readonly invoker: Invoker,
  ) {
    this.queue = cloud.store.table<AsyncEvent>("lambda.async-events");
    this.resume();
  }

  /** Events that were queued or waiting for a retry when the cloud stopped carry on. */
  private resume(): void {
    const pending = [...this.queue.values()];
    if (pending.length) this.cloud.log.info(`lambda: resuming ${pending.length} asynchronous invocation(s) queued before the restart`);
    for (const event of pending) {
      this.later(0, () => (event.finishing ? this.finishById(event) : this.attempt(event)));
    }
  }

  private async finishById(event: AsyncEvent): Promise<void> {
    const fn = functionByArn(this.functions, event.functionArn);
    if (!fn) {
      this.queue.delete(event.requestId);
      return;
    }
    await this.finish(fn, event, event.finishing!.condition, event.finishing!.reason);
  }

  /** Accept an event (the 202 of Invoke Event). Returns the request id. */
  enqueue(fn: FunctionRecord, payload: string, meta: { correlationId: string; source: string; lineage?: Lineage; requestId?: string }): string {
    const event: AsyncEvent = {
      functionArn: fn.arn,
      payload,
      requestId: meta.requestId ?? uuid(),
      correlationId: meta.correlationId,
      source: meta.source,
      incoming: meta.lineage,
      enqueuedAt: Date.now(),
      attempts: 0,
      throttles: 0,
    };
    this.cloud.trace.record({ correlationId: event.correlationId, kind: "lambda.async", source: meta.source, target: fn.arn, status: "info", detail: `queued request ${event.requestId}` });
    this.invoker.metrics.asyncReceived(fn);
    if (this.isRunaway(fn, event)) {
      this.invoker.metrics.recursionDropped(fn);
      const count = (this.recursionDrops.get(fn.arn) ?? 0) + 1;
      this.recursionDrops.set(fn.arn, count);
      const reason =
        `Lambda stopped a recursive invocation of ${fn.name}: this event has already gone through ${event.incoming!.depth} invocations ` +
        `(limit ${MAX_RECURSION_DEPTH}). The function probably writes to the resource that triggers it. ` +
        `Fix the trigger (e.g. a different output prefix) or PutFunctionRecursionConfig RecursiveLoop=Allow if the loop is intended. ` +
        `(RecursiveInvocationsDropped for this function: ${count})`;
      this.cloud.log.error(`lambda: ${reason}`);
      this.cloud.trace.record({ correlationId: event.correlationId, kind: "lambda.recursion", source: event.source, target: fn.arn, status: "dropped", detail: reason });
      event.finishing = { condition: "RecursiveInvocationDropped", reason };
      this.queue.set(event.requestId, event);
      this.later(0, () => this.finish(fn, event, "RecursiveInvocationDropped", reason));
      return event.requestId;
    }
    this.queue.set(event.requestId, event);
    this.later(0, () => this.attempt(event));
    return event.requestId;
  }

  private isRunaway(fn: FunctionRecord, event: AsyncEvent): boolean {
    return fn.recursiveLoop !== "Allow" && !!event.incoming && event.incoming.depth >= MAX_RECURSION_DEPTH;
  }

  /** The lineage this invocation runs with (one more round than it arrived with). */
  private lineageOf(event: AsyncEvent): Lineage {
    return event.incoming ? { originId: event.incoming.originId, depth: event.incoming.depth + 1 } : { originId: hex(4), depth: 1 };
  }

  private later(ms: number, task: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      const run = task().catch((err) => this.cloud.log.error(`lambda: async invocation failed unexpectedly: ${(err as Error)?.stack ?? err}`));
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, ms);
    this.timers.add(timer);
  }

  private async attempt(event: AsyncEvent): Promise<void> {
    if (!this.cloud.endpoint) {
      // Resumed at start-up before the gateway listens: the function would not know where the cloud is.
      this.later(50, () => this.attempt(event));
      return;
    }
    const fn = functionByArn(this.functions, event.functionArn);
    if (!fn) {
      this.queue.delete(event.requestId);
      const reason = `the function ${event.functionArn} was deleted before request ${event.requestId} could run; the event is discarded`;
      this.cloud.log.error(`lambda: ${reason}`);
      this.cloud.trace.record({ correlationId: event.correlationId, kind: "lambda.async", source: event.source, target: event.functionArn, status: "dropped", detail: reason });
      return;
    }
    const config = fn.eventInvokeConfig;
    const maxAgeMs = this.cloud.scaled((config?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000);
    if (Date.now() - event.enqueuedAt > maxAgeMs && event.attempts + event.throttles > 0) {
      await this.finish(fn, event, "EventAgeExceeded", `the event is older than MaximumEventAgeInSeconds (${config?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS} s, scaled)`);
      return;
    }
    if (fn.state !== "Active") {
      // Still being created: wait like a throttle (AWS's queue holds the event).
      event.throttles++;
      this.queue.set(event.requestId, event);
      this.later(this.throttleDelay(event), () => this.attempt(event));
      return;
    }
    let result: InvokeResult;
    this.invoker.metrics.asyncAge(fn, Date.now() - event.enqueuedAt);
    try {
      result = await this.invoker.invoke(fn, event.payload, {
        requestId: event.requestId,
        correlationId: event.correlationId,
        source: event.source,
        traceHeader: traceHeaderWithLineage(this.lineageOf(event)),
      });
    } catch (err) {
      event.throttles++;
      this.queue.set(event.requestId, event);
      const wait = this.throttleDelay(event);
      this.cloud.log.warn(
        `lambda: async request ${event.requestId} to ${fn.name} was not run (${isAwsError(err) ? err.code : (err as Error).message}); retrying in ${(wait / 1000).toFixed(1)} s`,
      );
      this.later(wait, () => this.attempt(event));
      return;
    }
    event.attempts++;
    event.last = { payload: result.payload, functionError: result.functionError, errorType: result.errorType };
    this.queue.set(event.requestId, event);
    if (!result.functionError) {
      await this.finish(fn, event, "Success");
      return;
    }
    const maxRetries = config?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
    if (event.attempts > maxRetries) {
      await this.finish(fn, event, "RetriesExhausted", `${result.errorType ?? "Unhandled"} after ${event.attempts} attempt(s)`);
      return;
    }
    const awsWait = RETRY_WAIT_MS[Math.min(event.attempts - 1, RETRY_WAIT_MS.length - 1)]!;
    const wait = this.cloud.scaled(awsWait);
    this.cloud.log.info(
      `lambda: async request ${event.requestId} to ${fn.name} failed (${result.errorType ?? "Unhandled"}); retry ${event.attempts} of ${maxRetries} in ` +
        `${(wait / 1000).toFixed(1)} s (AWS waits about ${awsWait / 60_000} min; local time scale ${describeScale(this.cloud.config.timeScale)})`,
    );
    this.cloud.trace.record({ correlationId: event.correlationId, kind: "lambda.async", source: event.source, target: fn.arn, status: "retry", attempt: event.attempts, detail: `${result.errorType ?? "Unhandled"}, next attempt in ${wait} ms` });
    this.later(wait, () => this.attempt(event));
  }

  private throttleDelay(event: AsyncEvent): number {
    return Math.max(10, this.cloud.scaled(Math.min(THROTTLE_MAX_MS, THROTTLE_BASE_MS * 2 ** Math.min(event.throttles, 10))));
  }

  /** The end of an event's life: destinations, dead-letter target, log. Then it leaves the queue. */
  private async finish(fn: FunctionRecord, event: AsyncEvent, condition: Condition, reason?: string): Promise<void> {
    try {
      await this.deliverOutcome(fn, event, condition, reason);
    } finally {
      this.queue.delete(event.requestId);
    }
  }

  private async deliverOutcome(fn: FunctionRecord, event: AsyncEvent, condition: Condition, reason?: string): Promise<void> {
    const destinations = fn.eventInvokeConfig?.DestinationConfig;
    const source = { principal: "lambda.amazonaws.com", arn: fn.arn, account: fn.account };
    // The record of a stopped loop starts a fresh lineage, or it would be stopped in turn at its destination.
    const lineage = condition === "RecursiveInvocationDropped" ? undefined : this.lineageOf(event);
    if (condition === "Success") {
      const target = destinations?.OnSuccess?.Destination;
      if (target) {
        const delivered = await this.cloud.destinations.deliver(target, { body: JSON.stringify(this.record(fn, event, condition)), source, correlationId: event.correlationId, lineage }, { kind: "lambda→on-success" });
        if (!delivered.ok) this.invoker.metrics.destinationDeliveryFailure(fn);
      }
      return;
    }
    this.invoker.metrics.asyncDropped(fn);
    const onFailure = destinations?.OnFailure?.Destination;
    const dlq = fn.deadLetterTargetArn;
    this.cloud.trace.record({
      correlationId: event.correlationId,
      kind: "lambda.async",
      source: event.source,
      target: fn.arn,
      status: "failed",
      detail: `request ${event.requestId}: ${condition}${reason ? ` — ${reason}` : ""}${onFailure || dlq ? ` → ${[onFailure, dlq].filter(Boolean).join(", ")}` : " (no on-failure destination or dead-letter queue: the event is discarded, as on AWS)"}`,
    });
    if (!onFailure && !dlq) this.cloud.log.error(`lambda: async request ${event.requestId} to ${fn.name} failed for good (${condition}) and ${fn.name} has no on-failure destination or dead-letter queue`);
    if (onFailure) {
      const delivered = await this.cloud.destinations.deliver(onFailure, { body: JSON.stringify(this.record(fn, event, condition)), source, correlationId: event.correlationId, lineage }, { kind: "lambda→on-failure" });
      if (!delivered.ok) this.invoker.metrics.destinationDeliveryFailure(fn);
    }
    if (dlq) {
      const error = this.errorOf(event.last);
      const attributes: Record<string, MessageAttributeValue> = {
        RequestID: { DataType: "String", StringValue: event.requestId },
        ErrorCode: { DataType: "Number", StringValue: "200" },
        ErrorMessage: { DataType: "String", StringValue: (error ?? reason ?? condition).slice(0, 1024) },
      };
      const delivered = await this.cloud.destinations.deliver(dlq, { body: event.payload, attributes, source, correlationId: event.correlationId, lineage }, { kind: "lambda→dlq" });
      if (!delivered.ok) this.invoker.metrics.deadLetterError(fn);
    }
  }

  private errorOf(result: AsyncEvent["last"]): string | undefined {
    if (!result?.functionError) return undefined;
    try {
      const parsed = JSON.parse(result.payload) as { errorMessage?: string };
      return typeof parsed.errorMessage === "string" ? parsed.errorMessage : result.payload;
    } catch {
      return result.payload;
    }
  }

  /** The invocation record of aws-behavior.md §5. */
  private record(fn: FunctionRecord, event: AsyncEvent, condition: Condition): Record<string, unknown> {
    const parse = (text: string): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    };
    return {
      version: "1.0",
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: event.requestId,
        functionArn: `${fn.arn}:$LATEST`,
        condition,
        approximateInvokeCount: event.attempts,
      },
      requestPayload: parse(event.payload),
      ...(event.last
        ? {
            responseContext: {
              statusCode: 200,
              executedVersion: "$LATEST",
              ...(event.last.functionError ? { functionError: event.last.functionError } : {}),
            },
            responsePayload: parse(event.last.payload),
          }
        : {}),
    };
  }

  /** Drop queued events and pending retries (reset / close); invocations already running finish. */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Wait for running attempts (after stop(), and after the runtime was closed so none can hang). */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  restart(): void {
    this.stopped = false;
  }
}
