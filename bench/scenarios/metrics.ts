/**
 * What the built-in CloudWatch metrics cost on the S3 → Lambda path
 * (issue 18). Two clouds started alike, one with built-in metrics (the
 * default) and one with LOCALCLOUD_BUILTIN_METRICS=off, each with the same
 * bucket → function → queue pipeline: every upload invokes the function
 * asynchronously (AWS/Lambda metrics, async ones included), which sends the
 * key to an SQS queue (AWS/SQS metrics) that the bench long-polls. Uploads
 * alternate between the clouds in small batches so this noisy machine's
 * drift hits both sides alike; then a burst of uploads per cloud is timed to
 * the last arrival. A last figure times BuiltinMetrics.record alone, in this
 * process: the part of any difference that is ours rather than noise.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { createFunctionFixture, triggerFromBucket } from "../function-fixture.js";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DEFAULT_ACCOUNT } from "../../src/cloud/core/constants.js";
import { Cloud } from "../../src/cloud/core/cloud.js";
import { BuiltinMetrics } from "../../src/cloud/core/metrics.js";
import { clientConfig, median, percentile, sleep, spawnCloud, type Proc, type Row } from "../lib.js";
import { QueueReceiver } from "../delivery.js";

const HANDLER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  for (const r of event.Records) await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: r.s3.object.key }));
};
`;
const ROUNDS = 20;
const PER_ROUND = 10;
const BURST = 200;

interface Pipeline {
  s3: S3Client;
  bucket: string;
  receiver: QueueReceiver;
  close(): Promise<void>;
}

async function pipeline(cloud: Proc, name: string): Promise<Pipeline> {
  const cfg = clientConfig(cloud.endpoint);
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const lambda = new LambdaClient(cfg);
  const iam = new IAMClient(cfg);
  const names = { fn: name, bucket: name };
  const { queueUrl, functionArn } = await createFunctionFixture({ s3, sqs, lambda, iam }, names, HANDLER);
  await triggerFromBucket({ s3, lambda }, names, functionArn);
  const receiver = new QueueReceiver(sqs, queueUrl, (body) => body);
  return {
    s3,
    bucket: name,
    receiver,
    async close() {
      await receiver.stop();
      for (const c of [s3, sqs, lambda, iam]) c.destroy();
    },
  };
}

/** PutObject response → the function's message in the queue, one upload at a time. */
async function oneByOne(p: Pipeline, prefix: string, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const key = `${prefix}-${i}`;
    await p.s3.send(new PutObjectCommand({ Bucket: p.bucket, Key: key, Body: "x" }));
    const responded = performance.now();
    const arrived = await p.receiver.waitFor(key, 10_000).catch(() => NaN);
    if (!Number.isNaN(arrived)) into.push(Math.max(0, arrived - responded));
  }
}

/** `count` uploads at once; ms until the last one's message arrived (NaN if some never did). */
async function burst(p: Pipeline, prefix: string, count: number): Promise<number> {
  const keys = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const started = performance.now();
  await Promise.all(keys.map((key) => p.s3.send(new PutObjectCommand({ Bucket: p.bucket, Key: key, Body: "x" }))));
  const arrivals = await Promise.all(keys.map((key) => p.receiver.waitFor(key, 30_000).catch(() => NaN)));
  return Math.max(...arrivals) - started;
}

/** µs per BuiltinMetrics.record call (the hot-path cost), on a throwaway in-memory cloud object. */
function recordCostMicros(): number {
  const cloud = new Cloud({ port: 0, host: "127.0.0.1", dataDir: null, iam: "off", timeScale: 1 / 60, logLevel: "error", logSink: () => {} });
  const metrics = new BuiltinMetrics(cloud);
  let stored = 0;
  metrics.attach({ ingest: (points) => void (stored += points.length) });
  // Kept dimension objects, as the services keep one per function, queue and topic.
  const dims = Array.from({ length: 8 }, (_, i) => ({ FunctionName: `fn-${i}` }));
  const run = (n: number) => {
    for (let i = 0; i < n; i++) metrics.record(DEFAULT_ACCOUNT, "us-east-1", "AWS/Lambda", "Duration", dims[i % 8]!, i % 100, "Milliseconds");
  };
  run(20_000);
  const n = 200_000;
  const t = performance.now();
  run(n);
  const micros = ((performance.now() - t) * 1000) / n;
  metrics.close();
  cloud.store.close();
  return micros;
}

