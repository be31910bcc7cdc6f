/**
 * Lab 07 — the function's asynchronous invocation settings: how often Lambda
 * retries a failed event, how old an event may get, and where the events
 * that still failed go (README "Retries and the on-failure destination").
 */
import type { PutFunctionEventInvokeConfigCommandInput } from "@aws-sdk/client-lambda";

export function asyncInvokeConfig(input: { functionName: string; failureQueueArn: string }): PutFunctionEventInvokeConfigCommandInput {
  void input.failureQueueArn;
  return {
    FunctionName: input.functionName,
    // TODO 1: how many retries after a failed attempt? (MaximumRetryAttempts)
    // TODO 2: how old may an event get before Lambda gives up on it? (MaximumEventAgeInSeconds)
    // TODO 3: where does an event go when it still failed? (DestinationConfig.OnFailure)
    // AWS: https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html
  };
}
