/**
 * Amazon RDS, control plane (awsQuery, Version 2014-10-31, xmlns
 * http://rds.amazonaws.com/doc/2014-10-31/): what creating and deleting an
 * Aurora PostgreSQL Serverless v2 cluster with the Data API needs
 * (aws-behavior.md §9). The database itself is served by the rds-data
 * service (PGlite engines); RDS tells it about clusters through
 * `RdsDataInternalApi` and offers the Data API its view of a cluster
 * (`cloud.provide("rds", RdsInternalApi)`).
 *
 * Operations: CreateDBCluster (aurora-postgresql; ServerlessV2ScalingConfiguration
 * MinCapacity 0–256 / MaxCapacity / SecondsUntilAutoPause 300–86,400;
 * EnableHttpEndpoint; ManageMasterUserPassword → an `rds!cluster-<uuid>`
 * Secrets Manager secret, or MasterUserPassword; DatabaseName; tags;
 * DeletionProtection), DescribeDBClusters, ModifyDBCluster (scaling, Data
 * API, deletion protection), DeleteDBCluster (SkipFinalSnapshot),
 * EnableHttpEndpoint, DisableHttpEndpoint, CreateDBInstance (in a cluster;
 * db.serverless needs the cluster's scaling configuration),
 * DescribeDBInstances, DeleteDBInstance, AddTagsToResource,
 * RemoveTagsFromResource, ListTagsForResource. Describe filters:
 * db-cluster-id, db-instance-id, engine, resource ids.
 * Files: state.ts, params.ts, clusters.ts, lifecycle.ts, instances.ts,
 * tags.ts, output.ts.
 *
 * **Gaps** (not implemented)
 * - Engines other than aurora-postgresql, RDS DB instances outside a
 *   cluster, Serverless v1 (EngineMode serverless), snapshots (a final
 *   snapshot is refused: use SkipFinalSnapshot), parameter and subnet
 *   groups, VPC security groups (shown empty), read replicas, global
 *   databases, IAM database auth, MasterUserPassword rotation, Describe
 *   paging (MaxRecords/Marker are ignored: everything is one page),
 *   ModifyDBInstance, Reboot*, Start/StopDBCluster.
 * - The engine is PostgreSQL 18 (PGlite) whatever EngineVersion says
 *   (stored and shown as given; default 17.4).
 *
 * **By design**
 * - Creating takes about a second (AWS: minutes): the cluster is
 *   `creating` in the CreateDBCluster answer and becomes `available` once
 *   its database files are laid down from the cached template (its engine
 *   starts meanwhile; a statement that comes first waits for it); instances
 *   follow their cluster; deleting is `deleting` in the Delete answer, then
 *   the resource is gone.
 * - DescribeDBClusters / DescribeDBInstances wait (up to 25 s, SETTLE_MS) for a
 *   resource still in such a transition before answering. The SDK's waiters
 *   (waitUntilDBClusterAvailable, …Deleted, waitUntilDBInstanceAvailable,
 *   …Deleted) sleep minDelay = 30 s after a first answer that is not final;
 *   waiting here makes their first poll final, so they return in about a
 *   second locally.
 * - Deleting a cluster deletes its RDS-managed secret at once, as RDS does.
 *
 * **Client quirks**
 * - Identifiers are stored lower-case (RDS does); ARNs are built with the
 *   lower-case identifier.
 * - awsQuery lists use the model's member names: `Tags.Tag.1.Key`,
 *   `Filters.Filter.1.Values.Value.1`, `TagKeys.member.1`.
 */
import type { ServiceFactory } from "../../core/service.js";
import type { RdsInternalApi } from "../../core/internal-apis.js";
import { queryProtocol } from "../../protocols/query.js";
import { RdsState } from "./state.js";
import { clusterHandlers } from "./clusters.js";
import { clusterLifecycle } from "./lifecycle.js";
import { instanceHandlers, instanceLifecycle } from "./instances.js";
import { tagHandlers } from "./tags.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

const createRds: ServiceFactory = (cloud) => {
  const state = new RdsState(cloud);

  const internal: RdsInternalApi = {
    cluster(arn) {
      const c = state.clusterByArn(arn);
      if (!c) return undefined;
      const writer = state.instancesOf(c).find((i) => i.status === "available");
      return {
        arn: c.arn,
        identifier: c.identifier,
        account: c.account,
        region: c.region,
        status: c.status,
        httpEndpointEnabled: c.httpEndpointEnabled,
        masterUsername: c.masterUsername,
        masterPassword: c.masterPassword,
        databaseName: c.databaseName,
        minCapacity: c.minCapacity,
        secondsUntilAutoPause: c.secondsUntilAutoPause,
        hasWriter: writer !== undefined,
        writerIdentifier: writer?.identifier,
      };
    },
  };
  cloud.provide<RdsInternalApi>("rds", internal);
  // Clusters and instances being deleted are left out: the sweep must not report what it has just deleted.
  const keep = (r: { status: string }) => r.status !== "deleting";
  cloud.provide<TaggedResourcesApi>("tags:rds", {
    taggedResources: (account, region) => [
      ...taggedIn(state.clusters.values(), account, region, "rds:cluster", { keep }),
      ...taggedIn(state.instances.values(), account, region, "rds:db", { keep }),
    ],
  });

  const operations = { ...clusterHandlers(cloud, state), ...instanceHandlers(state), ...tagHandlers(state) };
  // Transitions a stop or crash interrupted run again (after every service has registered its internal API).
  setImmediate(() => {
    clusterLifecycle(cloud, state).resume();
    instanceLifecycle(state).resume();
  });

  return {
    name: "rds",
    signingNames: ["rds"],
    queryVersions: ["2014-10-31"],
    handle: queryProtocol({ service: "rds", xmlns: "http://rds.amazonaws.com/doc/2014-10-31/", operations }),
    reset: () => state.pending.clear(),
    // A deletion in flight finishes (instances, database files, the managed secret) before the store closes.
    close: () => state.drain(10_000),
  };
};
export default createRds;
