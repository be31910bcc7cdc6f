/**
 * Aurora PostgreSQL Serverless v2 with the Data API (lab 04): the one slow
 * resource of the labs. On AWS a cluster and its writer take minutes, so
 * creating shows progress (`ctx.status`) while it polls, and graders reuse
 * the participant's cluster from the ledger instead of creating one per
 * grade (`ensureDataApiCluster`). Locally it takes about a second.
 *
 * What is created: a cluster with MinCapacity 0 (auto-pause: no compute cost
 * while idle), the Data API on and an RDS-managed master secret
 * (ManageMasterUserPassword), tagged with the kit's tags; then one
 * db.serverless writer. Both are recorded in the ledger before their create
 * call; cleanup deletes the instance, then the cluster (SkipFinalSnapshot),
 * which deletes the managed secret with it — never anything the ledger does
 * not list.
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type DBCluster,
  type RDSClient,
} from "@aws-sdk/client-rds";
import { type KitContext, recordResource } from "../context.js";
import { kitTagList } from "../names.js";
import { errorCode, pollUntil } from "../wait.js";

export interface DataApiCluster {
  identifier: string;
  clusterArn: string;
  /** The RDS-managed secret with {username, password}: what the Data API's secretArn takes. */
  secretArn: string;
  instanceIdentifier: string;
  /** Pass it as `database` to every Data API call (without it, AWS connects to a database named after the user). */
  database: string;
}

export interface ClusterOptions {
  /** The database created in the cluster; "postgres" always exists. */
  databaseName?: string;
  masterUsername?: string;
  /** Idle seconds before the cluster pauses (300–86,400; AWS's default 300). */
  secondsUntilAutoPause?: number;
  maxCapacity?: number;
}

const AWS_CREATE_TIMEOUT_MS = 40 * 60_000;
const LOCAL_CREATE_TIMEOUT_MS = 2 * 60_000;

function tags(ctx: KitContext) {
  return kitTagList(ctx.lab, ctx.names.namespace);
}

export async function describeCluster(ctx: KitContext, identifier: string): Promise<DBCluster | undefined> {
  try {
    return (await ctx.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0];
  } catch (err) {
    if (errorCode(err) === "DBClusterNotFoundFault") return undefined;
    throw err;
  }
}

/** Poll until the cluster and its writer are available, showing the statuses and the time so far. */
async function waitAvailable(ctx: KitContext, identifier: string, instance: string): Promise<DBCluster> {
  const aws = ctx.target.kind === "aws";
  const started = Date.now();
  return pollUntil(
    async () => {
      const cluster = await describeCluster(ctx, identifier);
      const writer = (await ctx.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instance }))).DBInstances?.[0];
      const minutes = ((Date.now() - started) / 60_000).toFixed(1);
      ctx.status(`database cluster ${identifier}: ${cluster?.Status ?? "?"}, writer ${writer?.DBInstanceStatus ?? "?"}` + (aws ? ` (${minutes} min; AWS usually takes 5–15 min)` : ""));
      if (cluster?.Status === "failed" || writer?.DBInstanceStatus === "failed") throw new Error(`The database cluster ${identifier} failed to create (status failed).`);
      return cluster?.Status === "available" && writer?.DBInstanceStatus === "available" ? cluster : undefined;
    },
    { timeoutMs: aws ? AWS_CREATE_TIMEOUT_MS : LOCAL_CREATE_TIMEOUT_MS, intervalMs: aws ? 15_000 : 100, maxIntervalMs: aws ? 30_000 : 500, what: `the database cluster ${identifier} to become available` },
  );
}

function asDataApiCluster(cluster: DBCluster, instance: string, options: ClusterOptions): DataApiCluster {
  const secretArn = cluster.MasterUserSecret?.SecretArn;
  if (!secretArn) throw new Error(`The cluster ${cluster.DBClusterIdentifier} has no RDS-managed master secret (it was not created with ManageMasterUserPassword).`);
  return { identifier: cluster.DBClusterIdentifier!, clusterArn: cluster.DBClusterArn!, secretArn, instanceIdentifier: instance, database: options.databaseName ?? cluster.DatabaseName ?? "postgres" };
}

