/**
 * Fault rules: what the administrator asks the cloud to break, and the
 * checking of a rule as it arrives at POST /_localcloud/faults. A rule is
 * data only; faults/index.ts decides with it.
 *
 * Kinds and where they act (one place each, see faults/index.ts):
 * - duplicate — a routed delivery (S3 → Lambda/SQS/SNS/EventBridge, SNS →
 *   subscriber, EventBridge → target, Lambda destinations) is delivered
 *   `copies` more times: the same message, so an S3 record keeps its
 *   sequencer, as AWS's at-least-once duplicates do.
 * - delay — a delivery waits `delayMs` (or a random time in `[min, max]`) first.
 * - reorder — a delivery waits a random time in `[0, windowMs]`: deliveries
 *   started close together then arrive in another order.
 * - throttle — a Lambda invocation is refused with TooManyRequestsException
 *   before it runs (sync Invoke answers 429; async events are retried as
 *   throttles, which do not count as attempts; SQS messages return to the queue).
 * - error — an SDK request of a role session (a function's own calls) to
 *   S3 or DynamoDB is answered with a transient error the SDK retries
 *   (S3 503 SlowDown / 500 InternalError / 503 ServiceUnavailable; DynamoDB
 *   ProvisionedThroughputExceededException / ThrottlingException /
 *   InternalServerError) before the service acts on it.
 */

export const FAULT_KINDS = ["duplicate", "delay", "reorder", "throttle", "error"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  id: string;
  kind: FaultKind;
  /**
   * A service name the fault is limited to: for deliveries the sending or the
   * receiving side ("s3", "sns", "events", "lambda", "sqs"); for throttle
   * "lambda"; for error the service called ("s3", "dynamodb").
   */
  service?: string;
  /** Only deliveries to this destination ARN (or invocations of this function ARN). */
  destination?: string;
  /**
   * Only resources whose name starts with this (a grader's namespace): the
   * bucket, function, queue, topic or table involved; for errors, the calling
   * role or session (a function's session is named for the function), never
   * the resource called.
   */
  prefix?: string;
  /** error only: operations it applies to (e.g. ["GetObject", "UpdateItem"]); default all. */
  operations?: string[];
  /** Chance per matching event, 0–1 (default 1). */
  probability: number;
  /** Seed of the rule's own random sequence (reported back; chosen at random when not given). */
  seed: number;
  /** Stop after this many injections (default unlimited). */
  max?: number;
  /** duplicate: extra copies per chosen delivery (default 1). */
  copies?: number;
  /** delay: fixed ms, or [min, max] ms of real time. */
  delayMs?: number | [number, number];
  /** reorder: the random hold-back window in ms of real time (default 500). */
  windowMs?: number;
  /** error: the error code (default S3 SlowDown, DynamoDB ProvisionedThroughputExceededException). */
  errorCode?: string;
  createdAt: string;
}

export interface FaultRuleInput extends Partial<Omit<FaultRule, "createdAt">> {
  kind: FaultKind;
}

/** Transient errors a rule may inject, per service: HTTP status and AWS's message. */
export const TRANSIENT_ERRORS: Record<string, Record<string, { status: number; message: string }>> = {
  s3: {
    SlowDown: { status: 503, message: "Please reduce your request rate." },
    InternalError: { status: 500, message: "We encountered an internal error. Please try again." },
    ServiceUnavailable: { status: 503, message: "Service is unable to handle request." },
  },
  dynamodb: {
    ProvisionedThroughputExceededException: {
      status: 400,
      message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
    },
    ThrottlingException: { status: 400, message: "Rate of requests exceeds the allowed throughput." },
    InternalServerError: { status: 500, message: "Internal server error" },
  },
};

export const DEFAULT_ERROR: Record<string, string> = { s3: "SlowDown", dynamodb: "ProvisionedThroughputExceededException" };

const MAX_DELAY_MS = 60_000;

