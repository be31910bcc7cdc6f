/**
 * The function API: CreateFunction, GetFunction, GetFunctionConfiguration,
 * ListFunctions, DeleteFunction, UpdateFunctionCode and
 * UpdateFunctionConfiguration, with AWS's validation order (shape errors as
 * ValidationException, then semantic ones as InvalidParameterValueException),
 * its state machine (lifecycle.ts) and its conflicts: nothing can change a
 * function that is Pending or whose last update is still InProgress
 * (ResourceConflictException), and a stale RevisionId is a
 * PreconditionFailedException.
 */
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/context.js";
import type { RestInput, RestRoute } from "../../protocols/rest-json.js";
import { conflict, constraint, invalidParameter, pendingConflict, revisionMismatch, updateInProgress } from "./errors.js";
import {
  DEFAULT_MEMORY,
  DEFAULT_TIMEOUT,
  toConfiguration,
  validateDeadLetterTarget,
  validateEnvironment,
  validateHandler,
  validateMemory,
  validateRuntime,
  validateTimeout,
} from "./configuration.js";
import { validateRoleArn } from "./execution-role.js";
import { codeLocation } from "./code-download.js";
import { findFunction, parseFunctionName } from "./names.js";
import type { LambdaService } from "./service-context.js";
import { functionArn, functionKey, lambdaTimestamp, type FunctionCode, type FunctionRecord } from "./state.js";

/** Old code stays on disk this long after an update/delete, so invocations already running can finish. */
const OLD_CODE_GRACE_MS = 60_000;

function validateArchitectures(value: unknown): string[] {
  if (value === undefined) return ["x86_64"];
  if (!Array.isArray(value) || value.length !== 1 || !["x86_64", "arm64"].includes(value[0])) {
    throw constraint(JSON.stringify(value), "architectures", "Member must have length less than or equal to 1 and satisfy enum value set: [x86_64, arm64]");
  }
  return value as string[];
}

function rejectUnsupportedCode(code: Record<string, unknown> | undefined): void {
  if (code?.ImageUri) throw invalidParameter("The local cloud runs .zip packages only: container images (ImageUri) are not supported.");
  if (code?.S3Bucket || code?.S3Key) {
    throw invalidParameter("The local cloud accepts the deployment package as Code.ZipFile only (aws lambda create-function --zip-file fileb://function.zip), not from S3.");
  }
}

export function checkRevision(fn: FunctionRecord, revisionId: unknown): void {
  if (revisionId !== undefined && revisionId !== null && revisionId !== fn.revisionId) throw revisionMismatch();
}

/** Updates need an Active function with no update in progress. */
export function assertUpdatable(fn: FunctionRecord): void {
  if (fn.state !== "Active") throw pendingConflict(fn.state);
  if (fn.lastUpdateStatus === "InProgress") throw updateInProgress(fn.arn);
}

