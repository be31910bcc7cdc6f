/**
 * The Lambda Node.js runtime of the local cloud: execution environments that
 * run a function's unpacked code for real (contract.ts is the interface the
 * Lambda API uses; `createRuntimePool` is the only way in).
 *
 * Each environment is a separate `node` process (bootstrap/bootstrap.mjs,
 * plain JavaScript, forked with an IPC channel) that loads the handler once
 * and serves one invocation at a time, so module state survives between warm
 * invocations. It reproduces the AWS Node runtime's contract: handler
 * resolution (file.mjs / .js / .cjs, nested "dir/file.export", package.json
 * "type"), ESM and CommonJS, async and callback handlers (with
 * callbackWaitsForEmptyEventLoop), the `context` object, AWS's environment
 * variables plus AWS_ENDPOINT_URL pointing at the local cloud and the role's
 * credentials, `_X_AMZN_TRACE_ID` per invocation, console capture in AWS's
 * format, START / END / REPORT (Init Duration on cold starts), and every
 * failure in AWS's error shape: Sandbox.Timedout, Runtime.ExitError (exit,
 * signals, out of memory), uncaught exceptions, Runtime.UnhandledPromiseRejection,
 * Runtime.ImportModuleError / UserCodeSyntaxError / HandlerNotFound /
 * MalformedHandlerName, Runtime.NodeJsExit, Function.ResponseSizeTooLarge.
 * A dead environment is replaced by the next invocation (a cold start).
 *
 * Frozen between invocations (freeze.ts), as AWS freezes an environment once
 * the response is sent: the bootstrap parks itself right after its result
 * and the process is stopped (SIGSTOP to node's host pid), then continued
 * (SIGCONT) just before the next invocation is sent to it. A timer or write
 * the handler left running (an un-awaited PutObject or Publish) therefore runs
 * only when the environment is reused — its log lines then appear under the
 * next invocation, stamped with the old request id — and never if the
 * environment is retired; idle retirement, timeouts and close() work on a
 * frozen environment as before (SIGKILL ends a stopped process).
 * `LOCALCLOUD_FREEZE=off` turns freezing off (for debugging).
 *
 * Containment (sandbox.ts, spawn-process.ts, orphan-guard.ts). A handler is
 * the learner's own code, or code someone handed them; it must not reach
 * what the cloud keeps. On Linux with bubblewrap (`bwrap`, Debian package
 * `bubblewrap`) each environment runs in a sandbox: the system read-only,
 * its own code read-only at /var/task, the SDK and the bootstrap at
 * /var/runtime, its own /tmp (a tmpfs of the function's EphemeralStorage,
 * 512 MB by default), its own pid/IPC/UTS namespaces, no capabilities. It
 * cannot see the data dir (journals, minted session secrets, blobs, other
 * functions' code), the home directory, the project around node_modules, or
 * the cloud's environment variables. The network is shared (the handler must
 * reach the gateway at 127.0.0.1), so it can reach what your user can.
 * Without bwrap — macOS, Linux without the package, or where user namespaces
 * are forbidden — handlers run unsandboxed as your user (cwd = the code dir,
 * a private TMPDIR); the cloud warns once at start and `npm run doctor` says
 * how to install it. `LOCALCLOUD_SANDBOX=off` (pool option `sandbox: "off"`)
 * forces the unsandboxed mode, for debugging. Either way an environment dies
 * with its cloud, even a handler spinning in `while (true) {}`: sandboxed
 * through bwrap's --die-with-parent, unsandboxed through the reaper process.
 * Sandboxed, the pid to SIGSTOP/SIGCONT an environment (as freeze.ts does
 * between invocations) is node's — `describe().pid` — not the outer bwrap's.
 *
 * The AWS SDK v3 is resolvable from function code as on AWS without being in
 * the zip: `@aws-sdk/*` and `@smithy/*` only, from the kit's own node_modules
 * (NODE_PATH for require, a module.register resolve hook for import; the
 * function's own copy wins). Every other package must come with the code.
 * **sharp** in particular is resolved like any other dependency: from
 * `node_modules/sharp` inside the unpacked code, with its platform package
 * (`@img/sharp-linux-x64` + `@img/sharp-libvips-linux-x64` for AWS's
 * linux-x64, e.g. `npm install --os=linux --cpu=x64 sharp`). On a host that
 * is not linux-x64 (a Mac, Windows, linux-arm64) the unpacked code also gets
 * the host's build of the same sharp version from the kit's node_modules
 * (native-modules.ts), so a zip built for AWS runs locally unchanged.
 *
 * Measuring a cold start: `measureColdStart()` below (used by the bench) runs
 * a tiny function in a fresh pool and returns the Init Duration (process
 * spawned → handler loaded) and the first invocation's total wall time.
 *
 * Gaps:
 * - Only the Node.js runtime family; `runtime` is copied into AWS_EXECUTION_ENV
 *   but every function runs on the Node that runs the cloud (20.x here).
 * - No response streaming, no Lambda extensions, no layers (/opt), no SnapStart
 *   or provisioned concurrency, no JSON log format (LoggingConfig), no
 *   INIT_START line, no X-Ray segments (only the _X_AMZN_TRACE_ID variable).
 * - `context.identity` is always undefined (no Cognito); clientContext is the
 *   decoded base64 JSON as given.
 * - Credentials come from spec.credentials() when an environment starts; an
 *   environment lives at most an hour, so they are renewed at least that often.
 * - The wording of Runtime.NodeJsExit and the order/“Status:” fields of the
 *   platform lines after a failure follow recent AWS logs as closely as we
 *   know them, not byte for byte.
 * - The SDK resolve hook is registered only when the handler file is ESM; a
 *   CommonJS handler that `import()`s the SDK dynamically will not find it.
 * - With bwrap older than 0.8, /tmp is not limited to EphemeralStorage (sandbox.ts).
 * - Windows has no SIGSTOP/SIGCONT: there environments are never frozen, and
 *   work a handler did not await keeps running between invocations.
 * - Freezing stops the node process only: a child process the handler spawned
 *   keeps running between invocations. A write queued behind a backlog of
 *   log messages when the handler returns may still slip out before the
 *   SIGSTOP lands (the bootstrap parks only when nothing is queued).
 * - Sandboxed, a process that calls process.exit(N) with N > 128 is reported
 *   as killed by signal N-128 (bwrap reports a signal death as exit 128+N).
 * - The sandbox binds the kit's whole node_modules read-only (the SDK's own
 *   dependencies live there); function code still cannot import anything
 *   but the SDK from it (the resolve hook and the confined require).
 *
 * By design:
 * - Memory is approximated: `--max-old-space-size=<MemorySize>` caps the V8
 *   heap and the parent polls the process RSS every 100 ms (Linux /proc) and
 *   SIGKILLs it above MemorySize, reported as AWS does (Runtime.ExitError
 *   "signal: killed", REPORT "Error Type: Runtime.OutOfMemory"). Max Memory
 *   Used is the process's peak RSS. CPU is not scaled with memory.
 * - Sandboxed: /tmp is memory-backed (tmpfs, limited to EphemeralStorage)
 *   and lives as long as the environment, as on AWS. Unsandboxed: each
 *   environment gets its own TMPDIR under a scratch directory (deleted when
 *   the environment stops) instead of an isolated /tmp, and LAMBDA_TASK_ROOT
 *   is the real code directory instead of /var/task.
 * - The environment is built from scratch (no inherited NODE_OPTIONS, profile
 *   or credentials); the function's variables cannot override reserved ones,
 *   the credentials or AWS_ENDPOINT_URL. AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED
 *   is set (overridable) so the kit's newer SDK does not print a Node 22
 *   notice into every function's log, which AWS's bundled SDK does not. AWS_LAMBDA_RUNTIME_API is set but
 *   nothing listens there (invocations travel over IPC).
 * - Billed Duration is Duration rounded up to the millisecond; init is not billed.
 * - Init is limited to 10 s like AWS; a timed-out init is reported as the
 *   invocation's Sandbox.Timedout instead of being retried in the invoke phase.
 * - A failed init stops the environment; the next invocation starts a new one.
 * - When all maxEnvironments are busy an invocation waits up to queueWaitMs
 *   (default 3 s) before TooManyRequests, instead of throttling at once.
 *
 * Client quirks: none (this is an internal component; no client talks to it).
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { FunctionSpec, RuntimePool, RuntimePoolOptions } from "./contract.js";
import { LambdaRuntimePool } from "./pool.js";

export * from "./contract.js";
export { livePids } from "./orphan-guard.js";
export { sandboxStatus, type SandboxStatus } from "./sandbox.js";
export type { LambdaRuntimePool };

/** The factory the Lambda API uses. */
export function createRuntimePool(options: RuntimePoolOptions): RuntimePool & {
  describe: LambdaRuntimePool["describe"];
} {
  return new LambdaRuntimePool(options);
}

