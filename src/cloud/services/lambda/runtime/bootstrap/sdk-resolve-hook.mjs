/**
 * ESM resolve hook (module.register, Node 20.6+) that makes `@aws-sdk/*` and
 * `@smithy/*` importable from function code without shipping them, like the
 * SDK preinstalled in AWS's Node runtimes. The function's own copy wins: the
 * fallback to the kit's copy runs only when normal resolution failed. Only
 * these two scopes fall back, so any other package must come with the code.
 */
let sdkParentUrl;

export async function initialize(data) {
  sdkParentUrl = data.sdkParentUrl;
}

const SDK_SCOPES = /^@(aws-sdk|smithy)\//;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!SDK_SCOPES.test(specifier) || error?.code !== "ERR_MODULE_NOT_FOUND" || !sdkParentUrl) throw error;
    return nextResolve(specifier, { ...context, parentURL: sdkParentUrl });
  }
}