export function functionRoutes(svc: LambdaService): RestRoute[] {
  const { functions, code, roles, lifecycle, invoker } = svc;
  const timers = new Set<NodeJS.Timeout>();

  const discardLater = (old: FunctionCode) => timers.add(code.retire(old, OLD_CODE_GRACE_MS));
  svc.cloud.onReset(() => timers.forEach(clearTimeout));
  svc.cloud.onClose(() => timers.forEach(clearTimeout));

  const save = (fn: FunctionRecord) => functions.set(functionKey(fn.account, fn.region, fn.name), fn);

  async function createFunction(ctx: RequestContext, { body }: RestInput) {
    if (typeof body.FunctionName !== "string") throw constraint(null, "functionName", "Member must not be null");
    const ref = parseFunctionName(ctx, body.FunctionName);
    if (ref.qualifier) throw invalidParameter("Qualifiers are not allowed in the function name of CreateFunction.");
    if (body.PackageType === "Image") throw invalidParameter("The local cloud runs .zip packages only: PackageType Image is not supported.");
    const runtime = validateRuntime(body.Runtime);
    const handler = validateHandler(body.Handler);
    const role = validateRoleArn(body.Role);
    const timeout = body.Timeout === undefined ? DEFAULT_TIMEOUT : validateTimeout(body.Timeout);
    const memorySize = body.MemorySize === undefined ? DEFAULT_MEMORY : validateMemory(body.MemorySize);
    const environment = validateEnvironment(body.Environment);
    const deadLetterTargetArn = validateDeadLetterTarget(body.DeadLetterConfig);
    const architectures = validateArchitectures(body.Architectures);
    const ephemeralStorage = body.EphemeralStorage?.Size ?? 512;
    if (!Number.isInteger(ephemeralStorage) || ephemeralStorage < 512 || ephemeralStorage > 10240) {
      throw constraint(ephemeralStorage, "ephemeralStorage.size", "Member must have value between 512 and 10240");
    }
    if (Array.isArray(body.Layers) && body.Layers.length) throw invalidParameter("The local cloud does not support layers: put the dependencies in the .zip package.");
    rejectUnsupportedCode(body.Code);
    const key = functionKey(ref.account, ref.region, ref.name);
    if (functions.has(key)) throw conflict(`Function already exist: ${ref.name}`);
    roles.check(role, { account: ref.account, arn: functionArn(ref.account, ref.region, ref.name) });
    const stored = await code.accept(body.Code?.ZipFile, "CreateFunction");
    if (functions.has(key)) {
      await code.discard(stored);
      throw conflict(`Function already exist: ${ref.name}`);
    }
    const fn: FunctionRecord = {
      account: ref.account,
      region: ref.region,
      name: ref.name,
      arn: functionArn(ref.account, ref.region, ref.name),
      runtime,
      role,
      handler,
      description: typeof body.Description === "string" ? body.Description : "",
      timeout,
      memorySize,
      environment,
      deadLetterTargetArn,
      architectures,
      ephemeralStorage,
      tags: { ...(body.Tags ?? {}) },
      code: stored,
      revisionId: randomUUID(),
      lastModified: lambdaTimestamp(),
      state: "Pending",
      stateReason: "The function is being created.",
      stateReasonCode: "Creating",
      recursiveLoop: "Terminate",
    };
    save(fn);
    lifecycle.schedule(fn);
    ctx.cloud.log.info(`lambda: created ${fn.name} (${runtime}, ${handler}, ${stored.size} bytes of code)`);
    return toConfiguration(fn);
  }

  function getFunction(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"));
    return {
      Configuration: toConfiguration(fn),
      Code: { RepositoryType: "S3", Location: codeLocation(ctx, fn) },
      ...(Object.keys(fn.tags).length ? { Tags: fn.tags } : {}),
      ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
    };
  }

  function listFunctions(ctx: RequestContext, { query }: RestInput) {
    const maxItems = query.has("MaxItems") ? Number(query.get("MaxItems")) : 50;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10000) throw constraint(query.get("MaxItems"), "maxItems", "Member must have value between 1 and 10000");
    const marker = query.get("Marker");
    const offset = marker ? Number(Buffer.from(marker, "base64url").toString()) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw invalidParameter(`Invalid Marker: ${marker}`);
    const all = functions.withPrefix(`${ctx.account}:${ctx.region}:`).map(([, fn]) => fn);
    const page = all.slice(offset, offset + maxItems);
    return {
      Functions: page.map(toConfiguration),
      ...(offset + maxItems < all.length ? { NextMarker: Buffer.from(String(offset + maxItems)).toString("base64url") } : {}),
    };
  }

  async function deleteFunction(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"));
    lifecycle.cancel(fn);
    functions.delete(functionKey(fn.account, fn.region, fn.name));
    roles.forget(fn);
    for (const hook of svc.onFunctionDeleted) {
      try {
        hook(fn.arn);
      } catch (err) {
        ctx.cloud.log.error(`lambda: cleaning up after deleting ${fn.name} failed: ${(err as Error).message}`);
      }
    }
    await invoker.retire(fn);
    discardLater(fn.code);
    ctx.cloud.log.info(`lambda: deleted ${fn.name}`);
  }

  async function updateFunctionCode(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(functions, ctx, input.path.FunctionName!);
    const body = input.body;
    rejectUnsupportedCode(body);
    const architectures = body.Architectures === undefined ? fn.architectures : validateArchitectures(body.Architectures);
    checkRevision(fn, body.RevisionId);
    assertUpdatable(fn);
    const stored = await code.accept(body.ZipFile, "UpdateFunctionCode");
    if (body.DryRun === true) {
      await code.discard(stored);
      return toConfiguration({ ...fn, code: stored });
    }
    const current = functions.get(functionKey(fn.account, fn.region, fn.name));
    if (!current || current.revisionId !== fn.revisionId || current.lastUpdateStatus === "InProgress") {
      await code.discard(stored);
      throw updateInProgress(fn.arn);
    }
    const next: FunctionRecord = { ...current, code: stored, architectures, revisionId: randomUUID(), lastModified: lambdaTimestamp(), lastUpdateStatus: "InProgress" };
    save(next);
    lifecycle.schedule(next);
    await invoker.retire(next);
    discardLater(fn.code);
    ctx.cloud.log.info(`lambda: new code for ${fn.name} (${stored.size} bytes)`);
    return toConfiguration(next);
  }

  async function updateFunctionConfiguration(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(functions, ctx, input.path.FunctionName!);
    const body = input.body;
    const next: FunctionRecord = { ...fn };
    if (body.Runtime !== undefined) next.runtime = validateRuntime(body.Runtime);
    if (body.Handler !== undefined) next.handler = validateHandler(body.Handler);
    if (body.Role !== undefined) next.role = validateRoleArn(body.Role);
    if (body.Timeout !== undefined) next.timeout = validateTimeout(body.Timeout);
    if (body.MemorySize !== undefined) next.memorySize = validateMemory(body.MemorySize);
    if (body.Description !== undefined) next.description = String(body.Description);
    if (body.Environment !== undefined) {
      next.environment = validateEnvironment(body.Environment);
      if (next.environment && Object.keys(next.environment).length === 0 && !body.Environment?.Variables) delete next.environment;
    }
    if (body.DeadLetterConfig !== undefined) {
      next.deadLetterTargetArn = validateDeadLetterTarget(body.DeadLetterConfig);
      if (!next.deadLetterTargetArn) delete next.deadLetterTargetArn;
    }
    if (body.EphemeralStorage?.Size !== undefined) next.ephemeralStorage = Number(body.EphemeralStorage.Size);
    if (Array.isArray(body.Layers) && body.Layers.length) throw invalidParameter("The local cloud does not support layers: put the dependencies in the .zip package.");
    checkRevision(fn, body.RevisionId);
    assertUpdatable(fn);
    if (body.Role !== undefined) roles.check(next.role, next);
    next.revisionId = randomUUID();
    next.lastModified = lambdaTimestamp();
    next.lastUpdateStatus = "InProgress";
    save(next);
    lifecycle.schedule(next);
    if (next.role !== fn.role) roles.forget(fn);
    await invoker.retire(next);
    return toConfiguration(next);
  }

  return [
    { method: "POST", path: "/2015-03-31/functions", operation: "CreateFunction", status: 201, handler: createFunction },
    { method: "GET", path: "/2015-03-31/functions/", operation: "ListFunctions", handler: listFunctions },
    { method: "GET", path: "/2015-03-31/functions/{FunctionName}", operation: "GetFunction", handler: getFunction },
    {
      method: "GET",
      path: "/2015-03-31/functions/{FunctionName}/configuration",
      operation: "GetFunctionConfiguration",
      handler: (ctx, input) => toConfiguration(findFunction(functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"))),
    },
    { method: "DELETE", path: "/2015-03-31/functions/{FunctionName}", operation: "DeleteFunction", status: 204, handler: deleteFunction },
    { method: "PUT", path: "/2015-03-31/functions/{FunctionName}/code", operation: "UpdateFunctionCode", handler: updateFunctionCode },
    { method: "PUT", path: "/2015-03-31/functions/{FunctionName}/configuration", operation: "UpdateFunctionConfiguration", handler: updateFunctionConfiguration },
  ];
}
