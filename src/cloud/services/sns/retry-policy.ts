/**
 * SNS's delivery retry policies (SNS developer guide "Amazon SNS message
 * delivery retries"; aws-behavior.md §12), as delays before each retry in
 * AWS time — the caller scales them with the cloud's clock (cloud.scaled),
 * the same 1/60 that turns Lambda's one-minute async retry into a second.
 *
 * - AWS-managed endpoints (SQS, Lambda): 3 retries at once, 2 one second
 *   apart, 10 with exponential back-off from 1 s to 20 s, then 100,000 at
 *   20 s (100,015 attempts over 23 days).
 * - Client-side errors (the endpoint is gone, its policy denies SNS) are not
 *   retried: the message goes to the subscription's dead-letter queue at once.
 *
 * By design: locally the 100,000 attempts at 20 s are cut to
 * LOCAL_EXTRA_ATTEMPTS, so a delivery that keeps failing reaches the
 * dead-letter queue after the first three phases plus a few — about three
 * minutes of AWS time (≈ 3 s at the default time scale 1/60) instead of 23 days.
 */

/** AWS-time delays (ms) before each retry of an SQS or Lambda delivery; its length is the number of retries. */
export function awsManagedRetryDelays(extraAtMax = LOCAL_EXTRA_ATTEMPTS): number[] {
  const delays: number[] = [0, 0, 0, 1000, 1000];
  // 10 retries, exponential from 1 s to 20 s: 1 s · (20)^(i/9).
  for (let i = 0; i < 10; i++) delays.push(Math.round(1000 * Math.pow(20, i / 9)));
  for (let i = 0; i < extraAtMax; i++) delays.push(20_000);
  return delays;
}

/** How many of AWS's 100,000 attempts at 20 s the local cloud makes before giving up. */
export const LOCAL_EXTRA_ATTEMPTS = 5;
