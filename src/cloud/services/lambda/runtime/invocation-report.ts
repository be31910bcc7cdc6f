/**
 * Turns what happened to one invocation (the handler's answer, a timeout, an
 * out-of-memory kill, an exit or crash, a failed init) into the InvokeResult
 * the Lambda API returns and the platform log lines AWS writes after it
 * (aws-behavior.md §5: Sandbox.Timedout payload, Runtime.ExitError messages,
 * END / REPORT with Status on failures).
 */
import type { FunctionSpec, InvokeResult, LogEvent } from "./contract.js";
import {
  endLine,
  exitDescription,
  exitErrorLine,
  exitErrorMessage,
  initReportLine,
  reportLine,
  startLine,
  timeoutLine,
} from "./log-lines.js";

export interface RuntimeErrorPayload {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export type KillReason = "timeout" | "oom" | "stop" | "init-timeout";

export type InvocationOutcome =
  | { kind: "done"; durationMs: number; maxRssKb: number; payload?: string; error?: RuntimeErrorPayload }
  | { kind: "exit"; code: number | null; signal: NodeJS.Signals | null; reason?: KillReason; fatal?: RuntimeErrorPayload }
  | {
      kind: "init-failed";
      error?: RuntimeErrorPayload;
      timedOut: boolean;
      exit?: { code: number | null; signal: NodeJS.Signals | null };
      reason?: KillReason;
    };

/** Lambda's synchronous response limit (6 MB), in bytes. */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface ReportInput {
  spec: FunctionSpec;
  requestId: string;
  /** The invocation's log so far (init output, START, handler output); completed here. */
  logs: LogEvent[];
  outcome: InvocationOutcome;
  cold: boolean;
  initDurationMs?: number;
  durationMs: number;
  peakRssKb: number;
  logStreamName: string;
  /** Sends a platform line on to CloudWatch Logs (it is also appended to `logs` here). */
  publish(event: LogEvent): void;
}

export function buildInvokeResult(input: ReportInput): InvokeResult {
  const { spec, requestId, outcome } = input;
  const add = (event: LogEvent) => {
    input.logs.push(event);
    input.publish(event);
  };
  let payload: string;
  let errorType: string | undefined;
  let status: "timeout" | "error" | undefined;
  let reportErrorType: string | undefined;
  let maxMemoryUsedMb = Math.ceil(input.peakRssKb / 1024);
  let durationMs = input.durationMs;
  const timeoutPayload = () =>
    JSON.stringify({
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`,
    });

  if (outcome.kind === "init-failed") {
    if (outcome.timedOut) {
      payload = timeoutPayload();
      errorType = "Sandbox.Timedout";
      status = "timeout";
    } else if (outcome.error) {
      payload = JSON.stringify(outcome.error);
      errorType = outcome.error.errorType;
      status = "error";
    } else {
      const message = exitErrorMessage(requestId, exitDescription(outcome.exit?.code ?? null, outcome.exit?.signal ?? null));
      payload = JSON.stringify({ errorType: "Runtime.ExitError", errorMessage: message });
      errorType = "Runtime.ExitError";
      status = "error";
    }
    reportErrorType = errorType;
    add(initReportLine(input.initDurationMs ?? 0, status, status === "error" ? errorType : undefined));
    add(startLine(requestId));
    if (outcome.timedOut) add(timeoutLine(requestId, spec.timeoutSeconds));
    else if (errorType === "Runtime.ExitError") add(exitErrorLine(JSON.parse(payload).errorMessage));
  } else if (outcome.kind === "done") {
    maxMemoryUsedMb = Math.max(1, Math.ceil(outcome.maxRssKb / 1024));
    if (outcome.error) {
      payload = JSON.stringify(outcome.error);
      errorType = outcome.error.errorType;
    } else if (Buffer.byteLength(outcome.payload ?? "") > MAX_RESPONSE_BYTES) {
      errorType = "Function.ResponseSizeTooLarge";
      payload = JSON.stringify({
        errorType,
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      });
    } else {
      payload = outcome.payload ?? "";
    }
  } else if (outcome.reason === "timeout") {
    payload = timeoutPayload();
    errorType = "Sandbox.Timedout";
    status = "timeout";
    durationMs = Math.max(durationMs, spec.timeoutSeconds * 1000);
    add(timeoutLine(requestId, spec.timeoutSeconds));
  } else if (outcome.fatal) {
    // Uncaught exception / unhandled rejection: the runtime reported the error, then exited.
    payload = JSON.stringify(outcome.fatal);
    errorType = outcome.fatal.errorType;
    status = "error";
    reportErrorType = errorType;
    add(exitErrorLine(exitErrorMessage(requestId, exitDescription(outcome.code, outcome.signal))));
  } else {
    // The memory watch (and V8's heap cap) end the process the way Lambda's sandbox does: SIGKILL.
    const oom = outcome.reason === "oom";
    const description = oom || outcome.reason === "stop" ? "signal: killed" : exitDescription(outcome.code, outcome.signal);
    const message = exitErrorMessage(requestId, description);
    payload = JSON.stringify({ errorType: "Runtime.ExitError", errorMessage: message });
    errorType = "Runtime.ExitError";
    status = "error";
    reportErrorType = oom ? "Runtime.OutOfMemory" : "Runtime.ExitError";
    if (oom) maxMemoryUsedMb = spec.memoryMb;
    add(exitErrorLine(message));
  }

  const billedDurationMs = Math.max(1, Math.ceil(durationMs));
  add(endLine(requestId));
  add(
    reportLine({
      requestId,
      durationMs,
      billedDurationMs,
      memoryMb: spec.memoryMb,
      maxMemoryUsedMb,
      initDurationMs: outcome.kind === "init-failed" ? undefined : input.initDurationMs,
      status,
      errorType: reportErrorType ?? errorType,
    }),
  );
  return {
    requestId,
    payload,
    ...(errorType ? { functionError: "Unhandled" as const, errorType } : {}),
    logs: input.logs,
    logStreamName: input.logStreamName,
    durationMs,
    billedDurationMs,
    maxMemoryUsedMb,
    ...(input.cold && input.initDurationMs !== undefined ? { initDurationMs: input.initDurationMs } : {}),
  };
}
