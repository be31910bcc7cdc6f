/**
 * The slow transitions of a DB cluster, run as tracked tasks (state.track):
 * creating → available (the Data API lays down the database from its cached
 * template) and deleting → gone (instances first, then the database files
 * and the RDS-managed secret). `resume` re-runs the task of a record a stop
 * or crash left in a transient state.
 */
import type { Cloud } from "../../core/cloud.js";
import type { RdsDataInternalApi, SecretsManagerInternalApi } from "../../core/internal-apis.js";
import { keyOf, type ClusterRecord, type RdsState } from "./state.js";

export function clusterLifecycle(cloud: Cloud, state: RdsState) {
  const dataApi = () => cloud.use<RdsDataInternalApi>("rds-data");
  const secrets = () => cloud.use<SecretsManagerInternalApi>("secretsmanager");

  function startCreate(record: ClusterRecord): void {
    state.track(record.arn, async () => {
      try {
        await dataApi()?.prepareCluster(record.arn);
        const now = state.clusterByArn(record.arn);
        if (now?.status === "creating") {
          now.status = "available";
          state.clusters.set(keyOf(now), now);
        }
      } catch (err) {
        cloud.log.error(`rds: cluster ${record.identifier} could not be created: ${(err as Error)?.stack ?? err}`);
        const now = state.clusterByArn(record.arn);
        if (now) {
          now.status = "failed";
          state.clusters.set(keyOf(now), now);
        }
      }
    });
  }

  function startDelete(record: ClusterRecord): void {
    state.track(record.arn, async () => {
      await state.settle(state.instancesOf(record).map((i) => i.arn), 60_000);
      try {
        await dataApi()?.dropCluster(record.arn);
      } catch (err) {
        cloud.log.warn(`rds: the database files of cluster ${record.identifier} could not all be removed: ${(err as Error)?.message ?? err}`);
      }
      // The RDS-managed secret goes with the cluster (§9).
      if (record.masterSecretArn) secrets()?.deleteServiceSecret(record.masterSecretArn);
      state.clusters.delete(keyOf(record));
    });
  }

  function resume(): void {
    for (const [, c] of state.clusters.entries()) {
      if (c.status === "creating") startCreate(c);
      else if (c.status === "deleting") startDelete(c);
    }
  }

  return { startCreate, startDelete, resume };
}
