/**
 * Measuring event delivery: a receiver that long-polls an SQS queue and notes
 * when each object key arrives, and a driver that uploads objects one at a
 * time (latency: PutObject response → message received) and then in a burst
 * (counting lost and duplicated messages). Shared by every "S3 → … → SQS"
 * scenario; `keyOf` digs the object key out of whatever envelope arrives.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { median, percentile, sleep } from "./lib.js";

export class QueueReceiver {
  readonly arrivals = new Map<string, number[]>();
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private waiters = new Map<string, () => void>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly keyOf: (body: string) => string | undefined,
    concurrency = 3,
  ) {
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let out;
      try {
        out = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      } catch {
        if (!this.running) return;
        await sleep(20);
        continue;
      }
      const now = performance.now();
      const messages = out.Messages ?? [];
      for (const m of messages) {
        const key = this.keyOf(m.Body ?? "");
        if (!key) continue;
        const list = this.arrivals.get(key) ?? [];
        list.push(now);
        this.arrivals.set(key, list);
        this.waiters.get(key)?.();
      }
      if (messages.length) {
        await this.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
  }

  /** Resolves with the arrival time of `key` (or rejects after timeoutMs). */
  waitFor(key: string, timeoutMs = 5000): Promise<number> {
    const seen = this.arrivals.get(key);
    if (seen) return Promise.resolve(seen[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        reject(new Error(`no message for ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(key, () => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(this.arrivals.get(key)![0]!);
      });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
  }
}

export interface DeliveryFigures {
  p50: number;
  p95: number;
  sent: number;
  lost: number;
  duplicated: number;
}

/**
 * `upload(key)` performs the upload and resolves when its response arrived.
 * Sequential phase: `sequential` uploads, each waited for. Burst: `burst`
 * uploads in parallel; then we wait for the stragglers and count.
 */
export async function measureDelivery(
  receiver: QueueReceiver,
  upload: (key: string) => Promise<void>,
  prefix: string,
  sequential = 100,
  burst = 200,
  settleMs = 10_000,
): Promise<DeliveryFigures> {
  const lat: number[] = [];
  for (let i = 0; i < sequential; i++) {
    const key = `${prefix}seq-${i}.txt`;
    await upload(key);
    const responded = performance.now();
    const arrived = await receiver.waitFor(key).catch(() => NaN);
    if (!Number.isNaN(arrived)) lat.push(Math.max(0, arrived - responded));
  }
  const burstKeys = Array.from({ length: burst }, (_, i) => `${prefix}burst-${i}.txt`);
  await Promise.all(burstKeys.map((k) => upload(k)));
  const all = [...Array.from({ length: sequential }, (_, i) => `${prefix}seq-${i}.txt`), ...burstKeys];
  const deadline = Date.now() + settleMs;
  while (Date.now() < deadline && all.some((k) => !receiver.arrivals.has(k))) await sleep(20);
  await sleep(300); // give duplicates, if any, a chance to show up
  const lost = all.filter((k) => !receiver.arrivals.has(k)).length;
  const duplicated = all.reduce((n, k) => n + Math.max(0, (receiver.arrivals.get(k)?.length ?? 0) - 1), 0);
  return { p50: median(lat), p95: percentile(lat, 95), sent: all.length, lost, duplicated };
}
