/**
 * Waiting without fixed sleeps: poll a condition at a short interval until it
 * holds or a deadline passes, and retry an operation while AWS says "not yet"
 * (IAM propagation: a new role cannot be assumed by Lambda for a few seconds).
 * Locally things settle in milliseconds, so intervals start small and grow.
 */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}

export interface PollOptions {
  timeoutMs: number;
  /** First interval; grows by 1.5× up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  /** What we are waiting for, for the timeout message. */
  what: string;
  onWait?: (elapsedMs: number) => void;
}

/** Call `check` until it returns something other than undefined. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const started = Date.now();
  let interval = options.intervalMs ?? 50;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) throw new TimeoutError(`Timed out after ${(elapsed / 1000).toFixed(1)} s waiting for ${options.what}.`);
    options.onWait?.(elapsed);
    await sleep(Math.min(interval, options.timeoutMs - elapsed));
    interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 1000);
  }
}

/** Run `op`; while `isRetryable(error)` and time remains, wait and try again (IAM eventual consistency). */
export async function retryWhile<T>(op: () => Promise<T>, isRetryable: (err: unknown) => boolean, options: PollOptions): Promise<T> {
  const started = Date.now();
  let interval = options.intervalMs ?? 500;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      const elapsed = Date.now() - started;
      if (!isRetryable(err) || elapsed >= options.timeoutMs) throw err;
      options.onWait?.(elapsed);
      await sleep(interval);
      interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 3000);
    }
  }
}

/** The AWS error code of an SDK error (`name` in SDK v3), or undefined. */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === "object") {
    const e = err as { name?: string; Code?: string; code?: string };
    return e.Code ?? e.name ?? e.code;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
