/**
 * ESM resolve hook (module.register, Node 20.6+), registered only when the
 * function's entry point is ESM. Two jobs, both about matching AWS:
 * 1. `@aws-sdk/*` and `@smithy/*` resolve even when not shipped, like the SDK
 *    preinstalled in AWS's Node runtimes. The function's own copy wins: the
 *    kit's copy is only tried when normal resolution failed.
 * 2. Any other bare import made by the function's code must be satisfied from
 *    inside its code directory. Without this, code unpacked under the kit's
 *    project would silently pick up the kit's own node_modules (sharp!) and
 *    pass locally while failing on AWS with "Cannot find package".
 */
import { fileURLToPath } from "node:url";

let sdkParentUrl;
let taskRootUrl;

export async function initialize(data) {
  sdkParentUrl = data.sdkParentUrl;
  taskRootUrl = data.taskRootUrl;
}

const SDK_SCOPES = /^@(aws-sdk|smithy)\//;

function isBare(specifier) {
  return !/^(\.|\/|[a-zA-Z][a-zA-Z+.-]*:)/.test(specifier);
}

function packageName(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

function notFound(specifier, parentURL) {
  const from = parentURL?.startsWith("file:") ? fileURLToPath(parentURL) : parentURL;
  const error = new Error(`Cannot find package '${packageName(specifier)}' imported from ${from}`);
  error.code = "ERR_MODULE_NOT_FOUND";
  return error;
}

export async function resolve(specifier, context, nextResolve) {
  let resolved;
  try {
    resolved = await nextResolve(specifier, context);
  } catch (error) {
    if (!SDK_SCOPES.test(specifier) || error?.code !== "ERR_MODULE_NOT_FOUND" || !sdkParentUrl) throw error;
    return nextResolve(specifier, { ...context, parentURL: sdkParentUrl });
  }
  const fromUserCode = taskRootUrl && context.parentURL?.startsWith(taskRootUrl);
  if (
    fromUserCode &&
    isBare(specifier) &&
    !SDK_SCOPES.test(specifier) &&
    resolved.url.startsWith("file:") &&
    !resolved.url.startsWith(taskRootUrl)
  ) {
    throw notFound(specifier, context.parentURL);
  }
  return resolved;
}
