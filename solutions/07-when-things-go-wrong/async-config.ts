/**
 * Lab 07 — the function's asynchronous invocation settings: how often Lambda
 * retries a failed event, how old an event may get, and where the events
 * that still failed go (README "Retries and the on-failure destination").
 */
import type { PutFunctionEventInvokeConfigCommandInput } from "@aws-sdk/client-lambda";

export function asyncInvokeConfig(input: { functionName: string; failureQueueArn: string }): PutFunctionEventInvokeConfigCommandInput {
  return {
    FunctionName: input.functionName,
    // One retry: a transient failure gets a second chance, a poison object is attempted twice, then parked.
    MaximumRetryAttempts: 1,
    // An order older than an hour is stale: send it to the failure queue rather than apply it late.
    MaximumEventAgeInSeconds: 3600,
    DestinationConfig: { OnFailure: { Destination: input.failureQueueArn } },
  };
}
