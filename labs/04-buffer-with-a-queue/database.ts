/**
 * Lab 04 — the database (not a learner file): an Aurora PostgreSQL
 * Serverless v2 cluster with the Data API on, its RDS-managed master secret
 * and one db.serverless writer (src/kit/resources/rds.ts); MinCapacity 0, so
 * it auto-pauses after SecondsUntilAutoPause idle and costs no ACUs then.
 *
 * On AWS the cluster is the one slow resource (minutes): a grade reuses the
 * participant's newest lab 04 cluster the ledger lists on this target (made
 * by the guided run or a kept grade) — it is not in the grade's namespace,
 * so the grade's cleanup leaves it — and drops and re-creates the orders
 * table instead. Locally a cluster takes a second or two, so every grade
 * makes its own and its cleanup removes it.
 */
import type { KitContext } from "../../src/kit/context.js";
import { createDataApiCluster, ensureDataApiCluster, type DataApiCluster } from "../../src/kit/resources/rds.js";

export interface Database {
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

const options = { databaseName: DATABASE_NAME, secondsUntilAutoPause: SECONDS_UNTIL_AUTO_PAUSE, maxCapacity: 2 };

function asDatabase(c: DataApiCluster, reused: boolean): Database {
  return { clusterArn: c.clusterArn, secretArn: c.secretArn, database: c.database, secondsUntilAutoPause: SECONDS_UNTIL_AUTO_PAUSE, reused };
}

/** Create (or, on AWS, reuse) the cluster and its writer; resolves once both are available. */
export async function provisionDatabase(ctx: KitContext, how: { reuse?: boolean } = {}): Promise<Database> {
  if (how.reuse ?? ctx.target.kind === "aws") {
    const mine = ctx.ledger.list({ target: ctx.target.id, lab: ctx.lab }).filter((e) => e.type === "rds-db-cluster" && e.namespace !== ctx.names.namespace);
    const newest = mine[mine.length - 1];
    if (newest) return asDatabase(await ensureDataApiCluster(ctx, newest.name, options), true);
  }
  return asDatabase(await createDataApiCluster(ctx, ctx.names.resource("orders-db"), options), false);
}
