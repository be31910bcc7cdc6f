/**
 * Lambda figures: the runtime's cold start (a fresh execution environment:
 * process spawned → handler loaded → first answer), a warm Invoke through the
 * API (RequestResponse round trip, beside a do-nothing round trip), and the
 * whole S3 → Lambda pipeline: the function, triggered by a PutObject, sends
 * the key and the moment its handler started to an SQS queue with its own
 * role's credentials. Two figures come out of that: PutObject response →
 * handler start (both clocks are performance.timeOrigin + now(), the same
 * wall clock to a fraction of a millisecond on one machine), and the whole
 * trip to the queue, which adds the handler's SDK call and IAM evaluation.
 * A 500-upload burst then counts lost and duplicated invocations.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { createFunctionFixture, triggerFromBucket } from "../function-fixture.js";
import { measureColdStart, sandboxStatus } from "../../src/cloud/services/lambda/runtime/index.js";
import { clientConfig, median, percentile, type Row } from "../lib.js";
import { measureDelivery, QueueReceiver } from "../delivery.js";

const HANDLER = `
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
const sqs = new SQSClient({});
export const handler = async (event) => {
  if (!event.Records) return { pong: true };
  const started = performance.timeOrigin + performance.now();
  for (const r of event.Records) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, " "));
    await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: JSON.stringify({ key, started }) }));
  }
};
`;

/** Issue 3: 500 uploads → 500 invocations. */
const BURST = 500;

export async function coldStartRows(): Promise<Row[]> {
  // Sandboxed (bubblewrap, where it works) and unsandboxed, interleaved so both see the same machine load.
  const status = await sandboxStatus();
  const sandboxed = status.mode === "bwrap";
  const modes = sandboxed ? (["auto", "off"] as const) : (["off"] as const);
  const runs = { auto: [] as Array<Awaited<ReturnType<typeof measureColdStart>>>, off: [] as Array<Awaited<ReturnType<typeof measureColdStart>>> };
  for (let i = 0; i < 5; i++) for (const mode of modes) runs[mode].push(await measureColdStart({ sandbox: mode }));
  const rows: Row[] = [];
  for (const mode of modes) {
    const label = mode === "auto" ? "sandboxed, bwrap" : sandboxed || (status.mode === "none" && status.forcedOff) ? "unsandboxed, LOCALCLOUD_SANDBOX=off" : "unsandboxed: no bwrap here";
    const init = runs[mode].map((r) => r.initDurationMs);
    const first = runs[mode].map((r) => r.firstInvokeMs);
    rows.push(
      { figure: `cold start: Init Duration (${label}, median of 5)`, value: median(init), unit: "ms", note: `max ${Math.max(...init).toFixed(0)} ms` },
      { figure: `cold start: first invocation wall time (${label}, median)`, value: median(first), unit: "ms", target: "≤ 300 ms", met: median(first) <= 300 },
    );
  }
  return rows;
}

export async function lambdaScenario(endpoint: string, roundTrip: number): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const lambda = new LambdaClient(cfg);
  const iam = new IAMClient(cfg);
  const stamp = Date.now();
  const name = `bench-fn-${stamp}`;
  const bucket = `bench-fn-${stamp}`;
  try {
    const names = { fn: name, bucket };
    const { queueUrl: QueueUrl, functionArn } = await createFunctionFixture({ s3, sqs, lambda, iam }, names, HANDLER);
    const invokeOnce = async () => {
      const t = performance.now();
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode("{}") }));
      if (out.FunctionError) throw new Error(`function error: ${new TextDecoder().decode(out.Payload)}`);
      return performance.now() - t;
    };
    const coldApi = await invokeOnce();
    const warm: number[] = [];
    for (let i = 0; i < 200; i++) warm.push(await invokeOnce());

    await triggerFromBucket({ s3, lambda }, names, functionArn);
    // The handler's start time for each key (first invocation wins) and each PutObject's response time.
    const handlerStart = new Map<string, number>();
    const responded = new Map<string, number>();
    const receiver = new QueueReceiver(sqs, QueueUrl!, (body) => {
      const { key, started } = JSON.parse(body) as { key: string; started: number };
      if (!handlerStart.has(key)) handlerStart.set(key, started);
      return key;
    });
    let pipeline;
    try {
      pipeline = await measureDelivery(receiver, async (key) => {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x" }));
        responded.set(key, performance.timeOrigin + performance.now());
      }, "bench/", 100, BURST, 60_000);
    } finally {
      await receiver.stop();
    }
    // Sequential uploads only: in the burst, the queueing behind 15 other uploads is the client's.
    const toStart = [...responded].filter(([k]) => k.includes("/seq-") && handlerStart.has(k)).map(([k, t]) => handlerStart.get(k)! - t);
    return [
      { figure: "Invoke, first (cold, via API)", value: coldApi, unit: "ms" },
      { figure: "Invoke, warm p50", value: median(warm), unit: "ms", baseline: roundTrip },
      { figure: "Invoke, warm p95", value: percentile(warm, 95), unit: "ms", baseline: roundTrip },
      // Negative would mean the handler started before the PutObject response reached the client (S3 emits on commit).
      { figure: "PutObject response → handler start p50 (warm)", value: median(toStart), unit: "ms", baseline: roundTrip, target: "≤ 15 ms", met: median(toStart) <= 15 },
      { figure: "PutObject response → handler start p95 (warm)", value: percentile(toStart, 95), unit: "ms", baseline: roundTrip, target: "≤ 50 ms", met: percentile(toStart, 95) <= 50 },
      { figure: "S3 → Lambda → SQS p50 (handler sends with its role)", value: pipeline.p50, unit: "ms", baseline: roundTrip },
      { figure: "S3 → Lambda → SQS p95", value: pipeline.p95, unit: "ms", baseline: roundTrip },
      {
        figure: `uploads → invocations: lost of ${pipeline.sent} (100 one by one + ${BURST} at once)`,
        value: pipeline.lost,
        unit: "lost",
        target: "0 lost",
        met: pipeline.lost === 0 && pipeline.duplicated === 0,
        note: `${pipeline.duplicated} duplicated`,
      },
    ];
  } finally {
    for (const c of [s3, sqs, lambda, iam]) c.destroy();
  }
}
