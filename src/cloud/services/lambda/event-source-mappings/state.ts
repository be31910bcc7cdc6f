/**
 * Event source mapping records, persisted in "lambda.event-source-mappings"
 * (key: the UUID) so mappings — and their pollers — come back after a
 * restart. `toWire` is the EventSourceMappingConfiguration AWS returns for an
 * SQS mapping.
 */
export type MappingState = "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

export interface MappingRecord {
  uuid: string;
  account: string;
  region: string;
  eventSourceArn: string;
  /** Unqualified function ARN. */
  functionArn: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** What the user asked for; `state` follows it through Creating/Enabling/Disabling. */
  enabled: boolean;
  state: MappingState;
  stateTransitionReason: string;
  functionResponseTypes: string[];
  /** FilterCriteria.Filters[].Pattern strings. */
  filters: string[];
  maximumConcurrency?: number;
  /** Seconds since the epoch (restJson timestamps). */
  lastModified: number;
  lastProcessingResult: string;
}

export const TABLE = "lambda.event-source-mappings";

export function mappingArn(record: MappingRecord): string {
  return `arn:aws:lambda:${record.region}:${record.account}:event-source-mapping:${record.uuid}`;
}

export function toWire(record: MappingRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    UUID: record.uuid,
    BatchSize: record.batchSize,
    MaximumBatchingWindowInSeconds: record.maximumBatchingWindowInSeconds,
    EventSourceArn: record.eventSourceArn,
    FunctionArn: record.functionArn,
    LastModified: record.lastModified,
    State: record.state,
    StateTransitionReason: record.stateTransitionReason,
    FunctionResponseTypes: record.functionResponseTypes,
    EventSourceMappingArn: mappingArn(record),
  };
  if (record.filters.length) out.FilterCriteria = { Filters: record.filters.map((Pattern) => ({ Pattern })) };
  if (record.maximumConcurrency !== undefined) out.ScalingConfig = { MaximumConcurrency: record.maximumConcurrency };
  if (record.lastProcessingResult) out.LastProcessingResult = record.lastProcessingResult;
  return out;
}
