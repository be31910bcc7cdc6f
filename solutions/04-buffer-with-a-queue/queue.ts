/**
 * Lab 04 — reference solution: the upload queue's attributes.
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
  return {
    // A batch may wait in the window, then run for the whole function timeout: while it does, its
    // messages must stay invisible, or a second invocation gets them too. Window + timeout + a margin
    // (AWS advises 6× the timeout in production; here every retry of a failed file waits this long).
    VisibilityTimeout: String(input.functionTimeoutSeconds + input.batchingWindowSeconds + 1),
    // After 3 failed receives a message goes to the DLQ: one transient failure is retried, a poison file is parked.
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: input.deadLetterQueueArn, maxReceiveCount: 3 }),
  };
}
