/**
 * Runs one invocation of a function on the Node runtime (runtime/, created
 * lazily on the first invoke so an idle cloud starts no processes): builds
 * the runtime's FunctionSpec from the function record (unpacked code dir,
 * execution-role credentials, reserved concurrency), sends the function's log
 * lines to CloudWatch Logs (`/aws/lambda/<name>`, one stream per execution
 * environment) when its role may write them (log-permission.ts), records every invocation in the trace (with its
 * request id and START … REPORT log lines, for the console; the invocation's X-Amzn-Trace-Id Root is remembered so
 * the function's SDK calls and the events they cause are linked to it), and turns the
 * runtime's throttle into AWS's 429 TooManyRequestsException. Every invocation also counts in the
 * built-in AWS/Lambda metrics (metrics.ts). An injected throttle (core/faults/, kind "throttle") is refused the same
 * way before the runtime is asked, so every caller (Invoke, async events,
 * event source mappings) sees it as AWS's throttle (and Throttles counts it).
 */
import type { Cloud } from "../../core/cloud.js";
import { AwsError } from "../../core/aws-error.js";
import type { LogsInternalApi } from "../../core/internal-apis.js";
import { createRuntimePool, TooManyRequests, type FunctionSpec, type InvokeOptions, type InvokeResult, type RuntimePool } from "./runtime/index.js";
import type { CodeStore } from "./code-package.js";
import type { ExecutionRoles } from "./execution-role.js";
import type { FunctionRecord } from "./state.js";
import { LogPermission } from "./log-permission.js";
import { traceRootOf } from "../../core/trace.js";
import { LambdaMetrics } from "./metrics.js";

/** Local bound on live execution environments across all functions (AWS: account concurrency 1000). */
const MAX_ENVIRONMENTS = Number(process.env.LOCALCLOUD_LAMBDA_MAX_ENVIRONMENTS) || 10;
/** Idle environments are stopped after this long (AWS keeps them for minutes, unspecified). */
const IDLE_MS = Number(process.env.LOCALCLOUD_LAMBDA_IDLE_MS) || 5 * 60 * 1000;

export interface InvokeMeta extends InvokeOptions {
  correlationId: string;
  /** Who asked, for the trace ("s3.amazonaws.com", a caller ARN…). */
  source: string;
}

export class Invoker {
  private pool?: RuntimePool;
  /** Function ARN → execution role, for the log-permission check. */
  private readonly roles = new Map<string, string>();
  private readonly logPermission: LogPermission;
  /** Built-in AWS/Lambda metrics (also used by async-invoke.ts). */
  readonly metrics: LambdaMetrics;

  constructor(
    private readonly cloud: Cloud,
    private readonly code: CodeStore,
    private readonly executionRoles: ExecutionRoles,
  ) {
    this.logPermission = new LogPermission(cloud);
    this.metrics = new LambdaMetrics(cloud);
  }

  private runtime(): RuntimePool {
    this.pool ??= createRuntimePool({
      maxEnvironments: MAX_ENVIRONMENTS,
      idleMs: IDLE_MS,
      onLogs: (spec, logStreamName, events) => {
        const role = this.roles.get(spec.functionArn);
        if (role && !this.logPermission.allows(spec, role, logStreamName)) return;
        this.cloud.use<LogsInternalApi>("logs")?.append(spec.account, spec.region, spec.logGroupName, logStreamName, events);
        // Embedded metric format lines become metrics, as CloudWatch Logs extracts them on AWS.
        // (extractEmf skips at once when metrics are off or a line cannot be EMF.)
        for (const event of events) this.metrics.emf(spec.account, spec.region, event.message);
      },
    });
    return this.pool;
  }

  async spec(fn: FunctionRecord): Promise<FunctionSpec> {
    this.roles.set(fn.arn, fn.role);
    return {
      functionName: fn.name,
      functionArn: fn.arn,
      handler: fn.handler,
      runtime: fn.runtime,
      timeoutSeconds: fn.timeout,
      memoryMb: fn.memorySize,
      ephemeralStorageMb: fn.ephemeralStorage,
      environment: fn.environment ?? {},
      codeDir: await this.code.directory(fn.code),
      // Code and configuration changes (not policy changes) need fresh environments.
      revisionId: `${fn.code.revision}/${fn.lastModified}`,
      region: fn.region,
      account: fn.account,
      endpoint: this.cloud.endpoint,
      logGroupName: `/aws/lambda/${fn.name}`,
      reservedConcurrency: fn.reservedConcurrency,
      credentials: () => this.executionRoles.credentials(fn),
    };
  }

