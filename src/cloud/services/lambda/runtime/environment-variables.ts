/**
 * The environment variables of an execution environment, as the Node.js
 * runtime on AWS sets them (aws-behavior.md §5; Lambda developer guide
 * "Defined runtime environment variables"). Built from scratch — the local
 * cloud's own environment (NODE_OPTIONS from tsx/vitest, the user's AWS
 * profile…) never leaks into function code. The function's own variables are
 * applied first, so they can set NODE_OPTIONS, LANG, TZ… but never override a
 * reserved variable, the credentials or AWS_ENDPOINT_URL (which must keep
 * pointing at the local cloud).
 */
import type { FunctionSpec } from "./contract.js";
import type { SdkModules } from "./sdk-modules.js";

export interface EnvironmentParts {
  logStreamName: string;
  /** Unsandboxed: the environment's own TMPDIR. Sandboxed: undefined (its /tmp is its own, as on AWS). */
  tmpDir?: string;
  sdk: SdkModules;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

export function buildEnvironmentVariables(spec: FunctionSpec, parts: EnvironmentParts): Record<string, string> {
  const env: Record<string, string> = {
    // Unreserved defaults a function may override.
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    NODE_PATH: [parts.sdk.nodeModulesDir, parts.sdk.runtimeDir, spec.codeDir].join(":"),
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129:2000",
    // The SDK preinstalled in AWS's nodejs20.x runtime does not print this Node-version
    // notice; the kit's newer SDK would otherwise add it to every function's log.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...spec.environment,
    // Not in AWS: an unsandboxed environment gets its own TMPDIR instead of its own /tmp (see index.ts).
    ...(parts.tmpDir ? { TMPDIR: parts.tmpDir } : {}),
    // Reserved by Lambda.
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime || "nodejs20.x"}`,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: parts.logStreamName,
    // Set for libraries that look for it; nothing listens there locally (invocations travel over IPC).
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: parts.sdk.runtimeDir,
    AWS_ACCESS_KEY_ID: parts.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: parts.credentials.secretAccessKey,
    AWS_SESSION_TOKEN: parts.credentials.sessionToken,
    // The local cloud: the SDK inside the function talks to it, not to AWS.
    AWS_ENDPOINT_URL: spec.endpoint,
    // Internal to the bootstrap (removed before user code runs).
    LOCALCLOUD_SDK_PARENT_URL: parts.sdk.parentUrl,
  };
  // _X_AMZN_TRACE_ID is set per invocation inside the environment.
  delete env._X_AMZN_TRACE_ID;
  return env;
}
