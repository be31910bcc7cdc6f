/**
 * Lab 03's reference handler in the local cloud's real Lambda runtime, with
 * IAM enforced and the role built from the reference least-privilege policy,
 * independent of the grader (the self-check runs the grader end to end): the
 * zip carries sharp for linux-x64 and it loads in the runtime; events are
 * delivered by direct invokes only, so this needs no S3 notifications or SQS.
 * Proves: thumbnails and items for an EXIF-rotated JPEG, a transparent PNG
 * and a key with spaces; a duplicate and an older sequencer are no-ops that
 * succeed; a batch with a corrupt record processes the good one and fails
 * loudly; a key outside uploads/ is skipped; and the grader's REPORT-line
 * count matches the invocations made.
 */
import { afterAll, describe, expect, it } from "vitest";
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { startTestCloud } from "../helpers/cloud.js";
import { explainSkip, kitSession, probeFeatures } from "./helpers.js";
import { namespaceFor } from "../../src/kit/names.js";
import { cleanupEntries } from "../../src/kit/cleanup.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { createTopic } from "../../src/kit/resources/sns.js";
import type { KitContext } from "../../src/kit/context.js";
import * as policy from "../../solutions/03-the-image-pipeline/policy.js";
import { countInvocations, createExecutionRole, deployFunction, itemsFor, olderSequencer, packageImageHandler, s3PutRecord, scanItems, settledInvocations, waitForObject } from "../../labs/03-the-image-pipeline/support.js";
import { corruptBytes, expectedThumbnailKey, IMAGE_SET, inspectThumbnail, makeImageSet } from "../../labs/03-the-image-pipeline/images.js";
import { solutionsDir } from "../../src/kit/paths.js";
import * as path from "node:path";

const cloud = await startTestCloud();
const session = kitSession(cloud.endpoint);
const features = await probeFeatures(session.clients);
const skip = explainSkip("lab 03's handler in the Lambda runtime", features, ["s3", "dynamodb", "sns", "iam", "lambda", "logs"]);
const names = namespaceFor("03", "runtime");
const ctx: KitContext = { target: session.target, clients: session.clients, ledger: session.ledger, lab: "03", names, by: "grade", status: () => {}, log: () => {} };
afterAll(async () => {
  await cleanupEntries(session.clients, session.ledger, session.ledger.list({ namespace: names.namespace }));
  session.close();
  await cloud.close();
});

const picked = IMAGE_SET.filter((i) => ["uploads/rotated.jpg", "uploads/transparent.png", "uploads/holiday photos/beach day.jpg"].includes(i.key));

describe.skipIf(skip)("lab 03 reference handler in the Lambda runtime (IAM enforced)", () => {
  it("thumbnails, items, dedupe, batch isolation, the guard, and the invocation count", async () => {
    const [bucket, table, topic, images, pkg] = await Promise.all([
      createBucket(ctx, names.resource("images")),
      createTable(ctx, names.resource("metadata"), { partition: { AttributeName: "id", AttributeType: "S" } }),
      createTopic(ctx, names.resource("thumbnails")),
      makeImageSet(picked),
      packageImageHandler(path.join(solutionsDir, "03-the-image-pipeline")),
    ]);
    expect(pkg.files.some((f) => f.path.startsWith("node_modules/@img/sharp-linux-x64/"))).toBe(true);
    const targets = { bucketName: bucket.name, tableArn: table.arn, topicArn: topic.arn, functionName: names.resource("thumbnailer"), region: ctx.target.region, accountId: ctx.target.account };
    const role = await createExecutionRole(ctx, policy.trustPolicy(), policy.executionPolicy(targets));
    const fn = await deployFunction(ctx, role.arn, pkg, { table, topic });

    const record = async (key: string, sequencer: string) => {
      const head = await session.clients.s3.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }));
      return s3PutRecord({ region: ctx.target.region, account: ctx.target.account, bucket: bucket.name, key, size: head.ContentLength!, eTag: head.ETag!, sequencer });
    };
    const invoke = async (records: unknown[]) => {
      const out = await session.clients.lambda.send(new InvokeCommand({ FunctionName: fn.name, Payload: new TextEncoder().encode(JSON.stringify({ Records: records })) }));
      return { functionError: out.FunctionError, payload: new TextDecoder().decode(out.Payload) };
    };
    for (const img of picked) await session.clients.s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: img.key, Body: images.get(img.key)! }));
    const first = await Promise.all(picked.map(async (img, i) => invoke([await record(img.key, `00000000000000010${i}`)])));
    expect(first.map((r) => r.functionError)).toEqual(picked.map(() => undefined));
    for (const img of picked) {
      const thumb = await waitForObject(ctx, bucket.name, expectedThumbnailKey(img.key), 5000);
      expect(await inspectThumbnail(img, thumb.bytes, thumb.contentType), img.key).toEqual([]);
    }
    const items = await scanItems(ctx, table.name);
    expect(items).toHaveLength(picked.length);
    const beach = itemsFor(items, "uploads/holiday photos/beach day.jpg")[0]!;
    expect(beach).toMatchObject({ bucket: bucket.name, format: "jpeg", width: 640, height: 480, thumbnailKey: "thumbnails/holiday photos/beach day.jpg" });

    // A duplicate and an older event: succeed, change nothing.
    const dup = await invoke([await record(beach.key as string, beach.sequencer as string)]);
    const old = await invoke([await record(beach.key as string, olderSequencer(beach.sequencer as string))]);
    expect([dup.functionError, old.functionError]).toEqual([undefined, undefined]);
    expect(itemsFor(await scanItems(ctx, table.name), beach.key as string)).toEqual([beach]);

    // A corrupt record first, a good one second: the good one is done, the invocation fails loudly.
    await session.clients.s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: "uploads/bad.jpg", Body: corruptBytes() }));
    await session.clients.s3.send(new PutObjectCommand({ Bucket: bucket.name, Key: "uploads/good.jpg", Body: images.get("uploads/rotated.jpg")! }));
    const mixed = await invoke([await record("uploads/bad.jpg", "0000000000000002"), await record("uploads/good.jpg", "0000000000000002")]);
    expect(mixed.functionError).toBe("Unhandled");
    expect(mixed.payload).toMatch(/1 of 2 image\(s\) failed: uploads\/bad\.jpg/);
    expect(itemsFor(await scanItems(ctx, table.name), "uploads/good.jpg")).toHaveLength(1);
    expect(itemsFor(await scanItems(ctx, table.name), "uploads/bad.jpg")).toHaveLength(0);

    // The guard: a thumbnails/ key is skipped without touching S3 (the role could not read it anyway).
    const guarded = await invoke([{ ...(await record("uploads/good.jpg", "03")), s3: { ...(await record("uploads/good.jpg", "03")).s3, object: { key: "thumbnails/good.jpg", size: 1, sequencer: "03" } } }]);
    expect(guarded.functionError).toBeUndefined();

    const count = await settledInvocations(ctx, fn.name, picked.length + 4);
    expect(count.invocations).toBe(picked.length + 4);
    expect(count.errors).toBe(1);
    expect(count.errorLines.join("\n")).toMatch(/Invoke Error/);
  }, 90_000);
});
