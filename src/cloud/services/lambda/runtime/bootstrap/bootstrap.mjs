/**
 * The execution environment's entry point: one Node process per environment,
 * started by environment.ts with the Lambda environment variables already set.
 * Plain JavaScript (no transpiler) so a cold start costs one `node` start plus
 * the user's module. It
 *   1. makes the AWS SDK (and only it) resolvable beyond the code directory:
 *      NODE_PATH + a confined require for CJS, a resolve hook for ESM;
 *   2. patches console so output becomes AWS-format log events;
 *   3. loads the handler once ("init"), reporting `ready` or `init-error`;
 *   4. serves `invoke` messages one at a time (invoke-handler.mjs), parking
 *      itself after each result until the parent thaws it (freeze.ts);
 *   5. exits as soon as the IPC channel to the parent closes, so a dead local
 *      cloud leaves no orphaned environments.
 * Uncaught exceptions and unhandled rejections are reported for the current
 * request and end the process (exit 129 / 128), as the AWS runtime does; the
 * parent then replaces the environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Module, { register } from "node:module";
import { pathToFileURL } from "node:url";
import { captureConsole } from "./console-capture.mjs";
import { loadHandler } from "./load-handler.mjs";
import { toLoggedError, toRuntimeResponse, UnhandledPromiseRejection } from "./errors.mjs";
import { createInvoker } from "./invoke-handler.mjs";

/** Messages handed to the channel whose write has not completed yet (see park() in invoke-handler.mjs). */
const unsent = { count: 0 };
const send = (message, done) => {
  if (!process.connected) return;
  unsent.count++;
  process.send(message, undefined, undefined, (error) => {
    unsent.count--;
    if (done) done(error);
  });
};

// The parent went away (closed the pool, crashed, was killed): leave with it.
process.on("disconnect", () => process.exit(0));

const state = { requestId: undefined };
captureConsole(send, () => String(state.requestId));

const sdkParentUrl = process.env.LOCALCLOUD_SDK_PARENT_URL;
delete process.env.LOCALCLOUD_SDK_PARENT_URL;

function reportFatal(error, exitCode) {
  send({ t: "fatal", requestId: state.requestId, error: toRuntimeResponse(error) }, () => process.exit(exitCode));
  // If the channel is gone the callback never runs; do not linger.
  setTimeout(() => process.exit(exitCode), 500).unref();
}

process.on("uncaughtException", (error) => {
  console.error("Uncaught Exception", toLoggedError(error));
  reportFatal(error, 129);
});
process.on("unhandledRejection", (reason, promise) => {
  const error = new UnhandledPromiseRejection(reason, promise);
  console.error("Unhandled Promise Rejection", toLoggedError(error));
  reportFatal(error, 128);
});

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
let taskRootReal = taskRoot;
try {
  taskRootReal = fs.realpathSync(taskRoot);
} catch {
  // a missing code directory ends in Runtime.ImportModuleError below
}
confineRequireToTaskRoot(taskRootReal);

// The ESM hook costs a loader thread (~40 ms), so it is registered only before the first ESM import.
let hookRegistered = false;
function beforeEsmImport() {
  if (hookRegistered) return;
  hookRegistered = true;
  register(new URL("./sdk-resolve-hook.mjs", import.meta.url).href, {
    data: { sdkParentUrl, taskRootUrl: pathToFileURL(taskRootReal + path.sep).href },
  });
}

let invoker;
try {
  const { handler, isAsync } = await loadHandler(taskRoot, process.env._HANDLER ?? "", beforeEsmImport);
  invoker = createInvoker({ handler, isAsync, send, state, unsent });
  send({ t: "ready" });
} catch (error) {
  console.error("Uncaught Exception", toLoggedError(error));
  send({ t: "init-error", error: toRuntimeResponse(error) });
}

process.on("message", (message) => {
  if (message?.t === "invoke" && invoker) invoker.invoke(message);
});

/**
 * require() from the function's own files looks only in node_modules inside
 * the code directory (plus NODE_PATH, which holds just the SDK), as on AWS
 * where /var/task has no parent node_modules. Files outside it (the SDK's
 * own) resolve normally.
 */
function confineRequireToTaskRoot(root) {
  const original = Module._nodeModulePaths;
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  Module._nodeModulePaths = function (from) {
    const paths = original.call(this, from);
    if (!(from + path.sep).startsWith(prefix)) return paths;
    return paths.filter((p) => p.startsWith(prefix));
  };
}
