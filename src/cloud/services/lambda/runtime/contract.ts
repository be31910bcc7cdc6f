/**
 * The contract between the Lambda API (functions, invoke, async queue, logs)
 * and the Node runtime (execution environments: worker processes that load a
 * function's unpacked code once and serve many invocations). The API decides
 * *what* to invoke; the runtime decides *where* and reports what happened in
 * AWS's terms. runtime/index.ts implements RuntimePool.
 */

export interface FunctionSpec {
  functionName: string;
  functionArn: string;
  /** e.g. "index.handler" */
  handler: string;
  /** e.g. "nodejs20.x" */
  runtime: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The function's own environment variables. */
  environment: Record<string, string>;
  /** Directory with the unpacked code (read-only for the runtime). */
  codeDir: string;
  /** Changes whenever code or configuration changes: environments of an older revision are retired. */
  revisionId: string;
  region: string;
  account: string;
  /** Endpoint of the local cloud, exported to the function as AWS_ENDPOINT_URL. */
  endpoint: string;
  logGroupName: string;
  /** EphemeralStorage.Size in MB: the size of a sandboxed environment's /tmp (default 512, AWS's). */
  ephemeralStorageMb?: number;
  /** Reserved concurrency, if set (0 = throttled). */
  reservedConcurrency?: number;
  /** Fresh credentials for the execution role (called when an environment starts or its credentials near expiry). */
  credentials(): { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

export interface InvokeOptions {
  requestId: string;
  /** X-Amzn-Trace-Id passed to the function as _X_AMZN_TRACE_ID (carries loop-detection lineage). */
  traceHeader?: string;
  /** Base64 client context (sync invokes), exposed as context.clientContext. */
  clientContext?: string;
}

export interface LogEvent {
  timestamp: number;
  /** One CloudWatch Logs event. As on AWS, it ends with "\n" (multi-line console output stays one event). */
  message: string;
}

export interface InvokeResult {
  requestId: string;
  /** The handler's result (JSON) or AWS's error payload. */
  payload: string;
  /** "Unhandled" on a function error (thrown error, timeout, crash, process.exit). */
  functionError?: "Unhandled";
  /** For errors: "Sandbox.Timedout", "Runtime.ExitError", "TypeError"… */
  errorType?: string;
  /** Every log line of this invocation, START … REPORT, as written to CloudWatch Logs. */
  logs: LogEvent[];
  logStreamName: string;
  durationMs: number;
  billedDurationMs: number;
  maxMemoryUsedMb: number;
  /** Set on a cold start. */
  initDurationMs?: number;
}

export class TooManyRequests extends Error {
  /**
   * Added by the runtime (compatible extension): AWS's `Reason` for the 429 —
   * "ReservedFunctionConcurrentInvocationLimitExceeded" (reserved concurrency
   * 0 or exhausted) or "ConcurrentInvocationLimitExceeded" (pool full).
   */
  readonly reason?: string;
  constructor(message: string, reason?: string) {
    super(message);
    this.name = "TooManyRequests";
    this.reason = reason;
  }
}

export interface RuntimePoolOptions {
  /** Most environments running at once across all functions (AWS: account concurrency; locally bounded by the machine). */
  maxEnvironments: number;
  /** Idle environments are stopped after this long. */
  idleMs: number;
  /** Added by the runtime (optional): how long an invocation may wait for a free environment before TooManyRequests. Default 3000. */
  queueWaitMs?: number;
  /**
   * Added by the runtime (optional): "off" runs environments unsandboxed even where bubblewrap works
   * (as LOCALCLOUD_SANDBOX=off does); default: sandboxed when available (sandbox.ts).
   */
  sandbox?: "auto" | "off";
  /** Receives every log line, including console output that arrives between invocations. */
  onLogs(spec: FunctionSpec, logStreamName: string, events: LogEvent[]): void;
}

export interface RuntimePool {
  /** Run one invocation; waits for a free environment (or starts one). Rejects with TooManyRequests when reserved concurrency is 0 or exhausted after a short wait. */
  invoke(spec: FunctionSpec, payload: string, options: InvokeOptions): Promise<InvokeResult>;
  /**
   * Stop every environment of a function (deleted or updated). Idle ones are
   * stopped before this resolves; busy ones finish their invocation first and
   * are stopped right after (as AWS lets in-flight invocations complete).
   */
  retire(functionName: string): Promise<void>;
  /** Stop everything. */
  close(): Promise<void>;
}
