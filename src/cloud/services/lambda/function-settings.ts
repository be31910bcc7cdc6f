/**
 * The per-function settings beside the configuration: asynchronous invocation
 * (Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s): retries 0–2, event
 * age 60–21600 s, OnSuccess/OnFailure destinations to SQS, SNS, Lambda or an
 * EventBridge bus), reserved concurrency (Put/Get/DeleteFunctionConcurrency —
 * passed to the runtime, 0 throttles every invoke), recursive loop detection
 * (Put/GetFunctionRecursionConfig) and tags (TagResource, UntagResource,
 * ListTags), plus GetAccountSettings.
 */
import type { RequestContext } from "../../core/context.js";
import { destinationKindOf } from "../../core/destinations.js";
import type { RestInput, RestRoute } from "../../protocols/rest-json.js";
import { constraint, invalidParameter, resourceNotFound } from "./errors.js";
import { findFunction } from "./names.js";
import type { LambdaService } from "./service-context.js";
import { functionKey, type DestinationConfig, type EventInvokeConfig, type FunctionRecord } from "./state.js";

/** AWS's default account concurrency, and the part that must stay unreserved. */
const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

function validateDestinations(config: unknown): DestinationConfig | undefined {
  if (config === undefined || config === null) return undefined;
  const out: DestinationConfig = {};
  for (const which of ["OnSuccess", "OnFailure"] as const) {
    const destination = (config as Record<string, { Destination?: unknown } | undefined>)[which]?.Destination;
    if (destination === undefined || destination === null || destination === "") continue;
    if (typeof destination !== "string" || !destinationKindOf(destination)) {
      throw invalidParameter(`The destination ARN ${String(destination)} is invalid. Destinations must be an SQS queue, SNS topic, Lambda function or EventBridge event bus ARN.`);
    }
    out[which] = { Destination: destination };
  }
  return out;
}

function eventInvokeConfigOutput(fn: FunctionRecord, config: EventInvokeConfig) {
  return {
    LastModified: config.LastModified,
    FunctionArn: `${fn.arn}:$LATEST`,
    ...(config.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: config.MaximumRetryAttempts } : {}),
    ...(config.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: config.MaximumEventAgeInSeconds } : {}),
    DestinationConfig: { OnSuccess: config.DestinationConfig?.OnSuccess ?? {}, OnFailure: config.DestinationConfig?.OnFailure ?? {} },
  };
}

