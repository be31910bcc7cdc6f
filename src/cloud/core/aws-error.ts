/**
 * AwsError: the one error type service handlers throw. Each protocol serializer
 * turns it into that protocol's wire shape (S3 XML <Error>, awsQuery
 * <ErrorResponse>, awsJson {"__type"}, restJson x-amzn-ErrorType), so a handler
 * never formats an error itself. Anything else thrown by a handler is a bug in
 * the local cloud and is reported as a 500 InternalFailure, never as a crash.
 */
export interface AwsErrorOptions {
  /** HTTP status; 400 unless said otherwise. */
  status?: number;
  /** "Sender" (client fault, the default for 4xx) or "Receiver". */
  fault?: "Sender" | "Receiver";
  /** awsQuery code when it differs from `code` (SQS: AWS.SimpleQueueService.NonExistentQueue). */
  queryCode?: string;
  /** Extra fields: S3 puts them as XML elements (<Key>, <ArgumentName>…), JSON protocols as body fields. */
  fields?: Record<string, string | number | undefined>;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;
  readonly fault: "Sender" | "Receiver";
  readonly queryCode?: string;
  readonly fields: Record<string, string | number | undefined>;
  readonly headers: Record<string, string>;

  constructor(code: string, message: string, options: AwsErrorOptions = {}) {
    super(message);
    this.name = "AwsError";
    this.code = code;
    this.status = options.status ?? 400;
    this.fault = options.fault ?? (this.status >= 500 ? "Receiver" : "Sender");
    this.queryCode = options.queryCode;
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

export function isAwsError(err: unknown): err is AwsError {
  return err instanceof AwsError;
}

/** Wrap an unexpected exception so a bug answers 500 in the right shape instead of crashing. */
export function internalError(err: unknown): AwsError {
  const detail = err instanceof Error ? err.message : String(err);
  return new AwsError("InternalFailure", `The local cloud failed to process the request: ${detail}`, {
    status: 500,
  });
}

/** The error every protocol answers for an operation the local cloud does not implement. */
export function notImplemented(service: string, operation: string): AwsError {
  return new AwsError(
    "NotImplemented",
    `The local cloud does not implement ${service}:${operation} yet. See docs/architecture.md for what is covered.`,
    { status: 501 },
  );
}