/** Create the cluster and its writer and wait until both are available. */
export async function createDataApiCluster(ctx: KitContext, identifier: string, options: ClusterOptions = {}): Promise<DataApiCluster> {
  const id = identifier.toLowerCase();
  const instance = `${id}-writer`;
  const clusterEntry = recordResource(ctx, "rds-db-cluster", id);
  const created = await ctx.clients.rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: "aurora-postgresql",
      MasterUsername: options.masterUsername ?? "labadmin",
      ManageMasterUserPassword: true,
      EnableHttpEndpoint: true,
      DatabaseName: options.databaseName,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: options.maxCapacity ?? 2, SecondsUntilAutoPause: options.secondsUntilAutoPause ?? 300 },
      Tags: tags(ctx),
    }),
  );
  ctx.ledger.setArn(clusterEntry.id, created.DBCluster!.DBClusterArn!);
  ctx.log(`database cluster ${id}: ${created.DBCluster!.Status}`);
  const instanceEntry = recordResource(ctx, "rds-db-instance", instance, { parent: id });
  const writer = await ctx.clients.rds.send(
    new CreateDBInstanceCommand({ DBInstanceIdentifier: instance, DBClusterIdentifier: id, Engine: "aurora-postgresql", DBInstanceClass: "db.serverless", Tags: tags(ctx) }),
  );
  ctx.ledger.setArn(instanceEntry.id, writer.DBInstance!.DBInstanceArn!);
  return asDataApiCluster(await waitAvailable(ctx, id, instance), instance, options);
}

/**
 * The cluster this participant already has (recorded in the ledger by the
 * kit, on this target), waited for if still creating; else a new one. Graders
 * call this so a grade on AWS does not cost a new cluster and 10 minutes.
 */
export async function ensureDataApiCluster(ctx: KitContext, identifier: string, options: ClusterOptions = {}): Promise<DataApiCluster> {
  const id = identifier.toLowerCase();
  const recorded = ctx.ledger.list({ target: ctx.target.id }).some((e) => e.type === "rds-db-cluster" && e.name === id);
  const existing = recorded ? await describeCluster(ctx, id) : undefined;
  if (!existing || existing.Status === "deleting") return createDataApiCluster(ctx, id, options);
  const instance = existing.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier ?? `${id}-writer`;
  ctx.log(`reusing database cluster ${id} (${existing.Status})`);
  return asDataApiCluster(await waitAvailable(ctx, id, instance), instance, options);
}

/** Delete one DB instance (cleanup); an instance already deleting counts as deleted. */
export async function deleteDbInstance(rds: RDSClient, identifier: string): Promise<void> {
  try {
    await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier }));
  } catch (err) {
    if (errorCode(err) === "InvalidDBInstanceStateFault" || errorCode(err) === "InvalidDBInstanceState") return;
    throw err;
  }
}

/**
 * Delete one DB cluster (cleanup), without a final snapshot; RDS deletes its
 * managed secret with it. A cluster already deleting counts as deleted. Its
 * instances must be deleting already (cleanup deletes them first); on AWS
 * the cluster may still refuse for a moment after that, so it is retried.
 */
export async function deleteDbCluster(rds: RDSClient, identifier: string): Promise<void> {
  await pollUntil(
    async () => {
      try {
        await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: identifier, SkipFinalSnapshot: true }));
        return true;
      } catch (err) {
        if (errorCode(err) !== "InvalidDBClusterStateFault") throw err;
        const status = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }))).DBClusters?.[0]?.Status;
        return status === "deleting" ? true : undefined;
      }
    },
    { timeoutMs: 5 * 60_000, intervalMs: 1000, maxIntervalMs: 10_000, what: `the database cluster ${identifier} to accept its deletion` },
  );
}
