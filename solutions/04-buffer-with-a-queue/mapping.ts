/**
 * Lab 04 — reference solution: the event source mapping (queue → function).
 */
import type { CreateEventSourceMappingCommandInput } from "@aws-sdk/client-lambda";

export interface MappingInput {
  functionName: string;
  queueArn: string;
}

export function eventSourceMapping(input: MappingInput): CreateEventSourceMappingCommandInput {
  return {
    FunctionName: input.functionName,
    EventSourceArn: input.queueArn,
    // Up to 10 messages per invocation, gathered for at most 1 s: fewer, fuller invocations.
    BatchSize: 10,
    MaximumBatchingWindowInSeconds: 1,
    // The handler names the messages that failed; the rest of the batch is deleted, not retried.
    FunctionResponseTypes: ["ReportBatchItemFailures"],
    // At most 2 invocations at once: the database sees at most 2 writers, however many files arrive.
    ScalingConfig: { MaximumConcurrency: 2 },
  };
}
