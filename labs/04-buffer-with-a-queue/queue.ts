/**
 * Lab 04 — your queue settings: the attributes of the queue that buffers the
 * S3 events between the bucket and the function (README "Steps" 1).
 *
 * Two decisions:
 *   - VisibilityTimeout (seconds, a string): while an invocation works on a
 *     batch, its messages are invisible; when the timeout ends they are
 *     delivered again. Measure it against the function: a batch may wait up to
 *     the batching window and then run for the whole function timeout. Too
 *     short and a slow batch is processed twice (AWS refuses a mapping whose
 *     queue's timeout is below the function's); AWS advises 6× the function
 *     timeout in production — this lab's grader waits out every retry, so keep
 *     it between the function timeout + window and a few times that.
 *   - RedrivePolicy (a JSON string): after maxReceiveCount receives a message
 *     goes to the dead-letter queue instead of being retried forever — enough
 *     tries for a passing glitch (at least 2), few enough that a poison file is
 *     parked quickly (this lab: at most 5).
 *
 * AWS: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
 *      https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
export interface QueueInput {
  /** The function's timeout (seconds). */
  functionTimeoutSeconds: number;
  /** The mapping's MaximumBatchingWindowInSeconds (mapping.ts). */
  batchingWindowSeconds: number;
  /** The dead-letter queue's ARN. */
  deadLetterQueueArn: string;
}

export function queueAttributes(input: QueueInput): Record<string, string> {
  void input;
  // TODO: VisibilityTimeout and RedrivePolicy (see above).
  return {};
}
