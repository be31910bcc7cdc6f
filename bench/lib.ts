/**
 * Shared machinery of the benchmark: starting the local cloud and the
 * do-nothing server as separate processes (as a learner runs them), timing,
 * percentiles, and the report table with ratios.
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface Proc {
  endpoint: string;
  child: ChildProcess;
  /** ms from spawn until the process printed its endpoint */
  spawnedAt: number;
  stop(): Promise<void>;
}

/** Spawn a process and resolve once it prints an http://127.0.0.1:<port> URL. */
function spawnUntilUrl(args: string[], env: NodeJS.ProcessEnv = {}, removeOnStop?: string): Promise<Proc> {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve({
          endpoint: `http://127.0.0.1:${m[1]}`,
          child,
          spawnedAt,
          stop: () =>
            new Promise<void>((done) => {
              const finish = () => {
                if (removeOnStop) fs.rmSync(removeOnStop, { recursive: true, force: true });
                done();
              };
              if (child.exitCode !== null) return finish();
              child.once("exit", finish);
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout!.on("data", onData);
    let err = "";
    child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
    child.once("exit", (code) => reject(new Error(`process exited (${code}) before listening: ${err || out}`)));
  });
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
}

/** The local cloud as `npm run cloud` starts it, on a free port, with a fresh data dir. */
export function spawnCloud(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Proc> {
  const dataDir = tempDir("cloud"); // removed when the cloud stops: a run leaves nothing in the temp dir
  return spawnUntilUrl(["bin/localcloud.mjs", "--port", "0", "--data-dir", dataDir, "--log-level", "error", "--credentials", "test:test", ...extraArgs], env, dataDir);
}

export function spawnBaseline(): Promise<Proc> {
  return spawnUntilUrl(["bench/do-nothing-server.mjs"]);
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export const median = (values: number[]) => percentile(values, 50);

export interface Row {
  figure: string;
  value: number;
  unit: string;
  /** The same measurement against the do-nothing server, when there is one. */
  baseline?: number;
  /** The target, as text, and whether it was met. */
  target?: string;
  met?: boolean;
  note?: string;
}

export function printRows(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? "—" : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
  const lines = rows.map((r) => [
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === undefined ? "" : `${fmt(r.baseline)} ${r.unit}`,
    r.baseline === undefined || !r.baseline ? "" : `×${(r.value / r.baseline).toFixed(2)}`,
    r.target ? `${r.met ? "✔" : "✘"} ${r.target}` : "",
    r.note ?? "",
  ]);
  const header = ["figure", "local cloud", "do-nothing", "ratio", "target", "note"];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const show = (cols: string[]) => "  " + cols.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(show(header));
  console.log(show(widths.map((w) => "-".repeat(w))));
  for (const l of lines) console.log(show(l));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Run `count` tasks with `concurrency` workers; returns elapsed ms. */
export async function runConcurrent(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return performance.now() - started;
}

export const clientConfig = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  // The administrator's credentials the bench clouds are started with (spawnCloud); they verify signatures.
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  forcePathStyle: true,
});

/**
 * 1 KiB PutObject latencies on two clouds with one setting different (IAM
 * enforced vs off, signatures verified vs --auth any): both warmed up, then
 * batches alternating which side goes first, so neither always follows the
 * other's GC. Returns each side's samples (ms).
 */
export async function pairedPutObjectTimes(a: S3Client, b: S3Client, bucket: string, batches = 16, batch = 25): Promise<{ a: number[]; b: number[] }> {
  const body = Buffer.alloc(1024, 1);
  const putBatch = async (s3: S3Client, from: number, into: number[]) => {
    for (let i = from; i < from + batch; i++) {
      const t = performance.now();
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: body }));
      into.push(performance.now() - t);
    }
  };
  await putBatch(a, 0, []); // warm-up both
  await putBatch(b, 0, []);
  const out = { a: [] as number[], b: [] as number[] };
  for (let n = 0; n < batches; n++) {
    const order: Array<"a" | "b"> = n % 2 === 0 ? ["a", "b"] : ["b", "a"];
    for (const side of order) await putBatch(side === "a" ? a : b, n * batch, out[side]);
  }
  return out;
}
