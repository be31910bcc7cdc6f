/**
 * Start-up: from spawning `node bin/localcloud.mjs` to the first successful
 * ListBuckets, median of several launches; the do-nothing server's time to
 * its first answered request is the yardstick. The first launch also pays the
 * one-off esbuild transpile of src/cloud and is reported separately.
 */
import { S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";
import { clientConfig, median, spawnBaseline, spawnCloud, type Proc, type Row } from "../lib.js";

async function timeToFirstSuccess(spawnIt: () => Promise<Proc>, probe: (endpoint: string) => Promise<void>): Promise<number> {
  const proc = await spawnIt();
  try {
    const deadline = performance.now() + 10_000;
    let last: unknown;
    while (performance.now() < deadline) {
      try {
        await probe(proc.endpoint);
        return performance.now() - proc.spawnedAt;
      } catch (err) {
        last = err;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    throw new Error(`no successful answer within 10 s: ${(last as Error)?.message ?? last}`);
  } finally {
    await proc.stop();
  }
}

export async function startupScenario(runs = 7): Promise<Row[]> {
  const listBuckets = async (endpoint: string) => {
    const s3 = new S3Client(clientConfig(endpoint));
    await s3.send(new ListBucketsCommand({}));
    s3.destroy();
  };
  const plainGet = async (endpoint: string) => {
    const res = await fetch(endpoint);
    await res.arrayBuffer();
  };
  const first = await timeToFirstSuccess(() => spawnCloud(), listBuckets); // may include the transpile
  const cloud: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    cloud.push(await timeToFirstSuccess(() => spawnCloud(), listBuckets));
    base.push(await timeToFirstSuccess(() => spawnBaseline(), plainGet));
  }
  const value = median(cloud);
  return [
    { figure: `start-up to first ListBuckets (median of ${runs})`, value, unit: "ms", baseline: median(base), target: "≤ 250 ms", met: value <= 250 },
    { figure: "first launch after a source change", value: first, unit: "ms", note: "includes the one-off transpile" },
  ];
}
