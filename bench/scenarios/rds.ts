/**
 * The RDS Data API on PGlite (issue 15): what a statement costs beside the
 * do-nothing round trip, how long a Data-API cluster takes from
 * CreateDBCluster to its first answered statement once the template is cached
 * (target ≤ 2 s), and what one cluster's engine costs in memory (target
 * ≤ 400 MB) and gives back when it auto-pauses (SecondsUntilAutoPause 300 s
 * is 5 s at the default time scale).
 *
 * Memory is the engine processes' own RSS (each cluster's PGlite runs in a
 * child process of the cloud, found through /proc on Linux).
 */
import * as fs from "node:fs";
import { CreateDBClusterCommand, CreateDBInstanceCommand, RDSClient, waitUntilDBClusterAvailable, waitUntilDBInstanceAvailable } from "@aws-sdk/client-rds";
import { ExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import { clientConfig, median, percentile, sleep, type Row } from "../lib.js";

/** Engine processes (engine-process.mjs) that are children of `parent`, with their RSS in MB. */
function engines(parent: number): Array<{ pid: number; rssMb: number }> {
  if (!fs.existsSync("/proc")) return [];
  const out: Array<{ pid: number; rssMb: number }> = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid !== parent) continue;
      if (!fs.readFileSync(`/proc/${name}/cmdline`, "utf8").includes("engine-process.mjs")) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${name}/status`, "utf8"));
      out.push({ pid: Number(name), rssMb: rss ? Number(rss[1]) / 1024 : NaN });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function createCluster(rds: RDSClient, data: RDSDataClient, id: string): Promise<{ ms: number; base: { resourceArn: string; secretArn: string; database: string } }> {
  const started = performance.now();
  const c = await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: "aurora-postgresql",
      MasterUsername: "bench",
      ManageMasterUserPassword: true,
      EnableHttpEndpoint: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: 300 },
    }),
  );
  await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: `${id}-1`, DBClusterIdentifier: id, Engine: "aurora-postgresql", DBInstanceClass: "db.serverless" }));
  await waitUntilDBClusterAvailable({ client: rds, maxWaitTime: 300 }, { DBClusterIdentifier: id });
  await waitUntilDBInstanceAvailable({ client: rds, maxWaitTime: 300 }, { DBInstanceIdentifier: `${id}-1` });
  const base = { resourceArn: c.DBCluster!.DBClusterArn!, secretArn: c.DBCluster!.MasterUserSecret!.SecretArn!, database: "postgres" };
  await data.send(new ExecuteStatementCommand({ ...base, sql: "SELECT 1" }));
  return { ms: performance.now() - started, base };
}

export async function rdsScenario(endpoint: string, roundTripMs: number, cloudPid: number | undefined): Promise<Row[]> {
  const rds = new RDSClient({ ...clientConfig(endpoint), maxAttempts: 1 });
  const data = new RDSDataClient({ ...clientConfig(endpoint), maxAttempts: 1 });
  const rows: Row[] = [];
  try {
    // The first cluster of a machine also builds the template (once per PGlite version); later ones copy it.
    const first = await createCluster(rds, data, "bench-a");
    rows.push({ figure: "first cluster: create → first statement", value: first.ms, unit: "ms", note: "includes building the template if this machine had none" });
    const second = await createCluster(rds, data, "bench-b");
    rows.push({ figure: "cluster creation with the cached template", value: second.ms, unit: "ms", target: "≤ 2000 ms", met: second.ms <= 2000 });

    const base = second.base;
    await data.send(new ExecuteStatementCommand({ ...base, sql: "CREATE TABLE rows (id int PRIMARY KEY, body text)" }));
    for (let i = 0; i < 20; i++) await data.send(new ExecuteStatementCommand({ ...base, sql: "SELECT 1" })); // warm-up
    const select: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await data.send(new ExecuteStatementCommand({ ...base, sql: "SELECT 1" }));
      select.push(performance.now() - t);
    }
    rows.push({ figure: "ExecuteStatement SELECT 1, p50", value: median(select), unit: "ms", baseline: roundTripMs });
    rows.push({ figure: "ExecuteStatement SELECT 1, p95", value: percentile(select, 95), unit: "ms" });
    const insert: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await data.send(new ExecuteStatementCommand({ ...base, sql: "INSERT INTO rows VALUES (:id, :body)", parameters: [{ name: "id", value: { longValue: i } }, { name: "body", value: { stringValue: `row ${i}` } }] }));
      insert.push(performance.now() - t);
    }
    rows.push({ figure: "ExecuteStatement INSERT one row (typed parameters), p50", value: median(insert), unit: "ms", baseline: roundTripMs });

    if (cloudPid !== undefined && fs.existsSync("/proc")) {
      const running = engines(cloudPid);
      const worst = Math.max(...running.map((e) => e.rssMb));
      rows.push({ figure: `memory per cluster (engine RSS, max of ${running.length})`, value: worst, unit: "MB", target: "≤ 400 MB", met: worst <= 400 });
      // Idle past SecondsUntilAutoPause (300 s × 1/60 = 5 s): the engines stop and their memory goes back.
      const started = performance.now();
      let left = running.length;
      while (left > 0 && performance.now() - started < 30_000) {
        await sleep(250);
        left = engines(cloudPid).length;
      }
      rows.push({
        figure: "engine processes left after auto-pause",
        value: left,
        unit: "",
        target: "0 (memory released)",
        met: left === 0,
        note: `${((performance.now() - started) / 1000).toFixed(1)} s after the last statement; ${running.reduce((a, e) => a + e.rssMb, 0).toFixed(0)} MB released`,
      });
    }
  } finally {
    rds.destroy();
    data.destroy();
  }
  return rows;
}
