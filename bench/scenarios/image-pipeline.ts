/**
 * Lab 03's pipeline under load (issue 7, "Done when"): the reference
 * solution provisioned through the kit exactly as the guided run does (role
 * with the least-privilege policy, on-demand table, topic → queue, the
 * handler bundled with sharp, permission, three filters), then 100 uploads of
 * 1000×800 JPEGs. Measured: time from the first PutObject until all 100
 * thumbnails, 100 items and 100 SNS messages (read from the subscribed
 * queue) exist, and how many were lost or duplicated. Also the wall time of
 * `npm run grade -- 03 --solution` (setup → 13 checks → cleanup) in-process.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import sharp from "sharp";
import type { Row } from "../lib.js";
import { root } from "../lib.js";
import { createClients } from "../../src/kit/clients.js";
import { Ledger } from "../../src/kit/ledger.js";
import { localTargetAt } from "../../src/kit/target.js";
import { namespaceFor } from "../../src/kit/names.js";
import { cleanupEntries } from "../../src/kit/cleanup.js";
import type { KitContext } from "../../src/kit/context.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { AnnouncementReader, createExecutionRole, createTableTopicAndQueue, deployFunction, packageImageHandler, scanItems } from "../../labs/03-the-image-pipeline/support.js";
import * as policy from "../../solutions/03-the-image-pipeline/policy.js";
import { notificationConfiguration } from "../../solutions/03-the-image-pipeline/notification.js";

const UPLOADS = 100;
const TARGET_MS = 10_000;

export async function imagePipelineScenario(endpoint: string): Promise<Row[]> {
  const target = localTargetAt(endpoint);
  const clients = createClients(target);
  const ledger = new Ledger(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-ledger-")), "ledger.json"));
  const names = namespaceFor("03", "bench");
  const ctx: KitContext = { target, clients, ledger, lab: "03", names, by: "guided", status: () => {}, log: () => {} };
  const rows: Row[] = [];
  try {
    const solutionDir = path.join(root, "solutions", "03-the-image-pipeline");
    const [bucket, rest, pkg] = await Promise.all([createBucket(ctx, names.resource("images")), createTableTopicAndQueue(ctx), packageImageHandler(solutionDir)]);
    const targets = { bucketName: bucket.name, tableArn: rest.table.arn, topicArn: rest.topic.arn, functionName: names.resource("thumbnailer"), region: target.region, accountId: target.account };
    const role = await createExecutionRole(ctx, policy.trustPolicy(), policy.executionPolicy(targets));
    const fn = await deployFunction(ctx, role.arn, pkg, rest);
    await addPermission(ctx, policy.invokePermission({ functionName: fn.name, bucketName: bucket.name, accountId: target.account }));
    await putNotifications(ctx, bucket.name, notificationConfiguration({ functionArn: fn.arn }));
    await new AnnouncementReader(ctx, rest.queue.url).receiveOnce(1); // nothing expected; warms the client

    const photo = await sharp({ create: { width: 1000, height: 800, channels: 3, background: { r: 40, g: 120, b: 200 } } }).jpeg({ quality: 85 }).toBuffer();
    const reader = new AnnouncementReader(ctx, rest.queue.url);
    const started = performance.now();
    await Promise.all(Array.from({ length: UPLOADS }, (_, i) => clients.s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: `uploads/bench/photo-${i}.jpg`, Body: photo, ContentType: "image/jpeg" }))));
    const uploadedMs = performance.now() - started;
    let thumbs = 0;
    let items = 0;
    let doneMs = NaN;
    const deadline = started + 60_000;
    while (performance.now() < deadline) {
      await reader.receiveOnce(1);
      const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket.name, Prefix: "thumbnails/bench/" }));
      thumbs = listed.KeyCount ?? 0;
      items = (await scanItems(ctx, rest.table.name)).length;
      if (thumbs >= UPLOADS && items >= UPLOADS && reader.seen.length >= UPLOADS) {
        doneMs = performance.now() - started;
        break;
      }
    }
    await reader.receiveOnce(1); // a late duplicate would show here
    const keys = reader.seen.map((a) => (typeof a.message === "object" ? String(a.message.key) : ""));
    const distinct = new Set(keys).size;
    rows.push(
      { figure: `${UPLOADS} uploads (1000×800 JPEG) → thumbnails, items, SNS messages`, value: doneMs, unit: "ms", target: `≤ ${TARGET_MS / 1000} s`, met: doneMs <= TARGET_MS, note: `PutObjects took ${uploadedMs.toFixed(0)} ms` },
      { figure: "thumbnails / items / messages", value: Math.min(thumbs, items, distinct), unit: `of ${UPLOADS}`, target: "0 lost", met: thumbs === UPLOADS && items === UPLOADS && distinct === UPLOADS, note: `${thumbs} / ${items} / ${reader.seen.length} (${reader.seen.length - distinct} duplicated)` },
    );
  } finally {
    await cleanupEntries(clients, ledger, ledger.list({ namespace: names.namespace })).catch(() => undefined);
  }

  // The grader on the reference solution, as `npm run grade -- 03 --solution` runs it.
  const lab = await loadLab(findLab("03"));
  const t0 = performance.now();
  const report = await runGrade({ lab, target, clients, ledger, sourceDir: path.join(root, "solutions", "03-the-image-pipeline"), source: "solution", participant: "bench" });
  const gradeMs = performance.now() - t0;
  rows.push({ figure: "grade 03 --solution (setup, 13 checks, cleanup)", value: gradeMs, unit: "ms", target: "≤ 45 s", met: gradeMs <= 45_000 && report.passed, note: `${report.summary.passed}/${report.summary.total} passed${report.passed ? "" : `; failing: ${report.checks.filter((c) => c.status !== "pass").map((c) => c.name).join(" | ")}`}` });
  clients.destroy();
  return rows;
}
