/**
 * Error shapes of the AWS Node.js runtime, reproduced for the child process.
 * `toRuntimeResponse` is the payload an Invoke caller sees
 * ({"errorType","errorMessage","trace"}); `toLoggedError` is the JSON the
 * runtime writes after "Invoke Error" / "Uncaught Exception" in the log
 * (errorType, errorMessage, the error's own enumerable fields, stack as lines).
 * The Runtime.* classes carry AWS's error names (aws-behavior.md §5).
 */
import { types } from "node:util";

/** An object that quacks like an Error (name, message and stack strings). */
function looksLikeError(value) {
  return (
    value != null &&
    typeof value.name === "string" && value.name !== "" &&
    typeof value.message === "string" && value.message !== "" &&
    typeof value.stack === "string"
  );
}

/** The Invoke response payload for an error, as the Node runtime posts it. */
export function toRuntimeResponse(error) {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === "string" ? error.stack.split("\n") : [],
      };
    }
    // `throw "oops"` / callback("oops"): AWS reports the JS type as errorType.
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack",
    };
  }
}

/** The tab-prefixed JSON the runtime appends to "Invoke Error" log lines. */
export function toLoggedError(error) {
  try {
    return "\t" + JSON.stringify(error, (_key, value) => withErrorFields(value));
  } catch {
    return "\t" + JSON.stringify(toRuntimeResponse(error));
  }
}

function withErrorFields(value) {
  if (!(value instanceof Error)) return value;
  const fields = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
  if (typeof value.stack === "string") fields.stack = value.stack.split("\n");
  return fields;
}

function runtimeError(name) {
  return class extends Error {
    constructor(message) {
      super(message);
      this.name = `Runtime.${name}`;
    }
  };
}

export const HandlerNotFound = runtimeError("HandlerNotFound");
export const MalformedHandlerName = runtimeError("MalformedHandlerName");

/** Wraps the loader's error: the message is the original "Error: Cannot find module …". */
export class ImportModuleError extends Error {
  constructor(original) {
    super(String(original));
    this.name = "Runtime.ImportModuleError";
  }
}

/** Keeps the SyntaxError's stack (it points at the offending file), message "SyntaxError: …". */
export class UserCodeSyntaxError extends Error {
  constructor(original) {
    super(String(original));
    this.name = "Runtime.UserCodeSyntaxError";
    if (typeof original?.stack === "string") this.stack = `Runtime.UserCodeSyntaxError: ${original.stack}`;
  }
}

/** A floating promise rejected: message is String(reason), e.g. "Error: boom". */
export class UnhandledPromiseRejection extends Error {
  constructor(reason, promise) {
    super(String(reason));
    this.name = "Runtime.UnhandledPromiseRejection";
    this.reason = reason;
    this.promise = promise;
  }
}

/** An async handler whose promise never settled while the event loop drained. */
export class NodeJsExit extends Error {
  constructor() {
    super(
      "The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.",
    );
    this.name = "Runtime.NodeJsExit";
  }
}