export interface ColdStartMeasurement {
  /** Process spawned → handler loaded (the REPORT line's Init Duration). */
  initDurationMs: number;
  /** pool.invoke() called → result returned, for the first (cold) invocation. */
  firstInvokeMs: number;
  /** The same for a second (warm) invocation. */
  warmInvokeMs: number;
}

/** Cold start of a small ESM function in a fresh pool (for `npm run bench`). */
export async function measureColdStart(options: { sandbox?: "auto" | "off" } = {}): Promise<ColdStartMeasurement> {
  const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-coldstart-"));
  fs.writeFileSync(path.join(codeDir, "index.mjs"), "export const handler = async (event) => ({ ok: true, event });\n");
  const pool = createRuntimePool({ maxEnvironments: 1, idleMs: 60_000, onLogs: () => {}, sandbox: options.sandbox });
  const spec: FunctionSpec = {
    functionName: "cold-start-bench",
    functionArn: "arn:aws:lambda:us-east-1:000000000000:function:cold-start-bench",
    handler: "index.handler",
    runtime: "nodejs20.x",
    timeoutSeconds: 10,
    memoryMb: 128,
    environment: {},
    codeDir,
    revisionId: randomUUID(),
    region: "us-east-1",
    account: "000000000000",
    endpoint: "http://127.0.0.1:4566",
    logGroupName: "/aws/lambda/cold-start-bench",
    credentials: () => ({ accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token" }),
  };
  try {
    let t = performance.now();
    const cold = await pool.invoke(spec, "{}", { requestId: randomUUID() });
    const firstInvokeMs = performance.now() - t;
    t = performance.now();
    await pool.invoke(spec, "{}", { requestId: randomUUID() });
    const warmInvokeMs = performance.now() - t;
    if (cold.functionError || cold.initDurationMs === undefined) throw new Error(`cold start failed: ${cold.payload}`);
    return { initDurationMs: cold.initDurationMs, firstInvokeMs, warmInvokeMs };
  } finally {
    await pool.close();
    fs.rmSync(codeDir, { recursive: true, force: true });
  }
}
