/**
 * Lab 04's pipeline under load (issue 15, "Done when"): the reference
 * solution provisioned through the kit as the guided run does (bucket, DLQ,
 * queue with the solution's attributes, queue policy, notification, a
 * Serverless v2 cluster through the Data API, the schema, role, function and
 * event source mapping), then 200 CSV uploads at once. Measured: time from the
 * first PutObject until every row is in the table, and how many rows were
 * lost or duplicated (target ≤ 10 s, 0 and 0). Everything is cleaned up.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { Row } from "../lib.js";
import { root } from "../lib.js";
import { createClients } from "../../src/kit/clients.js";
import { Ledger } from "../../src/kit/ledger.js";
import { localTargetAt } from "../../src/kit/target.js";
import { namespaceFor } from "../../src/kit/names.js";
import { cleanupEntries } from "../../src/kit/cleanup.js";
import type { KitContext } from "../../src/kit/context.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { createQueue, setQueuePolicy } from "../../src/kit/resources/sqs.js";
import { provisionDatabase } from "../../labs/04-buffer-with-a-queue/database.js";
import { createExecutionRole, createMapping, deployFunction, FUNCTION_TIMEOUT_SECONDS, notificationFor, packageLoader, queuePolicy, Sql } from "../../labs/04-buffer-with-a-queue/support.js";
import { bulkFiles } from "../../labs/04-buffer-with-a-queue/test-data.js";
import { queueAttributes } from "../../solutions/04-buffer-with-a-queue/queue.js";
import { eventSourceMapping } from "../../solutions/04-buffer-with-a-queue/mapping.js";
import { schemaStatements } from "../../solutions/04-buffer-with-a-queue/schema.js";

const UPLOADS = 200;
const TARGET_MS = 10_000;

export async function queuePipelineScenario(endpoint: string): Promise<Row[]> {
  const target = localTargetAt(endpoint);
  const clients = createClients(target);
  const ledger = new Ledger(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-")), "ledger.json"));
  const names = namespaceFor("04", "bench");
  const ctx: KitContext = { target, clients, ledger, lab: "04", names, by: "guided", status: () => {}, log: () => {} };
  const rows: Row[] = [];
  let sql: Sql | undefined;
  try {
    const solutionDir = path.join(root, "solutions", "04-buffer-with-a-queue");
    const t0 = performance.now();
    const [bucket, dlq, db, pkg] = await Promise.all([createBucket(ctx, names.resource("uploads")), createQueue(ctx, names.resource("uploads-dlq")), provisionDatabase(ctx, { reuse: false }), packageLoader(solutionDir)]);
    rows.push({ figure: "lab 04 set-up (bucket, DLQ, cluster, bundle)", value: performance.now() - t0, unit: "ms" });
    const mapping = (queueArn: string, functionName: string) => eventSourceMapping({ functionName, queueArn });
    const window = Number(mapping("x", "x").MaximumBatchingWindowInSeconds ?? 0);
    const queue = await createQueue(ctx, names.resource("uploads-queue"), queueAttributes({ functionTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS, batchingWindowSeconds: window, deadLetterQueueArn: dlq.arn }));
    await setQueuePolicy(ctx, queue, queuePolicy(queue.arn, bucket.name, target.account));
    await putNotifications(ctx, bucket.name, notificationFor(queue.arn));
    sql = new Sql(ctx, db);
    for (const statement of schemaStatements()) await sql.run(statement);
    const role = await createExecutionRole(ctx, { bucketName: bucket.name, clusterArn: db.clusterArn, secretArn: db.secretArn });
    const fn = await deployFunction(ctx, role.arn, pkg, db);
    await createMapping(ctx, mapping(queue.arn, fn.name));

    const files = bulkFiles(UPLOADS);
    const want = files.reduce((n, f) => n + f.rows.length, 0);
    const started = performance.now();
    for (let i = 0; i < files.length; i += 25) {
      await Promise.all(files.slice(i, i + 25).map((f) => clients.s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: f.key, Body: f.body }))));
    }
    const uploadedMs = performance.now() - started;
    let doneMs = NaN;
    let count = 0;
    let distinct = 0;
    const deadline = started + 60_000;
    while (performance.now() < deadline) {
      const [r] = await sql.run("SELECT count(*)::text, count(DISTINCT (source_key, row_number))::text FROM orders");
      count = Number(r?.[0]?.stringValue);
      distinct = Number(r?.[1]?.stringValue);
      if (distinct >= want) {
        doneMs = performance.now() - started;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    rows.push({ figure: `${UPLOADS} CSV uploads (PutObject, 25 at a time)`, value: uploadedMs, unit: "ms" });
    rows.push({ figure: `${UPLOADS} uploads → all ${want} rows loaded`, value: doneMs, unit: "ms", target: `≤ ${TARGET_MS / 1000} s`, met: doneMs <= TARGET_MS });
    rows.push({ figure: "rows lost", value: want - distinct, unit: "", target: "0", met: want === distinct });
    rows.push({ figure: "rows duplicated", value: count - distinct, unit: "", target: "0", met: count === distinct });
  } finally {
    sql?.close();
    await cleanupEntries(clients, ledger, ledger.list({ namespace: names.namespace })).catch(() => undefined);
    clients.destroy();
  }
  return rows;
}