export class FaultRuleError extends Error {}

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Check an admin's rule and fill in defaults; throws FaultRuleError with what to change. */
export function checkRule(input: unknown, id: string): FaultRule {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw new FaultRuleError('a fault rule is a JSON object, e.g. {"kind":"duplicate","prefix":"sel-me-07-","probability":0.2,"seed":7}');
  const r = input as Record<string, unknown>;
  if (!FAULT_KINDS.includes(r.kind as FaultKind)) throw new FaultRuleError(`"kind" must be one of ${FAULT_KINDS.join(", ")} (got ${JSON.stringify(r.kind)})`);
  const kind = r.kind as FaultKind;
  const known = new Set(["id", "kind", "service", "destination", "prefix", "operations", "probability", "seed", "max", "copies", "delayMs", "windowMs", "errorCode"]);
  const unknown = Object.keys(r).filter((k) => !known.has(k));
  if (unknown.length) throw new FaultRuleError(`unknown field(s) ${unknown.join(", ")}; a rule has ${[...known].join(", ")}`);
  for (const f of ["id", "service", "destination", "prefix", "errorCode"] as const) {
    if (r[f] !== undefined && (typeof r[f] !== "string" || !(r[f] as string).length || (r[f] as string).length > 1024)) throw new FaultRuleError(`"${f}" must be a non-empty string`);
  }
  if (r.id !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(r.id as string)) throw new FaultRuleError('"id" is 1–64 letters, digits, ".", "_" or "-"');
  const probability = r.probability === undefined ? 1 : r.probability;
  if (!isNum(probability) || probability < 0 || probability > 1) throw new FaultRuleError('"probability" is a number from 0 to 1');
  const seed = r.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : r.seed;
  if (!isNum(seed) || !Number.isInteger(seed)) throw new FaultRuleError('"seed" is an integer');
  if (r.max !== undefined && (!isNum(r.max) || !Number.isInteger(r.max) || r.max < 1)) throw new FaultRuleError('"max" is a positive integer');
  if (r.copies !== undefined && (kind !== "duplicate" || !isNum(r.copies) || !Number.isInteger(r.copies) || r.copies < 1 || r.copies > 10)) throw new FaultRuleError('"copies" (duplicate only) is an integer from 1 to 10');
  if (r.operations !== undefined && (kind !== "error" || !Array.isArray(r.operations) || !r.operations.every((o) => typeof o === "string"))) throw new FaultRuleError('"operations" (error only) is a list of operation names, e.g. ["GetObject"]');
  if (r.delayMs !== undefined) {
    const d = r.delayMs;
    const ok = kind === "delay" && (isNum(d) ? d >= 0 && d <= MAX_DELAY_MS : Array.isArray(d) && d.length === 2 && d.every(isNum) && d[0] >= 0 && d[0] <= d[1] && d[1] <= MAX_DELAY_MS);
    if (!ok) throw new FaultRuleError(`"delayMs" (delay only) is ms from 0 to ${MAX_DELAY_MS}, or [min, max]`);
  } else if (kind === "delay") throw new FaultRuleError('a delay rule needs "delayMs" (ms, or [min, max])');
  if (r.windowMs !== undefined && (kind !== "reorder" || !isNum(r.windowMs) || r.windowMs < 1 || r.windowMs > MAX_DELAY_MS)) throw new FaultRuleError(`"windowMs" (reorder only) is ms from 1 to ${MAX_DELAY_MS}`);
  if (kind === "error") {
    const service = r.service as string | undefined;
    if (service !== "s3" && service !== "dynamodb") throw new FaultRuleError('an error rule needs "service": "s3" or "dynamodb"');
    if (r.errorCode !== undefined && !TRANSIENT_ERRORS[service]![r.errorCode as string]) {
      throw new FaultRuleError(`"errorCode" for ${service} is one of ${Object.keys(TRANSIENT_ERRORS[service]!).join(", ")}`);
    }
  } else if (r.errorCode !== undefined) throw new FaultRuleError('"errorCode" is for error rules only');
  if (kind === "throttle" && r.service !== undefined && r.service !== "lambda") throw new FaultRuleError('a throttle rule acts on Lambda invocations: "service" may only be "lambda"');
  return {
    id: (r.id as string | undefined) ?? id,
    kind,
    service: r.service as string | undefined,
    destination: r.destination as string | undefined,
    prefix: r.prefix as string | undefined,
    operations: r.operations as string[] | undefined,
    probability,
    seed,
    max: r.max as number | undefined,
    copies: kind === "duplicate" ? ((r.copies as number | undefined) ?? 1) : undefined,
    delayMs: r.delayMs as FaultRule["delayMs"],
    windowMs: kind === "reorder" ? ((r.windowMs as number | undefined) ?? 500) : undefined,
    errorCode: kind === "error" ? ((r.errorCode as string | undefined) ?? DEFAULT_ERROR[r.service as string]) : undefined,
    createdAt: new Date().toISOString(),
  };
}
