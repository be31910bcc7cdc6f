// The object store's side of the notification contract: every mutation hands
// notifications/ one S3ObjectEvent with the right event name, versionId only
// for versioned buckets, and a sequencer that grows per key (also across a
// restart); a failed conditional write emits nothing and stores nothing.
// The store runs on a real Cloud (in memory and on disk); the notifier here
// only records what it is given — delivery is tested with notifications/.
import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Cloud, type CloudConfig } from "../../src/cloud/core/cloud.js";
import type { RequestContext } from "../../src/cloud/core/context.js";
import { ObjectStore } from "../../src/cloud/services/s3/object-store.js";
import type { BucketNotifications, S3ObjectEvent } from "../../src/cloud/services/s3/notifications/contract.js";

const clouds: Cloud[] = [];
afterEach(async () => {
  for (const c of clouds.splice(0)) await c.close();
});

function setup(dataDir: string | null = null) {
  const config: CloudConfig = { port: 0, host: "127.0.0.1", dataDir, iam: "off", timeScale: 1, logLevel: "error", logSink: () => {} };
  const cloud = new Cloud(config);
  clouds.push(cloud);
  const events: S3ObjectEvent[] = [];
  const notifier: BucketNotifications = { put: async () => {}, get: () => ({}), emit: (e) => events.push(e), forgetBucket: () => {} };
  const store = new ObjectStore(cloud, notifier);
  const ctx = {
    cloud,
    requestId: "r",
    service: "s3",
    region: "us-east-1",
    account: "000000000000",
    principal: { kind: "admin", account: "000000000000", arn: "arn:aws:iam::000000000000:root", accessKeyId: "test", principalId: "AIDAEXAMPLE" },
    sourceIp: "127.0.0.1",
    endpoint: "http://localhost",
  } as RequestContext;
  const ids = { requestId: "0123456789ABCDEF", hostId: "host" };
  return { cloud, store, events, ctx, ids };
}

const seq = (e: S3ObjectEvent) => BigInt("0x" + e.sequencer!);

describe("object store events", () => {
  it("Put, Copy, tagging and Delete emit their event names; no versionId when unversioned", async () => {
    const { store, events, ctx, ids } = setup();
    store.createBucket({ name: "b", account: "000000000000", region: "us-east-1", created: new Date().toISOString() });
    await store.writeObject(ctx, { bucket: "b", key: "k", body: Buffer.from("hello"), eventName: "ObjectCreated:Put", ids });
    await store.writeObject(ctx, { bucket: "b", key: "c", body: Buffer.from("hello"), eventName: "ObjectCreated:Copy", ids });
    store.setTags(ctx, { bucket: "b", key: "k", version: store.current("b", "k")!, tags: [{ Key: "a", Value: "1" }], ids });
    store.setTags(ctx, { bucket: "b", key: "k", version: store.current("b", "k")!, tags: [], ids });
    await store.deleteObject(ctx, { bucket: "b", key: "k", ids });
    await store.deleteObject(ctx, { bucket: "b", key: "never-existed", ids });
    expect(events.map((e) => e.eventName)).toEqual(["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectTagging:Put", "ObjectTagging:Delete", "ObjectRemoved:Delete"]);
    const put = events[0]!;
    expect(put).toMatchObject({ bucket: "b", key: "k", size: 5, eTag: "5d41402abc4b2a76b9719d911017c592", account: "000000000000", region: "us-east-1", requestId: ids.requestId, hostId: ids.hostId, principalId: "AIDAEXAMPLE", sourceIp: "127.0.0.1" });
    expect(put.versionId).toBeUndefined();
    expect(put.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(events[2]!.sequencer).toBeUndefined(); // tagging events carry no sequencer
    expect(seq(events[4]!)).toBeGreaterThan(seq(put));
  });

  it("versioned buckets: versionId on every event, DeleteMarkerCreated for a plain delete", async () => {
    const { store, events, ctx, ids } = setup();
    store.createBucket({ name: "v", account: "000000000000", region: "us-east-1", created: new Date().toISOString(), versioning: "Enabled" });
    const w = await store.writeObject(ctx, { bucket: "v", key: "k", body: Buffer.from("x"), eventName: "ObjectCreated:Put", ids });
    const marker = await store.deleteObject(ctx, { bucket: "v", key: "k", ids });
    await store.deleteObject(ctx, { bucket: "v", key: "k", versionId: w.versionId, ids });
    expect(events.map((e) => [e.eventName, e.versionId])).toEqual([
      ["ObjectCreated:Put", w.versionId],
      ["ObjectRemoved:DeleteMarkerCreated", marker.versionId],
      ["ObjectRemoved:Delete", w.versionId],
    ]);
  });

  it("sequencers grow per key over many quick writes, and keep growing after a restart", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-events-"));
    const first = setup(dir);
    first.store.createBucket({ name: "b", account: "000000000000", region: "us-east-1", created: new Date().toISOString() });
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.store.writeObject(first.ctx, { bucket: "b", key: "same", body: Buffer.from(String(i)), eventName: "ObjectCreated:Put", ids: first.ids })));
    const sequencers = first.events.map(seq);
    for (let i = 1; i < sequencers.length; i++) expect(sequencers[i]!).toBeGreaterThan(sequencers[i - 1]!);
    const last = first.store.record("b", "same")!.sequencer;
    await first.cloud.close();
    clouds.splice(clouds.indexOf(first.cloud), 1);
    const second = setup(dir);
    await second.store.writeObject(second.ctx, { bucket: "b", key: "same", body: Buffer.from("after"), eventName: "ObjectCreated:Put", ids: second.ids });
    expect(seq(second.events[0]!)).toBeGreaterThan(BigInt("0x" + last));
  });

  it("a write that fails its condition, or targets a missing bucket, stores and emits nothing", async () => {
    const { store, events, ctx, ids } = setup();
    store.createBucket({ name: "b", account: "000000000000", region: "us-east-1", created: new Date().toISOString() });
    await store.writeObject(ctx, { bucket: "b", key: "k", body: Buffer.from("one"), eventName: "ObjectCreated:Put", ids });
    await expect(store.writeObject(ctx, { bucket: "b", key: "k", body: Buffer.from("two"), eventName: "ObjectCreated:Put", ifNoneMatch: "*", ids })).rejects.toMatchObject({ code: "PreconditionFailed" });
    await expect(store.writeObject(ctx, { bucket: "nope", key: "k", body: Buffer.from("x"), eventName: "ObjectCreated:Put", ids })).rejects.toMatchObject({ code: "NoSuchBucket" });
    expect(events).toHaveLength(1);
    expect((await store.readBody(store.current("b", "k")!)).toString()).toBe("one");
  });
});
