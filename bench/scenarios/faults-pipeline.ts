/**
 * Lab 07's pipeline under faults (issue 18, "Done when"): the reference
 * solution provisioned through the kit as the guided run does (versioned
 * bucket, balances table, failure queue, the handler, its async config), then
 * 500 orders with the local cloud's fault switch on for this namespace: 20 %
 * of S3's deliveries duplicated, all reordered within 300 ms, 10 % SlowDown on
 * GetObject, 10 % throughput errors on DynamoDB, 10 % throttled invocations.
 * Measured: time from the first PutObject until every balance is exact (or
 * explained by records in the failure queue), the faults injected, and
 * orders lost or applied twice (must be 0). Also `grade 07 --solution`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { Row } from "../lib.js";
import { root } from "../lib.js";
import { createClients } from "../../src/kit/clients.js";
import { Ledger } from "../../src/kit/ledger.js";
import { localTargetAt } from "../../src/kit/target.js";
import { namespaceFor } from "../../src/kit/names.js";
import { cleanupEntries } from "../../src/kit/cleanup.js";
import type { KitContext } from "../../src/kit/context.js";
import { FaultsApi } from "../../src/kit/faults.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { connectTrigger, createExecutionRole, createPipeline, deployFunction, packageOrderHandler, peekFailures, readBalances } from "../../labs/07-when-things-go-wrong/support.js";
import { body, expectedBalances, orderBatch } from "../../labs/07-when-things-go-wrong/test-data.js";
import { asyncInvokeConfig } from "../../solutions/07-when-things-go-wrong/async-config.js";

const ORDERS = 500;
const TARGET_MS = 30_000;

export async function faultsPipelineScenario(endpoint: string): Promise<Row[]> {
  const target = localTargetAt(endpoint);
  const clients = createClients(target);
  const ledger = new Ledger(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-")), "ledger.json"));
  const names = namespaceFor("07", "bench");
  const ns = names.namespace;
  const ctx: KitContext = { target, clients, ledger, lab: "07", names, by: "guided", status: () => {}, log: () => {} };
  const faults = new FaultsApi(endpoint, target.region, target.credentials);
  const rows: Row[] = [];
  try {
    const solutionDir = path.join(root, "solutions", "07-when-things-go-wrong");
    const [pipeline, pkg] = await Promise.all([createPipeline(ctx), packageOrderHandler(solutionDir)]);
    const role = await createExecutionRole(ctx, pipeline);
    const fn = await deployFunction(ctx, role.arn, pkg, pipeline);
    await connectTrigger(ctx, pipeline, fn);
    await clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ ...asyncInvokeConfig({ functionName: fn.name, failureQueueArn: pipeline.failureQueue.arn }), MaximumRetryAttempts: 2 }));
    await faults.add({ kind: "duplicate", service: "s3", prefix: ns, probability: 0.2, seed: 1 });
    await faults.add({ kind: "reorder", service: "s3", prefix: ns, windowMs: 300, seed: 2 });
    await faults.add({ kind: "error", service: "s3", operations: ["GetObject"], prefix: ns, probability: 0.1, seed: 3 });
    await faults.add({ kind: "error", service: "dynamodb", prefix: ns, probability: 0.1, seed: 4 });
    await faults.add({ kind: "throttle", prefix: ns, probability: 0.1, seed: 5 });

    const orders = orderBatch("bench", ORDERS, 20, 42);
    const expected = expectedBalances(orders);
    const started = performance.now();
    for (let i = 0; i < orders.length; i += 25) {
      await Promise.all(orders.slice(i, i + 25).map((o) => clients.s3.send(new PutObjectCommand({ Bucket: pipeline.bucket.name, Key: o.key, Body: body(o) }))));
    }
    const uploadedMs = performance.now() - started;
    let doneMs = NaN;
    let diff = { over: 0, under: 0 };
    const deadline = started + 120_000;
    while (performance.now() < deadline) {
      const balances = await readBalances(ctx, pipeline.table.name);
      diff = { over: 0, under: 0 };
      for (const [customer, want] of expected) {
        const got = balances.get(customer)?.balanceCents ?? 0;
        if (got > want) diff.over++;
        if (got < want) diff.under++;
      }
      if (diff.over === 0 && diff.under === 0) {
        doneMs = performance.now() - started;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const rules = await faults.list();
    const injected = Object.fromEntries(rules.map((r) => [r.kind === "error" ? `error:${r.service}` : r.kind, r.injected ?? 0]));
    const parked = (await peekFailures(ctx, pipeline.failureQueue.url)).length;
    rows.push(
      { figure: `${ORDERS} orders under faults → every balance exact`, value: doneMs, unit: "ms", target: `≤ ${TARGET_MS / 1000} s`, met: doneMs <= TARGET_MS, note: `PutObjects took ${uploadedMs.toFixed(0)} ms; injected ${Object.entries(injected).map(([k, v]) => `${k} ${v}`).join(", ")}` },
      { figure: "customers with a wrong balance (over / under)", value: diff.over + diff.under, unit: `of ${expected.size}`, target: "0", met: diff.over + diff.under === 0, note: `${diff.over} over (applied twice), ${diff.under} under; ${parked} record(s) in the failure queue` },
    );
  } finally {
    await faults.clear(ns).catch(() => 0);
    await cleanupEntries(clients, ledger, ledger.list({ namespace: ns })).catch(() => undefined);
  }

  const lab = await loadLab(findLab("07"));
  const t0 = performance.now();
  const report = await runGrade({ lab, target, clients, ledger, sourceDir: path.join(root, "solutions", "07-when-things-go-wrong"), source: "solution", participant: "bench" });
  const gradeMs = performance.now() - t0;
  rows.push({ figure: "grade 07 --solution (setup, 9 checks, cleanup)", value: gradeMs, unit: "ms", target: "≤ 60 s", met: gradeMs <= 60_000 && report.passed, note: `${report.summary.passed}/${report.summary.total} passed${report.passed ? "" : `; failing: ${report.checks.filter((c) => c.status !== "pass").map((c) => c.name).join(" | ")}`}` });
  clients.destroy();
  return rows;
}
