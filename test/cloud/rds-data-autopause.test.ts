// Auto-pause and durability of the Data API's engines, against a real cloud
// process (bin/localcloud.mjs) on a fast time scale (1/600: SecondsUntilAutoPause
// 300 → 0.5 s): after the cluster has been idle that long, the first statement
// answers DatabaseResumingException once and the next one succeeds (the engine
// was released and started again); a committed row survives kill -9 of the
// cloud the moment its acknowledgement arrives.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { spawnCloud, killHard, type CloudProcess } from "../helpers/cloud-process.js";
import { eventually, type TestCloud } from "../helpers/cloud.js";
import { createTestCluster, execute, type TestCluster } from "./rds-fixture.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-rds-pause-"));
const running: CloudProcess[] = [];
let cluster: TestCluster;

async function launch(): Promise<{ proc: CloudProcess; asTestCloud: TestCloud; data: RDSDataClient }> {
  const proc = await spawnCloud(["--data-dir", dataDir, "--log-level", "warn", "--time-scale", String(1 / 600)]).ready;
  running.push(proc);
  const clientConfig = { endpoint: proc.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true };
  const asTestCloud = { clientConfig } as unknown as TestCloud;
  return { proc, asTestCloud, data: new RDSDataClient({ ...clientConfig, maxAttempts: 1 }) };
}

let first: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  first = await launch();
  cluster = await createTestCluster(first.asTestCloud, "pausing", { secondsUntilAutoPause: 300 });
}, 120_000);

afterAll(async () => {
  for (const c of running) if (c.child.exitCode === null && c.child.signalCode === null) await killHard(c);
  fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
});

describe("auto-pause", () => {
  it("answers DatabaseResumingException once after SecondsUntilAutoPause of idleness, then runs statements again", async () => {
    const base = { resourceArn: cluster.clusterArn, secretArn: cluster.secretArn, database: "postgres" };
    await execute(first.data, { ...base, sql: "CREATE TABLE loads (id int PRIMARY KEY)" });
    // Polled less often than the (scaled) pause time, so the polling itself never keeps the cluster awake.
    const resuming = await eventually(async () => {
      try {
        await first.data.send(new ExecuteStatementCommand({ ...base, sql: "SELECT 1" }));
        return undefined;
      } catch (err) {
        return err as Error;
      }
    }, 20_000, 1_000);
    expect(resuming.name).toBe("DatabaseResumingException");
    expect((resuming as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
    const after = await first.data.send(new ExecuteStatementCommand({ ...base, sql: "SELECT count(*) FROM loads" }));
    expect(after.records).toEqual([[{ longValue: 0 }]]);
  });
});

describe("durability", () => {
  it("a row acknowledged by ExecuteStatement survives kill -9 of the cloud", async () => {
    const base = { resourceArn: cluster.clusterArn, secretArn: cluster.secretArn, database: "postgres" };
    await execute(first.data, { ...base, sql: "INSERT INTO loads (id) VALUES (42)" });
    await killHard(first.proc);
    first.data.destroy();
    const second = await launch();
    const out = await execute(second.data, { ...base, sql: "SELECT id FROM loads" });
    expect(out.records).toEqual([[{ longValue: 42 }]]);
    second.data.destroy();
  });
});
