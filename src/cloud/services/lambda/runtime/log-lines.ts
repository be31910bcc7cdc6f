/**
 * The platform's own log lines around every invocation, in the exact text AWS
 * writes to CloudWatch Logs (aws-behavior.md §5 "Logs"): START / END / REPORT,
 * the timeout line, the "Runtime exited" line, and the log stream name of an
 * execution environment. Like AWS, every event's message ends with "\n".
 */
import { randomBytes } from "node:crypto";
import type { LogEvent } from "./contract.js";

/** `YYYY/MM/DD/[$LATEST]<32 hex>`: one stream per execution environment, dated when it starts (UTC). */
export function newLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "/");
  return `${day}/[$LATEST]${randomBytes(16).toString("hex")}`;
}

export function logEvent(message: string, timestamp = Date.now()): LogEvent {
  return { timestamp, message: message.endsWith("\n") ? message : message + "\n" };
}

export const startLine = (requestId: string) => logEvent(`START RequestId: ${requestId} Version: $LATEST`);
export const endLine = (requestId: string) => logEvent(`END RequestId: ${requestId}`);

export interface ReportFigures {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** Newer AWS REPORT lines end with the outcome when it is not a success. */
  status?: "timeout" | "error";
  errorType?: string;
}

export function reportLine(f: ReportFigures): LogEvent {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\tBilled Duration: ${f.billedDurationMs} ms` +
    `\tMemory Size: ${f.memoryMb} MB\tMax Memory Used: ${f.maxMemoryUsedMb} MB`;
  if (f.initDurationMs !== undefined) line += `\tInit Duration: ${f.initDurationMs.toFixed(2)} ms`;
  if (f.status) line += `\tStatus: ${f.status}`;
  if (f.status === "error" && f.errorType) line += `\tError Type: ${f.errorType}`;
  return logEvent(line + "\t");
}

/** AWS writes this one with spaces, not tabs. */
export function timeoutLine(requestId: string, timeoutSeconds: number): LogEvent {
  return logEvent(`${new Date().toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
}

/** "exit status 1", "signal: killed"… — the wording of the Lambda platform (Go's ProcessState). */
export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string | undefined {
  if (signal) return `signal: ${SIGNAL_WORDS[signal] ?? signal.replace(/^SIG/, "").toLowerCase()}`;
  if (code === 0 || code === null) return undefined;
  return `exit status ${code}`;
}

/** The message of a Runtime.ExitError: why the runtime process went away. */
export function exitErrorMessage(requestId: string, description: string | undefined): string {
  return description
    ? `RequestId: ${requestId} Error: Runtime exited with error: ${description}`
    : `RequestId: ${requestId} Error: Runtime exited without providing a reason`;
}

export const exitErrorLine = (message: string) => logEvent(`${message}\nRuntime.ExitError`);

export function initReportLine(initDurationMs: number, status: "error" | "timeout", errorType?: string): LogEvent {
  let line = `INIT_REPORT Init Duration: ${initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}`;
  if (errorType) line += `\tError Type: ${errorType}`;
  return logEvent(line);
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGTERM: "terminated",
  SIGBUS: "bus error",
  SIGILL: "illegal instruction",
  SIGFPE: "floating point exception",
  SIGHUP: "hangup",
  SIGINT: "interrupt",
  SIGQUIT: "quit",
  SIGPIPE: "broken pipe",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};
