/**
 * Lab 04 — the database (not a learner file): an Aurora PostgreSQL
 * Serverless v2 cluster with the Data API on, its RDS-managed master secret
 * in Secrets Manager, and one db.serverless writer instance; MinCapacity 0, so
 * it auto-pauses when idle (after SecondsUntilAutoPause) and costs no ACUs
 * then.
 *
 * On AWS the cluster is the one slow resource (minutes): a grade reuses the
 * participant's cluster when the ledger has one for this lab on this target
 * (made by the guided run or an earlier grade), and drops and re-creates the
 * orders table instead. Locally a cluster takes a second or two, so every
 * grade makes its own and cleanup removes it.
 */
import { CreateDBClusterCommand, CreateDBInstanceCommand, DescribeDBClustersCommand, DescribeDBInstancesCommand, type DBCluster } from "@aws-sdk/client-rds";
import { RDSClient } from "@aws-sdk/client-rds";
import type { KitContext } from "../../src/kit/context.js";
import { pace, recordResource } from "../../src/kit/context.js";
import type { ResourceType } from "../../src/kit/ledger.js";

// Until the RDS ledger types land (wip/rds): the names cleanup will know them by.
const RDS_CLUSTER = "rds-cluster" as unknown as ResourceType;
const RDS_INSTANCE = "rds-instance" as unknown as ResourceType;
import { kitTags } from "../../src/kit/names.js";
import { errorCode, pollUntil } from "../../src/kit/wait.js";

export interface Database {
  clusterId: string;
  clusterArn: string;
  secretArn: string;
  database: string;
  /** The cluster's SecondsUntilAutoPause (Serverless v2 with MinCapacity 0). */
  secondsUntilAutoPause: number;
  /** True when an existing cluster was reused (AWS). */
  reused: boolean;
}

export const DATABASE_NAME = "labs";
/** AWS's minimum (and default) idle time before a Serverless v2 instance with MinCapacity 0 pauses. */
export const SECONDS_UNTIL_AUTO_PAUSE = 300;

const rdsClient = (ctx: KitContext) => new RDSClient(ctx.clients.config);

function fromCluster(c: DBCluster, reused: boolean): Database {
  return {
    clusterId: c.DBClusterIdentifier!,
    clusterArn: c.DBClusterArn!,
    secretArn: c.MasterUserSecret?.SecretArn ?? "",
    database: c.DatabaseName ?? DATABASE_NAME,
    secondsUntilAutoPause: c.ServerlessV2ScalingConfiguration?.SecondsUntilAutoPause ?? SECONDS_UNTIL_AUTO_PAUSE,
    reused,
  };
}

async function describe(rds: RDSClient, id: string): Promise<DBCluster | undefined> {
  try {
    return (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
  } catch (err) {
    if (errorCode(err) === "DBClusterNotFoundFault") return undefined;
    throw err;
  }
}

/** The participant's existing lab 04 cluster on this target, if the ledger lists one that is still there. */
async function reusable(ctx: KitContext, rds: RDSClient): Promise<DBCluster | undefined> {
  const entries = ctx.ledger.list({ target: ctx.target.id, lab: ctx.lab }).filter((e) => e.type === RDS_CLUSTER);
  for (const e of entries.reverse()) {
    const c = await describe(rds, e.name);
    if (c && c.Status === "available" && c.MasterUserSecret?.SecretArn) return c;
  }
  return undefined;
}

/** Create (or, on AWS, reuse) the cluster and its writer; resolves once both are available. */
export async function provisionDatabase(ctx: KitContext, options: { reuse?: boolean } = {}): Promise<Database> {
  const rds = rdsClient(ctx);
  try {
    if (options.reuse ?? ctx.target.kind === "aws") {
      const existing = await reusable(ctx, rds);
      if (existing) return fromCluster(existing, true);
    }
    const clusterId = ctx.names.resource("orders-db");
    const instanceId = `${clusterId}-writer`;
    const tags = Object.entries(kitTags(ctx.lab, ctx.names.namespace)).map(([Key, Value]) => ({ Key, Value }));
    recordResource(ctx, RDS_CLUSTER, clusterId);
    const created = await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: clusterId,
        Engine: "aurora-postgresql",
        EngineVersion: "16.6",
        MasterUsername: "labs",
        ManageMasterUserPassword: true,
        DatabaseName: DATABASE_NAME,
        EnableHttpEndpoint: true,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: SECONDS_UNTIL_AUTO_PAUSE },
        Tags: tags,
      }),
    );
    if (created.DBCluster?.DBClusterArn) ctx.ledger.list({ namespace: ctx.names.namespace }).filter((e) => e.type === RDS_CLUSTER && e.name === clusterId).forEach((e) => ctx.ledger.setArn(e.id, created.DBCluster!.DBClusterArn!));
    recordResource(ctx, RDS_INSTANCE, instanceId, { parent: clusterId });
    await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: instanceId, DBClusterIdentifier: clusterId, Engine: "aurora-postgresql", DBInstanceClass: "db.serverless", Tags: tags }));
    const p = pace(ctx);
    const started = Date.now();
    const timeoutMs = ctx.target.kind === "aws" ? 30 * 60_000 : 60_000;
    const ready = await pollUntil(
      async () => {
        const c = await describe(rds, clusterId);
        const i = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }))).DBInstances?.[0];
        ctx.status(`creating the database cluster (${c?.Status ?? "?"}, writer ${i?.DBInstanceStatus ?? "?"}, ${Math.round((Date.now() - started) / 1000)} s — minutes on AWS)…`);
        return c?.Status === "available" && i?.DBInstanceStatus === "available" && c.MasterUserSecret?.SecretArn ? c : undefined;
      },
      { timeoutMs, intervalMs: ctx.target.kind === "aws" ? 10_000 : p.intervalMs * 4, maxIntervalMs: ctx.target.kind === "aws" ? 15_000 : p.maxIntervalMs, what: `database cluster ${clusterId} to become available` },
    );
    return fromCluster(ready, false);
  } finally {
    rds.destroy();
  }
}