  /** One invocation. Function errors are results (functionError set); throttles throw TooManyRequestsException. */
  async invoke(fn: FunctionRecord, payload: string, meta: InvokeMeta): Promise<InvokeResult> {
    const spec = await this.spec(fn);
    // The function's own SDK calls carry this trace header back: the trace links them (and what they cause) to this invocation.
    this.cloud.trace.rememberInvocation(meta.traceHeader, { correlationId: meta.correlationId, requestId: meta.requestId, functionArn: fn.arn });
    let result: InvokeResult;
    const startedAt = this.metrics.started(fn);
    try {
      const injected = this.cloud.faults.active ? this.cloud.faults.forInvoke({ functionArn: fn.arn, correlationId: meta.correlationId, source: meta.source }) : undefined;
      if (injected) throw new TooManyRequests("Rate Exceeded.", "ConcurrentInvocationLimitExceeded");
      result = await this.runtime().invoke(spec, payload, { requestId: meta.requestId, traceHeader: meta.traceHeader, clientContext: meta.clientContext });
    } catch (err) {
      const throttled = err instanceof TooManyRequests;
      this.metrics.notRun(fn, startedAt, throttled);
      this.cloud.trace.record({
        correlationId: meta.correlationId,
        kind: "lambda.invoke",
        source: meta.source,
        target: fn.arn,
        status: "failed",
        detail: throttled ? `throttled (${err.reason ?? "TooManyRequestsException"})` : `the runtime could not run the function: ${(err as Error).message}`,
      });
      if (throttled) {
        throw new AwsError("TooManyRequestsException", "Rate Exceeded.", {
          status: 429,
          fields: { Reason: err.reason ?? "ConcurrentInvocationLimitExceeded", retryAfterSeconds: "1" },
          headers: { "Retry-After": "1" },
        });
      }
      throw new AwsError("ServiceException", `The local cloud could not run ${fn.name}: ${(err as Error).message}`, { status: 500 });
    }
    this.metrics.finished(fn, startedAt, result);
    this.cloud.trace.record({
      correlationId: meta.correlationId,
      kind: "lambda.invoke",
      source: meta.source,
      target: fn.arn,
      status: result.functionError ? "failed" : "ok",
      detail: result.functionError
        ? `request ${result.requestId}: ${result.errorType ?? "error"} — ${summarize(result.payload)} (log stream ${result.logStreamName})`
        : `request ${result.requestId} in ${result.durationMs.toFixed(1)} ms${result.initDurationMs !== undefined ? ` (cold start ${result.initDurationMs.toFixed(0)} ms)` : ""}`,
      data: { ...invocationFacts(result), traceRoot: traceRootOf(meta.traceHeader) },
    });
    return result;
  }

  /** Stop a function's environments (updated or deleted). */
  async retire(fn: FunctionRecord): Promise<void> {
    await this.pool?.retire(fn.name);
  }

  async close(): Promise<void> {
    this.logPermission.reset();
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}

/** Log lines kept in an invocation's trace entry (START … REPORT); longer runs keep their first and last lines. */
const TRACE_LOG_LINES = 60;
const TRACE_LOG_LINE_CHARS = 2000;

/** The console's view of one invocation: its request id, timings, error and log lines (START/END/REPORT). */
function invocationFacts(result: InvokeResult): Record<string, unknown> {
  const all = result.logs;
  // Only the kept lines are copied (a chatty invocation may log thousands).
  const line = (e: InvokeResult["logs"][number]) => ({ timestamp: e.timestamp, message: e.message.length > TRACE_LOG_LINE_CHARS ? e.message.slice(0, TRACE_LOG_LINE_CHARS) + "…\n" : e.message });
  // Past the limit: the first 50 lines, a marker naming how many were left out, the last 9 (60 entries in all).
  const head = TRACE_LOG_LINES - 10;
  const tail = 9;
  const logs = all.length <= TRACE_LOG_LINES ? all.map(line) : [...all.slice(0, head).map(line), { timestamp: all[head]!.timestamp, message: `… ${all.length - head - tail} more lines in CloudWatch Logs …\n` }, ...all.slice(-tail).map(line)];
  return {
    requestId: result.requestId,
    durationMs: result.durationMs,
    billedDurationMs: result.billedDurationMs,
    maxMemoryUsedMb: result.maxMemoryUsedMb,
    initDurationMs: result.initDurationMs,
    logStreamName: result.logStreamName,
    errorType: result.errorType,
    error: result.functionError ? summarize(result.payload) : undefined,
    logs,
  };
}

function summarize(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorMessage?: string };
    if (parsed && typeof parsed.errorMessage === "string") return parsed.errorMessage.slice(0, 300);
  } catch {
    // not JSON
  }
  return payload.slice(0, 300);
}
