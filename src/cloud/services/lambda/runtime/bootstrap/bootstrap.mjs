/**
 * The execution environment's entry point: one Node process per environment,
 * started by environment.ts with the Lambda environment variables already set.
 * Plain JavaScript (no transpiler) so a cold start costs one `node` start plus
 * the user's module. It
 *   1. registers the SDK resolve hook (ESM) — CJS finds the SDK via NODE_PATH;
 *   2. patches console so output becomes AWS-format log events;
 *   3. loads the handler once ("init"), reporting `ready` or `init-error`;
 *   4. serves `invoke` messages one at a time (invoke-handler.mjs);
 *   5. exits as soon as the IPC channel to the parent closes, so a dead local
 *      cloud leaves no orphaned environments.
 * Uncaught exceptions and unhandled rejections are reported for the current
 * request and end the process (exit 129 / 128), as the AWS runtime does; the
 * parent then replaces the environment.
 */
import { register } from "node:module";
import { captureConsole } from "./console-capture.mjs";
import { loadHandler } from "./load-handler.mjs";
import { toLoggedError, toRuntimeResponse, UnhandledPromiseRejection } from "./errors.mjs";
import { createInvoker } from "./invoke-handler.mjs";

const send = (message, done) => {
  if (!process.connected) return;
  process.send(message, undefined, undefined, done);
};

// The parent went away (closed the pool, crashed, was killed): leave with it.
process.on("disconnect", () => process.exit(0));

const state = { requestId: undefined };
captureConsole(send, () => String(state.requestId));

if (process.env.LOCALCLOUD_SDK_PARENT_URL) {
  register(new URL("./sdk-resolve-hook.mjs", import.meta.url).href, {
    data: { sdkParentUrl: process.env.LOCALCLOUD_SDK_PARENT_URL },
  });
}
// Internal plumbing, not part of the function's environment.
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

let invoker;
try {
  const { handler, isAsync } = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), process.env._HANDLER ?? "");
  invoker = createInvoker({ handler, isAsync, send, state });
  send({ t: "ready" });
} catch (error) {
  console.error("Uncaught Exception", toLoggedError(error));
  send({ t: "init-error", error: toRuntimeResponse(error) });
}

process.on("message", (message) => {
  if (message?.t === "invoke" && invoker) invoker.invoke(message);
});