export function settingsRoutes(svc: LambdaService): RestRoute[] {
  const save = (fn: FunctionRecord) => svc.functions.set(functionKey(fn.account, fn.region, fn.name), fn);
  const find = (ctx: RequestContext, input: RestInput) => findFunction(svc.functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"));

  function putEventInvokeConfig(merge: boolean) {
    return (ctx: RequestContext, input: RestInput) => {
      const fn = find(ctx, input);
      const body = input.body;
      const base: Partial<EventInvokeConfig> = merge ? { ...(fn.eventInvokeConfig ?? {}) } : {};
      if (merge && !fn.eventInvokeConfig) throw resourceNotFound(`The function ${fn.arn} doesn't have an EventInvokeConfig`);
      if (body.MaximumRetryAttempts !== undefined) {
        const n = Number(body.MaximumRetryAttempts);
        if (!Number.isInteger(n) || n < 0) throw constraint(body.MaximumRetryAttempts, "maximumRetryAttempts", "Member must have value greater than or equal to 0");
        if (n > 2) throw constraint(body.MaximumRetryAttempts, "maximumRetryAttempts", "Member must have value less than or equal to 2");
        base.MaximumRetryAttempts = n;
      }
      if (body.MaximumEventAgeInSeconds !== undefined) {
        const n = Number(body.MaximumEventAgeInSeconds);
        if (!Number.isInteger(n) || n < 60) throw constraint(body.MaximumEventAgeInSeconds, "maximumEventAgeInSeconds", "Member must have value greater than or equal to 60");
        if (n > 21600) throw constraint(body.MaximumEventAgeInSeconds, "maximumEventAgeInSeconds", "Member must have value less than or equal to 21600");
        base.MaximumEventAgeInSeconds = n;
      }
      const destinations = validateDestinations(body.DestinationConfig);
      if (destinations) base.DestinationConfig = merge ? { ...base.DestinationConfig, ...destinations } : destinations;
      const config: EventInvokeConfig = { ...base, LastModified: Math.floor(Date.now() / 1000) };
      save({ ...fn, eventInvokeConfig: config });
      return eventInvokeConfigOutput(fn, config);
    };
  }

  function getEventInvokeConfig(ctx: RequestContext, input: RestInput) {
    const fn = find(ctx, input);
    if (!fn.eventInvokeConfig) throw resourceNotFound(`The function ${fn.arn} doesn't have an EventInvokeConfig`);
    return eventInvokeConfigOutput(fn, fn.eventInvokeConfig);
  }

  function deleteEventInvokeConfig(ctx: RequestContext, input: RestInput) {
    const fn = find(ctx, input);
    if (!fn.eventInvokeConfig) throw resourceNotFound(`The function ${fn.arn} doesn't have an EventInvokeConfig`);
    const { eventInvokeConfig: _dropped, ...rest } = fn;
    save(rest);
  }

  function putConcurrency(ctx: RequestContext, input: RestInput) {
    const fn = find(ctx, input);
    const value = input.body.ReservedConcurrentExecutions;
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < 0) throw constraint(value, "reservedConcurrentExecutions", "Member must have value greater than or equal to 0");
    let reservedElsewhere = 0;
    for (const other of svc.functions.values()) {
      if (other.account === fn.account && other.region === fn.region && other.arn !== fn.arn) reservedElsewhere += other.reservedConcurrency ?? 0;
    }
    if (ACCOUNT_CONCURRENCY - reservedElsewhere - n < MIN_UNRESERVED) {
      throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`);
    }
    save({ ...fn, reservedConcurrency: n });
    return { ReservedConcurrentExecutions: n };
  }

  function deleteConcurrency(ctx: RequestContext, input: RestInput) {
    const fn = find(ctx, input);
    const { reservedConcurrency: _dropped, ...rest } = fn;
    save(rest);
  }

  function putRecursion(ctx: RequestContext, input: RestInput) {
    const fn = find(ctx, input);
    const value = input.body.RecursiveLoop;
    if (value !== "Allow" && value !== "Terminate") throw constraint(value, "recursiveLoop", "Member must satisfy enum value set: [Allow, Terminate]");
    save({ ...fn, recursiveLoop: value });
    return { RecursiveLoop: value };
  }

  const byArn = (ctx: RequestContext, input: RestInput) => findFunction(svc.functions, ctx, input.path.Resource!);

  function tagResource(ctx: RequestContext, input: RestInput) {
    const fn = byArn(ctx, input);
    const tags = input.body.Tags;
    if (!tags || typeof tags !== "object") throw constraint(null, "tags", "Member must not be null");
    const merged = { ...fn.tags, ...(tags as Record<string, string>) };
    if (Object.keys(merged).length > 50) throw invalidParameter("Number of tags exceeds resource tag limit.");
    save({ ...fn, tags: merged });
  }

  function untagResource(ctx: RequestContext, input: RestInput) {
    const fn = byArn(ctx, input);
    const keys = input.query.getAll("tagKeys");
    const tags = { ...fn.tags };
    for (const key of keys) delete tags[key];
    save({ ...fn, tags });
  }

  function accountSettings(ctx: RequestContext) {
    let count = 0;
    let size = 0;
    let reserved = 0;
    for (const fn of svc.functions.values()) {
      if (fn.account !== ctx.account || fn.region !== ctx.region) continue;
      count++;
      size += fn.code.size;
      reserved += fn.reservedConcurrency ?? 0;
    }
    return {
      AccountLimit: {
        TotalCodeSize: 80_530_636_800,
        CodeSizeUnzipped: 262_144_000,
        CodeSizeZipped: 52_428_800,
        ConcurrentExecutions: ACCOUNT_CONCURRENCY,
        UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reserved,
      },
      AccountUsage: { TotalCodeSize: size, FunctionCount: count },
    };
  }

  const eic = "/2019-09-25/functions/{FunctionName}/event-invoke-config";
  return [
    { method: "PUT", path: eic, operation: "PutFunctionEventInvokeConfig", handler: putEventInvokeConfig(false) },
    { method: "POST", path: eic, operation: "UpdateFunctionEventInvokeConfig", handler: putEventInvokeConfig(true) },
    { method: "GET", path: eic, operation: "GetFunctionEventInvokeConfig", handler: getEventInvokeConfig },
    { method: "DELETE", path: eic, operation: "DeleteFunctionEventInvokeConfig", status: 204, handler: deleteEventInvokeConfig },
    {
      method: "GET",
      path: `${eic}/list`,
      operation: "ListFunctionEventInvokeConfigs",
      handler: (ctx, input) => {
        const fn = find(ctx, input);
        return { FunctionEventInvokeConfigs: fn.eventInvokeConfig ? [eventInvokeConfigOutput(fn, fn.eventInvokeConfig)] : [] };
      },
    },
    { method: "PUT", path: "/2017-10-31/functions/{FunctionName}/concurrency", operation: "PutFunctionConcurrency", handler: putConcurrency },
    { method: "DELETE", path: "/2017-10-31/functions/{FunctionName}/concurrency", operation: "DeleteFunctionConcurrency", status: 204, handler: deleteConcurrency },
    {
      method: "GET",
      path: "/2019-09-30/functions/{FunctionName}/concurrency",
      operation: "GetFunctionConcurrency",
      handler: (ctx, input) => {
        const fn = find(ctx, input);
        return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
      },
    },
    { method: "PUT", path: "/2024-08-31/functions/{FunctionName}/recursion-config", operation: "PutFunctionRecursionConfig", handler: putRecursion },
    {
      method: "GET",
      path: "/2024-08-31/functions/{FunctionName}/recursion-config",
      operation: "GetFunctionRecursionConfig",
      handler: (ctx, input) => ({ RecursiveLoop: find(ctx, input).recursiveLoop }),
    },
    { method: "POST", path: "/2017-03-31/tags/{Resource}", operation: "TagResource", status: 204, handler: tagResource },
    { method: "DELETE", path: "/2017-03-31/tags/{Resource}", operation: "UntagResource", status: 204, handler: untagResource },
    { method: "GET", path: "/2017-03-31/tags/{Resource}", operation: "ListTags", handler: (ctx, input) => ({ Tags: byArn(ctx, input).tags }) },
    { method: "GET", path: "/2016-08-19/account-settings/", operation: "GetAccountSettings", handler: accountSettings },
  ];
}
