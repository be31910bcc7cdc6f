/**
 * 1 KiB PutObject: sequential latency and 16-client throughput, through the
 * real S3 client, against the local cloud and against the do-nothing server
 * (which the SDK accepts as a successful PutObject).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { clientConfig, median, percentile, runConcurrent, type Row } from "../lib.js";

const body = Buffer.alloc(1024, 97);

async function measure(endpoint: string, bucket: string, sequential: number, parallel: number) {
  const s3 = new S3Client({ ...clientConfig(endpoint), maxAttempts: 1 });
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `warm/${i}`, Body: body }));
  for (let i = 0; i < sequential; i++) {
    const t = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `seq/${i}`, Body: body }));
    lat.push(performance.now() - t);
  }
  const elapsed = await runConcurrent(parallel, 16, async (i) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `par/${i}`, Body: body }));
  });
  s3.destroy();
  return { p50: median(lat), p95: percentile(lat, 95), throughput: (parallel / elapsed) * 1000 };
}

export async function s3PutScenario(cloudEndpoint: string, baselineEndpoint: string, enforcementNote = ""): Promise<Row[]> {
  const s3 = new S3Client(clientConfig(cloudEndpoint));
  const bucket = `bench-put-${Date.now()}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  s3.destroy();
  const cloud = await measure(cloudEndpoint, bucket, 300, 2000);
  const base = await measure(baselineEndpoint, bucket, 300, 2000);
  const ratio = cloud.throughput / base.throughput;
  return [
    { figure: "1 KiB PutObject latency p50 (sequential)", value: cloud.p50, unit: "ms", baseline: base.p50 },
    { figure: "1 KiB PutObject latency p95 (sequential)", value: cloud.p95, unit: "ms", baseline: base.p95 },
    {
      figure: "1 KiB PutObject throughput, 16 clients",
      value: cloud.throughput,
      unit: "req/s",
      baseline: base.throughput,
      target: "≥ 50% of do-nothing",
      met: ratio >= 0.5,
      note: enforcementNote,
    },
  ];
}
