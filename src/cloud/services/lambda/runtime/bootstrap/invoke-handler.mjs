/**
 * One invocation inside the execution environment, with the Node runtime's
 * calling convention:
 * - the handler gets (event, context, callback);
 * - a returned promise settles the invocation as soon as it settles;
 * - callback(err, result) settles it, but by default only once the event loop
 *   is empty (context.callbackWaitsForEmptyEventLoop = true), as AWS does;
 * - a handler that never answers ends when the event loop drains: null for
 *   sync/callback handlers, Runtime.NodeJsExit for async ones.
 * "Event loop empty" is detected with `beforeExit`, which only fires when the
 * IPC channel is unref'd — so it is unref'd while an invocation runs.
 * Results are JSON.stringify'd (undefined → null); an unserialisable result
 * becomes an error, as the runtime's "Unable to stringify response body".
 */
import { readSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { NodeJsExit, toLoggedError, toRuntimeResponse } from "./errors.mjs";

export function createInvoker({ handler, isAsync, send, state, unsent }) {
  let onBeforeExit = null;
  process.on("beforeExit", () => {
    const run = onBeforeExit;
    onBeforeExit = null;
    if (run) run();
  });

  function invoke(message) {
    const started = performance.now();
    state.requestId = message.requestId;
    if (message.traceId) process.env._X_AMZN_TRACE_ID = message.traceId;
    else delete process.env._X_AMZN_TRACE_ID;

    let finished = false;
    const finish = (outcome) => {
      if (finished) return;
      finished = true;
      onBeforeExit = null;
      const durationMs = performance.now() - started;
      const maxRssKb = process.resourceUsage().maxRSS;
      process.channel?.ref();
      send({ t: "done", requestId: message.requestId, durationMs, maxRssKb, ...outcome });
      if (message.park) process.nextTick(park);
    };
    const succeed = (result) => {
      let payload;
      try {
        payload = JSON.stringify(result === undefined ? null : result);
      } catch {
        return fail(new Error("Unable to stringify response body"));
      }
      // JSON.stringify of a function or symbol yields undefined: the runtime posts no body.
      finish({ payload: payload ?? "" });
    };
    const fail = (error) => {
      console.error("Invoke Error", toLoggedError(error));
      finish({ error: toRuntimeResponse(error) });
    };

    let waitForEmptyEventLoop = true;
    let answered = false;
    const callback = (error, result) => {
      if (answered) return;
      answered = true;
      if (error !== undefined && error !== null) return fail(error);
      if (!waitForEmptyEventLoop) return succeed(result);
      onBeforeExit = () => setImmediate(() => succeed(result));
    };
    const context = buildContext(message, {
      get: () => waitForEmptyEventLoop,
      set: (value) => (waitForEmptyEventLoop = value),
      done: (error, result) => {
        if (answered) return;
        answered = true;
        if (error !== undefined && error !== null) fail(error);
        else succeed(result);
      },
    });

    // Default: nobody answered and nothing is left to run.
    onBeforeExit = () => {
      if (isAsync) fail(new NodeJsExit());
      else succeed(null);
    };
    process.channel?.unref();

    let event;
    try {
      event = JSON.parse(message.payload === "" ? "null" : message.payload);
    } catch (error) {
      return fail(error);
    }
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then(
          (result) => {
            answered = true;
            succeed(result);
          },
          (error) => {
            answered = true;
            fail(error ?? "handled");
          },
        );
      }
    } catch (error) {
      callback(error ?? "handled");
    }
  }

  /**
   * The parent freezes this process once it has read "done" (runtime/freeze.ts). Until that SIGSTOP
   * lands, work the handler left running (an un-awaited PutObject) could still get its request out —
   * on localhost that takes well under a millisecond. So the process parks itself: a blocking read of
   * one byte on stdin, which the parent writes when it thaws us for the next invocation. Parking
   * only when every message (done included) is already written: a write still queued needs this
   * event loop, and blocking it would deadlock. A nextTick callback runs after those writes' own
   * completion callbacks (queued earlier), so `unsent.count` is exact here.
   */
  function park() {
    if (unsent.count !== 0 || !process.connected) return;
    try {
      readSync(0, Buffer.alloc(1), 0, 1, null);
    } catch {
      // stdin not a blocking pipe (EAGAIN) or closed: frozen by SIGSTOP alone
    }
  }

  return { invoke };
}

/** The `context` object of the Node runtime (Lambda developer guide, "context object in Node.js"). */
function buildContext(message, callbacks) {
  const env = process.env;
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return callbacks.get();
    },
    set callbackWaitsForEmptyEventLoop(value) {
      callbacks.set(value);
    },
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: decodeClientContext(message.clientContext),
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    // Legacy completion methods the Node runtime still provides.
    done: callbacks.done,
    succeed: (result) => callbacks.done(null, result),
    fail: (error) => callbacks.done(error ?? "handled"),
  };
  return context;
}

function decodeClientContext(base64) {
  if (!base64) return undefined;
  try {
    return JSON.parse(Buffer.from(base64, "base64").toString("utf8"));
  } catch {
    return undefined;
  }
}
