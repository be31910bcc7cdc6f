/**
 * Function configuration: validating what CreateFunction and
 * UpdateFunctionConfiguration accept (runtime, handler, timeout, memory,
 * environment, dead-letter target) with AWS's codes and messages, and the
 * FunctionConfiguration shape every read returns.
 */
import { destinationKindOf } from "../../core/destinations.js";
import { constraint, invalidParameter } from "./errors.js";
import type { FunctionRecord } from "./state.js";

export const SUPPORTED_RUNTIMES = ["nodejs18.x", "nodejs20.x", "nodejs22.x"];
/** Runtimes AWS knows but the local cloud cannot run (it runs Node code only). */
const OTHER_AWS_RUNTIMES = [
  "nodejs24.x", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13", "java8.al2", "java11", "java17", "java21",
  "dotnet6", "dotnet8", "ruby3.2", "ruby3.3", "ruby3.4", "provided", "provided.al2", "provided.al2023",
];
const DEPRECATED_NODE = /^nodejs(4\.3|6\.10|8\.10|10\.x|12\.x|14\.x|16\.x)?$/;
const RESERVED_ENV = new Set([
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
]);

export const DEFAULT_TIMEOUT = 3;
export const DEFAULT_MEMORY = 128;

export function validateRuntime(runtime: unknown): string {
  if (typeof runtime !== "string" || !runtime) throw invalidParameter("The Runtime parameter is required for functions packaged as a .zip file archive.");
  if (SUPPORTED_RUNTIMES.includes(runtime)) return runtime;
  if (DEPRECATED_NODE.test(runtime) || runtime === "nodejs") {
    throw invalidParameter(
      `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (nodejs22.x) while creating or updating functions.`,
    );
  }
  if (OTHER_AWS_RUNTIMES.includes(runtime)) {
    throw invalidParameter(
      `The local cloud runs Node.js functions only (${SUPPORTED_RUNTIMES.join(", ")}); the runtime ${runtime} exists on AWS but cannot run here.`,
    );
  }
  throw constraint(runtime, "runtime", `Member must satisfy enum value set: [${[...SUPPORTED_RUNTIMES, ...OTHER_AWS_RUNTIMES].join(", ")}]`);
}

export function validateHandler(handler: unknown): string {
  if (typeof handler !== "string" || !handler) throw invalidParameter("The Handler parameter is required for functions packaged as a .zip file archive.");
  if (handler.length > 128) throw constraint(handler, "handler", "Member must have length less than or equal to 128");
  if (!/^[^\s]+$/.test(handler)) throw constraint(handler, "handler", "Member must satisfy regular expression pattern: [^\\s]+");
  return handler;
}

export function validateTimeout(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw constraint(value, "timeout", "Member must be an integer");
  if (n < 1) throw constraint(value, "timeout", "Member must have value greater than or equal to 1");
  if (n > 900) throw constraint(value, "timeout", "Member must have value less than or equal to 900");
  return n;
}

export function validateMemory(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw constraint(value, "memorySize", "Member must be an integer");
  if (n < 128) throw constraint(value, "memorySize", "Member must have value greater than or equal to 128");
  if (n > 10240) throw constraint(value, "memorySize", "Member must have value less than or equal to 10240");
  return n;
}

export function validateEnvironment(environment: unknown): Record<string, string> | undefined {
  if (environment === undefined || environment === null) return undefined;
  const variables = (environment as { Variables?: Record<string, unknown> }).Variables ?? {};
  const out: Record<string, string> = {};
  const reserved: string[] = [];
  for (const [key, value] of Object.entries(variables)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) {
      throw constraint("[" + key + "]", "environment.variables", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+");
    }
    if (RESERVED_ENV.has(key)) reserved.push(key);
    out[key] = String(value ?? "");
  }
  if (reserved.length) {
    throw invalidParameter(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  const measured = JSON.stringify(out);
  if (Buffer.byteLength(measured) > 4096) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
  return out;
}

export function validateDeadLetterTarget(config: unknown): string | undefined {
  const target = (config as { TargetArn?: unknown } | undefined)?.TargetArn;
  if (target === undefined || target === null || target === "") return undefined;
  const kind = typeof target === "string" ? destinationKindOf(target) : undefined;
  if (kind !== "sqs" && kind !== "sns") {
    throw invalidParameter(`The provided target arn is invalid: ${String(target)}. A dead-letter queue must be an SQS queue or SNS topic ARN.`);
  }
  return target as string;
}

/** FunctionConfiguration as GetFunctionConfiguration, CreateFunction and the updates return it. */
export function toConfiguration(fn: FunctionRecord): Record<string, unknown> {
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.code.size,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: fn.lastModified,
    CodeSha256: fn.code.sha256,
    Version: "$LATEST",
    ...(fn.environment ? { Environment: { Variables: fn.environment } } : {}),
    ...(fn.deadLetterTargetArn ? { DeadLetterConfig: { TargetArn: fn.deadLetterTargetArn } } : {}),
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: fn.revisionId,
    State: fn.state,
    ...(fn.stateReason ? { StateReason: fn.stateReason } : {}),
    ...(fn.stateReasonCode ? { StateReasonCode: fn.stateReasonCode } : {}),
    ...(fn.lastUpdateStatus ? { LastUpdateStatus: fn.lastUpdateStatus } : {}),
    ...(fn.lastUpdateStatusReason ? { LastUpdateStatusReason: fn.lastUpdateStatusReason } : {}),
    ...(fn.lastUpdateStatusReasonCode ? { LastUpdateStatusReasonCode: fn.lastUpdateStatusReasonCode } : {}),
    PackageType: "Zip",
    Architectures: fn.architectures,
    EphemeralStorage: { Size: fn.ephemeralStorage },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    RuntimeVersionConfig: { RuntimeVersionArn: `arn:aws:lambda:${fn.region}::runtime:${fn.runtime}-localcloud` },
    LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${fn.name}` },
  };
}
