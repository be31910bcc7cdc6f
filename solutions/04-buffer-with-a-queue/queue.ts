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
    // messages must stay invisible, or a second invocation gets them too. Twice the timeout, plus the window.
    VisibilityTimeout: String(2 * input.functionTimeoutSeconds + input.batchingWindowSeconds),
    // After 3 failed receives a message goes to the DLQ: one transient failure is retried, a poison file is parked.
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: input.deadLetterQueueArn, maxReceiveCount: 3 }),
  };
}