export async function metricsScenario(): Promise<Row[]> {
  const on = await spawnCloud();
  const off = await spawnCloud([], { LOCALCLOUD_BUILTIN_METRICS: "off" });
  const name = `bench-metrics-${Date.now()}`;
  const pipes: Pipeline[] = [];
  try {
    const withMetrics = await pipeline(on, name);
    const without = await pipeline(off, name);
    pipes.push(withMetrics, without);
    // Warm both (first invocations start execution environments).
    await oneByOne(withMetrics, "warm", 3, []);
    await oneByOne(without, "warm", 3, []);
    const latOn: number[] = [];
    const latOff: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const [first, second] = r % 2 ? [without, withMetrics] : [withMetrics, without];
      await oneByOne(first, `r${r}`, PER_ROUND, first === withMetrics ? latOn : latOff);
      await oneByOne(second, `r${r}`, PER_ROUND, second === withMetrics ? latOn : latOff);
    }
    const burstOff = await burst(without, "burst", BURST);
    const burstOn = await burst(withMetrics, "burst", BURST);
    // The metrics really were there (and were not in the other cloud).
    await sleep(1500);
    const cw = (cloud: Proc) => new CloudWatchClient(clientConfig(cloud.endpoint));
    const invocations = async (cloud: Proc) => {
      const client = cw(cloud);
      const out = await client.send(
        new GetMetricStatisticsCommand({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: name }], StartTime: new Date(Date.now() - 3600_000), EndTime: new Date(Date.now() + 60_000), Period: 3600, Statistics: ["Sum"] }),
      );
      client.destroy();
      return (out.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
    };
    const countedOn = await invocations(on);
    const countedOff = await invocations(off);
    const p50On = median(latOn);
    const p50Off = median(latOff);
    const expected = 3 + ROUNDS * PER_ROUND + BURST;
    return [
      { figure: `S3 → Lambda → SQS p50, built-in metrics on (${latOn.length})`, value: p50On, unit: "ms", note: `p95 ${percentile(latOn, 95).toFixed(1)} ms` },
      { figure: `S3 → Lambda → SQS p50, LOCALCLOUD_BUILTIN_METRICS=off (${latOff.length})`, value: p50Off, unit: "ms", note: `p95 ${percentile(latOff, 95).toFixed(1)} ms` },
      { figure: "metrics overhead (p50, on vs off)", value: ((p50On - p50Off) / p50Off) * 100, unit: "%", target: "< 10%", met: (p50On - p50Off) / p50Off < 0.1 },
      { figure: `${BURST} uploads at once → last message, metrics on`, value: burstOn, unit: "ms" },
      { figure: `${BURST} uploads at once → last message, metrics off`, value: burstOff, unit: "ms" },
      { figure: "BuiltinMetrics.record alone (in process; an invocation makes 15)", value: recordCostMicros(), unit: "µs" },
      // At least one per upload: a retried invocation (a handler timing out on a loaded machine) counts again, as on AWS.
      { figure: "AWS/Lambda Invocations counted (on / off cloud)", value: countedOn, unit: "invocations", target: `≥ ${expected} / 0`, met: countedOn >= expected && countedOff === 0, note: `off cloud: ${countedOff}` },
    ];
  } finally {
    for (const p of pipes) await p.close();
    await on.stop();
    await off.stop();
  }
}
