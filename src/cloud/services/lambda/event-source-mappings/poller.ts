/**
 * One SQS poller per Enabled mapping, as Lambda's event source mapping does
 * it: long-poll the queue (20 s), gather a batch (up to BatchSize, waiting up
 * to MaximumBatchingWindowInSeconds to fill it), drop messages no filter
 * matches (Lambda deletes them), invoke the function synchronously with
 * `{"Records":[…]}`, then delete the batch on success. On a function error the
 * messages are left alone and come back after the queue's visibility timeout
 * (so the queue's redrive policy moves them to the DLQ after maxReceiveCount);
 * with ReportBatchItemFailures only the reported ones stay.
 *
 * Up to ScalingConfig.MaximumConcurrency batches (default DEFAULT_CONCURRENCY)
 * are in the function at once: the loop receives the next batch only while a
 * slot is free, so never more invocations run than the setting allows and no
 * message waits in flight for a slot.
 *
 * The loop never spins: every wait is a long poll, a timer or a running
 * batch, stopping aborts the poll, and messages received by a poll that ends
 * after the mapping was disabled are made visible again at once.
 */
import { randomUUID } from "node:crypto";
import type { Cloud } from "../../../core/cloud.js";
import type { LambdaInternalApi, SqsInternalApi, SqsReceivedMessage } from "../../../core/internal-apis.js";
import type { Table } from "../../../core/store.js";
import { isAwsError } from "../../../core/aws-error.js";
import { matchesPattern, parsePattern } from "../../../core/event-pattern.js";
import { lineageFromTraceHeader } from "../../../core/trace.js";
import type { MappingRecord } from "./state.js";
import { failedItems, filterView, sqsRecord, type SqsRecord } from "./records.js";

/** Long-poll length, as Lambda's pollers use. */
const POLL_WAIT_SECONDS = 20;
/**
 * Concurrent batches without ScalingConfig: AWS starts an SQS mapping with five concurrent batches and
 * scales up towards the function's concurrency; locally five (the Lambda pool holds ten environments).
 */
export const DEFAULT_CONCURRENCY = 5;

/** How many invocations this mapping may have running at once. */
export function concurrencyOf(record: MappingRecord): number {
  return record.maximumConcurrency ?? DEFAULT_CONCURRENCY;
}

/** Pause when the queue or function is missing, before looking again. */
const PROBLEM_RETRY_MS = 1000;

export class Poller {
  private readonly abort = new AbortController();
  private sleepTimer?: NodeJS.Timeout;
  private wakeSleep?: () => void;
  private failures = 0;
  private backoffUntil = 0;
  /** Batches whose invocation is running (at most the mapping's concurrency). */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stoppedPromise: Promise<void>;
  readonly done: Promise<void>;

