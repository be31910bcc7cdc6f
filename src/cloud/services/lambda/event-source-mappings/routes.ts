/**
 * The five REST operations of event source mappings (restJson1, Lambda API
 * 2015-03-31): Create (202, State Creating), Get, List (EventSourceArn and
 * FunctionName filters, Marker/MaxItems), Update (202; Enabled toggles
 * Enabling/Disabling) and Delete (202, State Deleting). State changes settle
 * after a short, time-scaled delay (mappings.ts), as AWS's take seconds.
 */
import type { RequestContext } from "../../../core/context.js";
import type { SqsInternalApi, LambdaInternalApi } from "../../../core/internal-apis.js";
import { restResult, type RestInput, type RestRoute } from "../../../protocols/rest-json.js";
import { conflict, functionNotFound, inUse, invalidParameter, mappingNotFound, validation } from "./errors.js";
import { toWire, type MappingRecord } from "./state.js";
import { checkBatching, readSettings, resolveFunctionName } from "./validation.js";
import type { MappingsController } from "./mappings.js";

const SQS_ARN = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE = "/2015-03-31/event-source-mappings";

function accepted(record: MappingRecord) {
  return restResult({ status: 202, body: toWire(record) });
}

export function mappingRoutes(controller: MappingsController): RestRoute[] {
  const { cloud, mappings } = controller;

  const sqs = () => cloud.use<SqsInternalApi>("sqs");
  const lambda = () => cloud.use<LambdaInternalApi>("lambda");

  function requireFunction(ctx: RequestContext, name: unknown): string {
    const { arn, qualifier } = resolveFunctionName(name, ctx.account, ctx.region);
    // Only $LATEST exists locally: a version or alias qualifier names nothing.
    if ((qualifier && qualifier !== "$LATEST") || !lambda()?.functionExists(arn)) throw functionNotFound(qualifier ? `${arn}:${qualifier}` : arn);
    return arn;
  }

  function requireMapping(ctx: RequestContext, input: RestInput): MappingRecord {
    const uuid = input.path.UUID!;
    const record = UUID.test(uuid) ? mappings.get(uuid) : undefined;
    if (!record || record.account !== ctx.account) throw mappingNotFound();
    return record;
  }

  return [
    {
      method: "POST",
      path: `${BASE}/`,
      operation: "CreateEventSourceMapping",
      handler(ctx, input) {
        const body = input.body;
        const source = body.EventSourceArn;
        if (typeof source !== "string" || !source) throw invalidParameter("EventSourceArn is required for SQS event source mappings.");
        const m = SQS_ARN.exec(source);
        if (!m) {
          const service = source.split(":")[2];
          throw invalidParameter(
            service && source.startsWith("arn:")
              ? `Unsupported event source type: ${service}. The local cloud implements event source mappings for SQS queues only.`
              : `Invalid EventSourceArn: ${source} is not an ARN.`,
          );
        }
        if (!sqs()?.queueExists(source)) {
          throw invalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.");
        }
        const functionArn = requireFunction(ctx, body.FunctionName);
        const settings = readSettings(body);
        const batchSize = settings.batchSize ?? 10;
        const window = settings.window ?? 0;
        checkBatching(batchSize, window);
        for (const existing of mappings.values()) {
          if (existing.eventSourceArn === source && existing.functionArn === functionArn) {
            throw conflict(
              `An event source mapping with SQS arn (" ${source} ") and function (" ${functionArn.split(":")[6]} ") already exists. Please update or delete the existing mapping with UUID ${existing.uuid}`,
            );
          }
        }
        const visibility = Number(sqs()?.attributes(source)?.VisibilityTimeout ?? NaN);
        controller.checkPermissions(functionArn, source, Number.isFinite(visibility) ? visibility : undefined);
        const record = controller.create({
          account: ctx.account,
          region: ctx.region,
          eventSourceArn: source,
          functionArn,
          batchSize,
          maximumBatchingWindowInSeconds: window,
          enabled: settings.enabled ?? true,
          functionResponseTypes: settings.functionResponseTypes ?? [],
          filters: settings.filters ?? [],
          maximumConcurrency: settings.maximumConcurrency,
        });
        return accepted(record);
      },
    },
    {
      method: "GET",
      path: `${BASE}/`,
      operation: "ListEventSourceMappings",
      handler(ctx, input) {
        const sourceFilter = input.query.get("EventSourceArn");
        const functionFilter = input.query.get("FunctionName");
        const functionArn = functionFilter ? resolveFunctionName(functionFilter, ctx.account, ctx.region).arn : undefined;
        const maxText = input.query.get("MaxItems");
        const max = maxText === null ? 100 : Number(maxText);
        if (!Number.isInteger(max) || max < 1 || max > 10000) throw validation(maxText, "maxItems", "Member must have value between 1 and 10000");
        const all = [...mappings.values()]
          .filter((r) => r.account === ctx.account && r.region === ctx.region)
          .filter((r) => !sourceFilter || r.eventSourceArn === sourceFilter)
          .filter((r) => !functionArn || r.functionArn === functionArn)
          .sort((a, b) => a.uuid.localeCompare(b.uuid));
        const marker = input.query.get("Marker");
        const start = marker ? all.findIndex((r) => r.uuid > marker) : 0;
        const page = start < 0 ? [] : all.slice(start, start + max);
        const out: Record<string, unknown> = { EventSourceMappings: page.map(toWire) };
        if (start >= 0 && start + max < all.length) out.NextMarker = page[page.length - 1]!.uuid;
        return out;
      },
    },
    {
      method: "GET",
      path: `${BASE}/{UUID}`,
      operation: "GetEventSourceMapping",
      handler: (ctx, input) => toWire(requireMapping(ctx, input)),
    },
    {
      method: "PUT",
      path: `${BASE}/{UUID}`,
      operation: "UpdateEventSourceMapping",
      handler(ctx, input) {
        const record = requireMapping(ctx, input);
        if (record.state !== "Enabled" && record.state !== "Disabled") {
          throw inUse(`The event source mapping ${record.uuid} is currently ${record.state}; update it once it is Enabled or Disabled.`);
        }
        const body = input.body;
        const settings = readSettings(body);
        const functionArn = body.FunctionName !== undefined ? requireFunction(ctx, body.FunctionName) : record.functionArn;
        const batchSize = settings.batchSize ?? record.batchSize;
        const window = settings.window ?? record.maximumBatchingWindowInSeconds;
        checkBatching(batchSize, window);
        if (functionArn !== record.functionArn) {
          const visibility = Number(sqs()?.attributes(record.eventSourceArn)?.VisibilityTimeout ?? NaN);
          controller.checkPermissions(functionArn, record.eventSourceArn, Number.isFinite(visibility) ? visibility : undefined);
        }
        return accepted(
          controller.update(record, {
            functionArn,
            batchSize,
            maximumBatchingWindowInSeconds: window,
            enabled: settings.enabled ?? record.enabled,
            functionResponseTypes: settings.functionResponseTypes ?? record.functionResponseTypes,
            filters: settings.filters ?? record.filters,
            maximumConcurrency: settings.maximumConcurrency ?? record.maximumConcurrency,
          }),
        );
      },
    },
    {
      method: "DELETE",
      path: `${BASE}/{UUID}`,
      operation: "DeleteEventSourceMapping",
      handler(ctx, input) {
        const record = requireMapping(ctx, input);
        if (record.state === "Deleting") throw inUse(`The event source mapping ${record.uuid} is already being deleted.`);
        return accepted(controller.remove(record));
      },
    },
  ];
}
