/**
 * DB instance operations for Aurora: CreateDBInstance (into a cluster; the
 * first instance is the writer), DescribeDBInstances, DeleteDBInstance. A
 * `db.serverless` instance needs the cluster's Serverless v2 scaling
 * configuration first (§9). An instance becomes available once its cluster
 * is; deleting one removes it once its task has run (Describe* waits, see
 * index.ts).
 */
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import type { QueryHandler } from "../../protocols/query.js";
import { members } from "../../protocols/xml.js";
import { clusterNotFound, SETTLE_MS } from "./clusters.js";
import { instanceOutput } from "./output.js";
import { boolParam, filtersParam, identifierParam, invalidCombination, invalidValue, numberParam, tagsParam } from "./params.js";
import { keyOf, recordKey, resourceId, type InstanceRecord, type RdsState } from "./state.js";

export function instanceNotFound(id: string): AwsError {
  return new AwsError("DBInstanceNotFound", `DBInstance ${id} not found.`, { status: 404 });
}

export function instanceLifecycle(state: RdsState) {
  function startCreate(record: InstanceRecord): void {
    state.track(record.arn, async () => {
      const cluster = state.clusters.get(recordKey(record.account, record.region, record.clusterIdentifier));
      if (cluster) await state.settle([cluster.arn], 60_000);
      const now = state.instances.get(keyOf(record));
      if (now?.status === "creating") {
        now.status = "available";
        now.created = Date.now();
        state.instances.set(keyOf(now), now);
      }
    });
  }
  function startDelete(record: InstanceRecord): void {
    state.track(record.arn, async () => {
      state.instances.delete(keyOf(record));
    });
  }
  function resume(): void {
    for (const [, i] of state.instances.entries()) {
      if (i.status === "creating") startCreate(i);
      else if (i.status === "deleting") startDelete(i);
    }
  }
  return { startCreate, startDelete, resume };
}

export function instanceHandlers(state: RdsState): Record<string, QueryHandler> {
  const lifecycle = instanceLifecycle(state);

  function find(ctx: RequestContext, id: string): InstanceRecord {
    const record = state.instances.get(recordKey(ctx.account, ctx.region, id.toLowerCase()));
    if (!record) throw instanceNotFound(id);
    return record;
  }

  return {
    CreateDBInstance(ctx, input) {
      const identifier = identifierParam(input.DBInstanceIdentifier, "DBInstanceIdentifier");
      const instanceClass = input.DBInstanceClass;
      if (typeof instanceClass !== "string" || instanceClass === "") throw invalidValue("The parameter DBInstanceClass must be provided and must not be blank.");
      const engine = input.Engine;
      if (typeof engine !== "string" || engine === "") throw invalidValue("The parameter Engine must be provided and must not be blank.");
      const clusterId = input.DBClusterIdentifier;
      if (typeof clusterId !== "string" || clusterId === "") {
        throw invalidValue("The local cloud serves Aurora DB instances only: give DBClusterIdentifier (the cluster the instance joins).");
      }
      if (state.instances.has(recordKey(ctx.account, ctx.region, identifier))) throw new AwsError("DBInstanceAlreadyExists", "DB instance already exists");
      const cluster = state.clusters.get(recordKey(ctx.account, ctx.region, clusterId.toLowerCase()));
      if (!cluster) throw clusterNotFound(clusterId);
      if (engine !== cluster.engine) throw invalidCombination(`The engine name requested for your DB instance (${engine}) doesn't match the engine name of your DB cluster (${cluster.engine}).`);
      if (cluster.status === "deleting") throw new AwsError("InvalidDBClusterStateFault", `DB cluster ${cluster.identifier} is being deleted.`);
      if (instanceClass === "db.serverless" && cluster.minCapacity === undefined) {
        throw invalidCombination("Set the Serverless v2 scaling configuration on the parent DB cluster before creating a Serverless v2 DB instance.");
      }
      const record: InstanceRecord = {
        account: ctx.account,
        region: ctx.region,
        identifier,
        arn: `arn:aws:rds:${ctx.region}:${ctx.account}:db:${identifier}`,
        resourceId: resourceId("db-"),
        clusterIdentifier: cluster.identifier,
        instanceClass,
        engine,
        engineVersion: cluster.engineVersion,
        status: "creating",
        created: Date.now(),
        tags: tagsParam(input.Tags),
        promotionTier: numberParam(input.PromotionTier, "PromotionTier") ?? 1,
        publiclyAccessible: boolParam(input.PubliclyAccessible, "PubliclyAccessible") ?? false,
      };
      state.instances.set(keyOf(record), record);
      const output = instanceOutput(state, record);
      lifecycle.startCreate(record);
      return { DBInstance: output };
    },

    async DescribeDBInstances(ctx, input) {
      const id = typeof input.DBInstanceIdentifier === "string" && input.DBInstanceIdentifier ? input.DBInstanceIdentifier : undefined;
      let list: InstanceRecord[];
      if (id) {
        const key = id.startsWith("arn:") ? id.split(":").slice(3, 5).reverse().join(":") + ":" + id.split(":")[6]?.toLowerCase() : recordKey(ctx.account, ctx.region, id.toLowerCase());
        const one = state.instances.get(key);
        if (!one) throw instanceNotFound(id);
        list = [one];
      } else {
        list = state.instances.withPrefix(`${ctx.account}:${ctx.region}:`).map(([, i]) => i);
      }
      for (const f of filtersParam(input.Filters)) {
        if (f.name === "db-cluster-id") list = list.filter((i) => f.values.some((v) => v.toLowerCase() === i.clusterIdentifier || v.endsWith(`:cluster:${i.clusterIdentifier}`)));
        else if (f.name === "db-instance-id") list = list.filter((i) => f.values.some((v) => v.toLowerCase() === i.identifier || v === i.arn));
        else if (f.name === "engine") list = list.filter((i) => f.values.includes(i.engine));
        else if (f.name === "dbi-resource-id") list = list.filter((i) => f.values.includes(i.resourceId));
        else throw invalidValue(`Unrecognized filter name: ${f.name}.`);
      }
      await state.settle(list.map((i) => i.arn), SETTLE_MS);
      const now = list.map((i) => state.instances.get(keyOf(i))).filter((i): i is InstanceRecord => !!i);
      if (id && now.length === 0) throw instanceNotFound(id);
      now.sort((a, b) => a.identifier.localeCompare(b.identifier));
      return { DBInstances: members(now.map((i) => instanceOutput(state, i)), "DBInstance") };
    },

    DeleteDBInstance(ctx, input) {
      const record = find(ctx, identifierParam(input.DBInstanceIdentifier, "DBInstanceIdentifier"));
      if (record.status === "deleting") throw new AwsError("InvalidDBInstanceState", `Instance ${record.identifier} is already being deleted.`);
      record.status = "deleting";
      state.instances.set(keyOf(record), record);
      const output = instanceOutput(state, record);
      lifecycle.startDelete(record);
      return { DBInstance: output };
    },
  };
}
