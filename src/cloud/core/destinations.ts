/**
 * Where routed events go. Services that can *receive* events from other
 * services (SQS queues, SNS topics, Lambda functions, EventBridge buses)
 * register a DestinationAdapter for their ARN prefix. Services that *send*
 * (S3 notifications, SNS subscriptions, EventBridge targets, Lambda async
 * destinations) never import another service: they call `destinations.deliver`
 * with an ARN, which picks the adapter, retries failures with a back-off, and
 * records every attempt in the trace log. A delivery is never dropped silently:
 * the final failure is logged with its reason and reported to the caller.
 */
import type { Logger, TraceLog } from "./trace.js";
import { isAwsError } from "./aws-error.js";

export type DestinationKind = "sqs" | "sns" | "lambda" | "events" | "states";

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** base64 */
  BinaryValue?: string;
}

export interface DeliveryMessage {
  /** The payload as the destination receives it (S3: JSON.stringify({Records:[…]})). */
  body: string;
  /** SNS only: the Subject of the publish. */
  subject?: string;
  attributes?: Record<string, MessageAttributeValue>;
  /** Who sends: the service principal and the source resource, for resource-policy checks. */
  source: { principal: string; arn?: string; account: string };
  correlationId: string;
  /** Lambda recursive-loop detection: how many Lambda rounds this event has been through. */
  lineage?: { originId: string; depth: number };
  /** X-Amzn-Trace-Id of the request that caused the event; SQS keeps it as the AWSTraceHeader system attribute. */
  traceHeader?: string;
  /** Extra, destination-specific options (e.g. EventBridge detail-type). */
  extra?: Record<string, unknown>;
}

export interface DestinationAdapter {
  kind: DestinationKind;
  /** Does the resource exist right now? */
  exists(arn: string): boolean;
  /** The resource policy document (JSON string), if the resource has one. */
  resourcePolicy(arn: string): string | undefined;
  /** Deliver one message. Throw (ideally an AwsError) on failure; it will be retried. */
  deliver(arn: string, message: DeliveryMessage): Promise<void>;
}

export interface DeliveryOptions {
  /** Trace kind, e.g. "s3→sqs". */
  kind: string;
  /** Total attempts including the first. */
  attempts?: number;
  /** Delay before retry n (1-based), in ms of real time (already time-scaled). */
  backoffMs?: (retry: number) => number;
  /** Optional: false for an error not worth retrying (SNS: client-side errors); default every error is retried. */
  retryable?: (err: unknown) => boolean;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  error?: string;
}

/** ARN service part → destination kind. */
export function destinationKindOf(arn: string): DestinationKind | undefined {
  const service = arn.split(":")[2];
  if (service === "sqs" || service === "sns" || service === "lambda" || service === "events" || service === "states") return service;
  return undefined;
}

export class Destinations {
  private readonly adapters = new Map<DestinationKind, DestinationAdapter>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly trace: TraceLog,
    private readonly log: Logger,
  ) {}

  register(adapter: DestinationAdapter): void {
    this.adapters.set(adapter.kind, adapter);
  }

  adapterFor(arn: string): DestinationAdapter | undefined {
    const kind = destinationKindOf(arn);
    return kind ? this.adapters.get(kind) : undefined;
  }

  exists(arn: string): boolean {
    return this.adapterFor(arn)?.exists(arn) ?? false;
  }

  resourcePolicy(arn: string): string | undefined {
    return this.adapterFor(arn)?.resourcePolicy(arn);
  }

  /**
   * Deliver with retries. Resolves (never rejects) with the outcome; every
   * attempt is traced and a final failure is logged as an error.
   */
  deliver(arn: string, message: DeliveryMessage, options: DeliveryOptions): Promise<DeliveryResult> {
    const run = this.run(arn, message, options);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  private async run(arn: string, message: DeliveryMessage, options: DeliveryOptions): Promise<DeliveryResult> {
    const attempts = options.attempts ?? 3;
    const backoff = options.backoffMs ?? ((n: number) => 50 * 4 ** (n - 1));
    let lastError = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const adapter = this.adapterFor(arn);
      try {
        if (!adapter) throw new Error(`no service in the local cloud accepts deliveries to ${arn}`);
        await adapter.deliver(arn, message);
        this.trace.record({
          correlationId: message.correlationId,
          kind: options.kind,
          source: message.source.arn ?? message.source.principal,
          target: arn,
          status: "ok",
          attempt: attempt > 1 ? attempt : undefined,
        });
        return { ok: true, attempts: attempt };
      } catch (err) {
        lastError = isAwsError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
        const final = attempt === attempts || options.retryable?.(err) === false;
        this.trace.record({
          correlationId: message.correlationId,
          kind: options.kind,
          source: message.source.arn ?? message.source.principal,
          target: arn,
          status: final ? "failed" : "retry",
          attempt,
          detail: final ? `gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${lastError}` : lastError,
        });
        if (final) return { ok: false, attempts: attempt, error: lastError };
        await new Promise((r) => setTimeout(r, backoff(attempt)));
      }
    }
    return { ok: false, attempts, error: lastError };
  }

  /** Wait until every delivery started so far has finished (used on shutdown and in tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
