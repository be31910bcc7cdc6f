/**
 * Lab 04 — your event source mapping: how Lambda reads the queue and calls
 * the function (README "Steps" 8).
 *
 * Decide:
 *   - BatchSize: how many messages one invocation gets (more than one: that
 *     is the point of buffering; at most 10 without a batching window);
 *   - MaximumBatchingWindowInSeconds: how long Lambda may wait to fill a
 *     batch (a second or two here);
 *   - FunctionResponseTypes: let the handler report WHICH messages failed,
 *     so the others of the batch are not processed again;
 *   - ScalingConfig.MaximumConcurrency: how many invocations may run at once
 *     (2–1000) — the database behind the function is the thing to protect.
 *
 * AWS: https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 *      https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html
 */
import type { CreateEventSourceMappingCommandInput } from "@aws-sdk/client-lambda";

export interface MappingInput {
  functionName: string;
  queueArn: string;
}

export function eventSourceMapping(input: MappingInput): CreateEventSourceMappingCommandInput {
  // TODO: the four settings above.
  return { FunctionName: input.functionName, EventSourceArn: input.queueArn };
}
