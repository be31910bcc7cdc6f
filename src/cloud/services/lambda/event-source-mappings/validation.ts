/**
 * Input rules for Create/UpdateEventSourceMapping with an SQS source: the
 * function name forms Lambda accepts, BatchSize 1–10000 (above 10 only with
 * a batching window, as AWS requires for standard queues),
 * MaximumBatchingWindowInSeconds 0–300, FunctionResponseTypes only
 * ["ReportBatchItemFailures"], FilterCriteria patterns (≤ 5, valid JSON
 * patterns), ScalingConfig.MaximumConcurrency 2–1000, and a refusal for the
 * stream-only parameters that SQS mappings do not take.
 */
import { parsePattern, PatternError } from "../../../core/event-pattern.js";
import { invalidParameter, validation } from "./errors.js";

const FULL = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const NAME = /^([a-zA-Z0-9-_]{1,64})(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

/** FunctionName → { arn (unqualified), qualifier }. */
export function resolveFunctionName(value: unknown, account: string, region: string): { arn: string; qualifier?: string } {
  if (typeof value !== "string" || !value) throw validation(value, "functionName", "Member must not be null");
  const full = FULL.exec(value);
  if (full) return { arn: `arn:aws:lambda:${full[1]}:${full[2]}:function:${full[3]}`, qualifier: full[4] };
  const partial = PARTIAL.exec(value);
  if (partial) return { arn: `arn:aws:lambda:${region}:${partial[1]}:function:${partial[2]}`, qualifier: partial[3] };
  const name = NAME.exec(value);
  if (name) return { arn: `arn:aws:lambda:${region}:${account}:function:${name[1]}`, qualifier: name[2] };
  throw validation(value, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
}

function integer(value: unknown, member: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw validation(value, member, "Member must be an integer");
  if (value < min) throw validation(value, member, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validation(value, member, `Member must have value less than or equal to ${max}`);
  return value;
}

export interface MappingSettings {
  batchSize?: number;
  window?: number;
  enabled?: boolean;
  functionResponseTypes?: string[];
  filters?: string[];
  maximumConcurrency?: number;
}

/** Parameters that only stream (Kinesis/DynamoDB/Kafka/MQ) sources take. */
const NOT_FOR_SQS = [
  "StartingPosition",
  "StartingPositionTimestamp",
  "ParallelizationFactor",
  "DestinationConfig",
  "MaximumRecordAgeInSeconds",
  "BisectBatchOnFunctionError",
  "MaximumRetryAttempts",
  "TumblingWindowInSeconds",
  "Topics",
  "Queues",
  "SourceAccessConfigurations",
  "SelfManagedEventSource",
  "SelfManagedKafkaEventSourceConfig",
  "AmazonManagedKafkaEventSourceConfig",
  "DocumentDBEventSourceConfig",
];

export function readSettings(body: Record<string, unknown>): MappingSettings {
  for (const name of NOT_FOR_SQS) {
    if (body[name] !== undefined && body[name] !== null) throw invalidParameter(`Unsupported ${name} parameter for given event source mapping type.`);
  }
  const settings: MappingSettings = {
    batchSize: integer(body.BatchSize, "batchSize", 1, 10000),
    window: integer(body.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, 300),
  };
  if (body.Enabled !== undefined) {
    if (typeof body.Enabled !== "boolean") throw validation(body.Enabled, "enabled", "Member must be a boolean");
    settings.enabled = body.Enabled;
  }
  if (body.FunctionResponseTypes !== undefined) {
    const types = body.FunctionResponseTypes;
    if (!Array.isArray(types) || types.length > 1 || types.some((t) => t !== "ReportBatchItemFailures")) {
      throw validation(JSON.stringify(types), "functionResponseTypes", "Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]");
    }
    settings.functionResponseTypes = types as string[];
  }
  if (body.FilterCriteria !== undefined && body.FilterCriteria !== null) {
    const filters = (body.FilterCriteria as { Filters?: Array<{ Pattern?: unknown }> }).Filters ?? [];
    if (!Array.isArray(filters) || filters.length > 5) throw invalidParameter("Invalid filter criteria: at most 5 filters are allowed.");
    settings.filters = filters.map((f) => {
      if (typeof f?.Pattern !== "string") throw invalidParameter("Invalid filter pattern definition: every filter needs a Pattern string.");
      // Filter.Pattern: "Length Constraints: Maximum length of 4096" (Lambda API reference, Filter).
      if (f.Pattern.length > 4096) throw invalidParameter("Invalid filter pattern definition: a Pattern is at most 4096 characters.");
      try {
        parsePattern(f.Pattern);
      } catch (err) {
        throw invalidParameter(`Invalid filter pattern definition. ${err instanceof PatternError ? err.message : ""}`.trim());
      }
      return f.Pattern;
    });
  }
  if (body.ScalingConfig !== undefined && body.ScalingConfig !== null) {
    settings.maximumConcurrency = integer((body.ScalingConfig as { MaximumConcurrency?: unknown }).MaximumConcurrency, "scalingConfig.maximumConcurrency", 2, 1000);
  }
  return settings;
}

/** AWS: a standard queue takes BatchSize > 10 only with MaximumBatchingWindowInSeconds ≥ 1. */
export function checkBatching(batchSize: number, window: number): void {
  if (batchSize > 10 && window < 1) {
    throw invalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
  }
}