  constructor(
    private readonly cloud: Cloud,
    private readonly mappings: Table<MappingRecord>,
    readonly uuid: string,
  ) {
    this.stoppedPromise = new Promise((resolve) => this.abort.signal.addEventListener("abort", () => resolve(), { once: true }));
    // Done once the loop has ended and every batch it started has returned from the function.
    this.done = this.run()
      .catch((err) => this.cloud.log.error(`lambda: event source mapping ${uuid} stopped on an unexpected error: ${(err as Error)?.stack ?? err}`))
      .then(() => Promise.allSettled([...this.inFlight]))
      .then(() => undefined);
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  stop(): void {
    this.abort.abort();
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wakeSleep?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleep = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private active(): MappingRecord | undefined {
    const record = this.mappings.get(this.uuid);
    // An update of other settings (Updating) keeps the poller running with the new values.
    return !this.stopped && record && (record.state === "Enabled" || record.state === "Updating") ? record : undefined;
  }

  /** Record LastProcessingResult only when it changes (one journal line, not one per batch). */
  private result(text: string): void {
    if (this.stopped) return; // stopped by reset/close/disable: the store may already be closed or cleared
    const record = this.mappings.get(this.uuid);
    if (record && record.lastProcessingResult !== text) this.mappings.set(this.uuid, { ...record, lastProcessingResult: text });
  }

  private async run(): Promise<void> {
    for (;;) {
      const record = this.active();
      if (!record) return;
      const sqs = this.cloud.use<SqsInternalApi>("sqs");
      const lambda = this.cloud.use<LambdaInternalApi>("lambda");
      if (!sqs || !sqs.queueExists(record.eventSourceArn)) {
        this.result("PROBLEM: Queue does not exist or is not accessible.");
        await this.sleep(PROBLEM_RETRY_MS);
        continue;
      }
      if (!lambda || !lambda.functionExists(record.functionArn)) {
        this.result("PROBLEM: Function not found.");
        await this.sleep(PROBLEM_RETRY_MS);
        continue;
      }
      // At most MaximumConcurrency batches in the function at once (default: AWS's initial five pollers'
      // worth): wait for a slot BEFORE receiving, so no message sits in flight waiting for one.
      if (this.inFlight.size >= concurrencyOf(record)) {
        await Promise.race([...this.inFlight, this.stoppedPromise]);
        continue;
      }
      if (this.backoffUntil > Date.now()) {
        await this.sleep(this.backoffUntil - Date.now());
        continue;
      }
      const started = Date.now();
      let batch: SqsReceivedMessage[];
      try {
        batch = await this.collect(sqs, record);
      } catch (err) {
        this.cloud.log.warn(`lambda: event source mapping ${this.uuid} could not read ${record.eventSourceArn}: ${(err as Error).message}`);
        await this.sleep(PROBLEM_RETRY_MS);
        continue;
      }
      if (!this.active()) {
        // Disabled or deleted while polling: hand the messages back untouched.
        for (const m of batch) safely(() => sqs.changeVisibility(record.eventSourceArn, m.receiptHandle, 0));
        return;
      }
      if (!batch.length) {
        // A poll that returned at once with nothing (the queue service shutting down): do not spin.
        if (Date.now() - started < 50) await this.sleep(PROBLEM_RETRY_MS);
        continue;
      }
      const task: Promise<void> = this.process(sqs, lambda, this.active() ?? record, batch).then(
        (ok) => {
          this.failures = ok ? 0 : this.failures + 1;
          // After failed batches, back off a little before polling again (Lambda slows its pollers too).
          if (!ok) this.backoffUntil = Date.now() + Math.min(2000, 100 * 2 ** (this.failures - 1));
        },
        (err) => this.cloud.log.error(`lambda: event source mapping ${this.uuid}: a batch failed unexpectedly: ${(err as Error)?.stack ?? err}`),
      ).finally(() => {
        this.inFlight.delete(task);
        this.wakeSleep?.();
      });
      this.inFlight.add(task);
    }
  }

  /** One batch: up to BatchSize messages within the batching window (one poll when the window is 0). */
  private async collect(sqs: SqsInternalApi, record: MappingRecord): Promise<SqsReceivedMessage[]> {
    const signal = this.abort.signal;
    const first = await sqs.receive(record.eventSourceArn, { max: Math.min(10, record.batchSize), waitSeconds: POLL_WAIT_SECONDS, signal });
    if (!first.length || record.maximumBatchingWindowInSeconds === 0 || first.length >= record.batchSize) return first;
    const batch = [...first];
    const deadline = Date.now() + record.maximumBatchingWindowInSeconds * 1000;
    while (batch.length < record.batchSize && !signal.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const more = await sqs.receive(record.eventSourceArn, {
        max: Math.min(10, record.batchSize - batch.length),
        // Long polls wait whole seconds; the last part of the window is a short sleep instead.
        waitSeconds: Math.floor(left / 1000),
        signal,
      });
      batch.push(...more);
      if (!more.length && left < 1000) await this.sleep(left);
    }
    return batch;
  }

  /** Invoke with the batch; returns false when the batch (or part of it) failed. */
  private async process(sqs: SqsInternalApi, lambda: LambdaInternalApi, record: MappingRecord, batch: SqsReceivedMessage[]): Promise<boolean> {
    const queueArn = record.eventSourceArn;
    let records = batch.map((m) => sqsRecord(m, queueArn));
    if (record.filters.length) {
      const patterns = record.filters.map((f) => parsePattern(f));
      const kept: SqsRecord[] = [];
      for (const r of records) {
        if (patterns.some((p) => matchesPattern(p, filterView(r)))) kept.push(r);
        else safely(() => sqs.deleteMessage(queueArn, r.receiptHandle)); // Lambda deletes messages no filter matches
      }
      records = kept;
      if (!records.length) return true;
    }
    const correlationId = randomUUID();
    const lineage = deepestLineage(batch);
    const source = { principal: "lambda.amazonaws.com", arn: queueArn, account: record.account };
    let outcome: { payload: string; functionError?: string };
    try {
      outcome = await lambda.invokeSync(record.functionArn, JSON.stringify({ Records: records }), { correlationId, source, lineage });
    } catch (err) {
      if (this.stopped) return false;
      const reason = isAwsError(err) ? `${err.code}: ${err.message}` : (err as Error)?.message ?? String(err);
      this.result(`PROBLEM: Function call failed (${reason}).`);
      this.trace(correlationId, record, "failed", `invoke failed, ${records.length} message(s) left for the visibility timeout: ${reason}`);
      return false;
    }
    // Stopped while the function ran (reset, shutdown, disable): touch nothing; the
    // messages come back after their visibility timeout (at least once, as on AWS).
    if (this.stopped) return false;
    if (outcome.functionError) {
      this.result("OK");
      this.trace(correlationId, record, "failed", `function error (${outcome.functionError}); ${records.length} message(s) return after the queue's visibility timeout`);
      return false;
    }
    this.result("OK");
    let failed = new Set<string>();
    if (record.functionResponseTypes.includes("ReportBatchItemFailures")) {
      const reported = failedItems(outcome.payload, new Set(records.map((r) => r.messageId)));
      if (reported === "all") {
        this.trace(correlationId, record, "failed", "the batchItemFailures response was invalid, so the whole batch counts as failed");
        return false;
      }
      failed = reported;
    }
    for (const r of records) if (!failed.has(r.messageId)) safely(() => sqs.deleteMessage(queueArn, r.receiptHandle));
    this.trace(correlationId, record, failed.size ? "failed" : "ok", failed.size ? `${records.length - failed.size} deleted, ${failed.size} reported failed and left in the queue` : `${records.length} message(s) processed and deleted`);
    return failed.size === 0;
  }

  private trace(correlationId: string, record: MappingRecord, status: "ok" | "failed", detail: string): void {
    this.cloud.trace.record({ correlationId, kind: "sqs→lambda", source: record.eventSourceArn, target: record.functionArn, status, detail });
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // the queue or message is gone: nothing left to delete or return
  }
}

/** The loop-detection lineage that has gone furthest among the batch (carried in AWSTraceHeader). */
function deepestLineage(batch: SqsReceivedMessage[]): { originId: string; depth: number } | undefined {
  let deepest: { originId: string; depth: number } | undefined;
  for (const m of batch) {
    const lineage = lineageFromTraceHeader(m.attributes.AWSTraceHeader);
    if (lineage && (!deepest || lineage.depth > deepest.depth)) deepest = lineage;
  }
  return deepest;
}
