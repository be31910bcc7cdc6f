/**
 * The RDS Data API (restJson1, SigV4 service `rds-data`, all POST):
 * ExecuteStatement `/Execute`, BatchExecuteStatement `/BatchExecute`,
 * BeginTransaction, CommitTransaction, RollbackTransaction (aws-behavior.md
 * §9), served by a real PostgreSQL per DB cluster: PGlite
 * (`@electric-sql/pglite`, PostgreSQL compiled to WebAssembly), one engine
 * process per cluster, its files in the cloud's data dir.
 *
 * How a request runs: handlers.ts checks the cluster (RdsInternalApi: exists,
 * available, Data API on, a writer instance) and the secret
 * (SecretsManagerInternalApi: its current {username, password} must be the
 * master user's), IAM having already checked `rds-data:<Operation>` on the
 * cluster ARN and `secretsmanager:GetSecretValue` on the secret ARN for the
 * caller (policy/actions/rds.ts); sql-params.ts turns `:name` parameters
 * into typed positional ones; engine-host.ts runs the statement — **one
 * connection per cluster: statements and transactions are serialized per
 * cluster** (PGlite is a single connection); results.ts shapes the answer.
 * RDS tells this service about new and deleted clusters through
 * `cloud.provide("rds-data", RdsDataInternalApi)`. Nothing PGlite is loaded
 * until a cluster is created or used: start-up cost is unchanged.
 * Files: handlers.ts, sql-params.ts, results.ts, engine-host.ts,
 * engine-process-client.ts, engine-process.mjs (the engine process),
 * template.ts (the cached pre-initialised database).
 *
 * **Gaps** (not implemented)
 * - One database per cluster: `postgres` and the cluster's DatabaseName are
 *   the same database; CREATE DATABASE works but cannot be connected to.
 * - Users other than the master user: the secret must hold the master
 *   credentials (CREATE ROLE works, but a secret for that role is refused as
 *   a failed login).
 * - columnMetadata has no tableName/schemaName, nullable is always 2
 *   (unknown), isAutoIncrement is always false, numeric precision is 0.
 * - The 64 KB-per-row limit is not applied (only the 1 MiB response limit).
 * - `schema` is ignored (AWS documents it as unsupported too); resultSetOptions
 *   are honoured for records and formattedRecords.
 * - No ExecuteSql (answers AWS's deprecation error), no Aurora MySQL.
 *
 * **By design**
 * - Concurrent callers of one cluster wait for each other (one connection);
 *   a transaction holds the cluster until it ends or idles out (3 minutes,
 *   scaled by the time scale; AWS: 3 minutes).
 * - Auto-pause after SecondsUntilAutoPause on the cloud's time scale (300 s
 *   → 5 s at the default 1/60); the first call after it answers
 *   DatabaseResumingException once, the next ones wait for the engine
 *   (≈1 s). A restart of the cloud does not count as idleness.
 * - A SQL statement running 45 s is stopped by stopping its engine.
 * - BatchExecuteStatement without transactionId is all-or-nothing.
 * - A bare BEGIN sent through ExecuteStatement is rolled back at the end of
 *   the call (use BeginTransaction).
 * - Engine: PostgreSQL 18 (PGlite 0.5) whatever the cluster's EngineVersion,
 *   with shared_buffers 32 MB (AWS sizes it by ACUs): ≈200–230 MB per running
 *   cluster, none while paused.
 * - A result past 1 MiB is refused inside the engine process (BadRequestException
 *   "Database returned more than the allowed response size limit", the text of
 *   AWS's troubleshooting page; the exception name is UNCERTAIN).
 *
 * **Client quirks**
 * - Without `database`, the Data API connects to the database named after
 *   the secret's user, as PostgreSQL's JDBC driver does (AWS users meet
 *   `FATAL: database "<user>" does not exist`): pass `database` (postgres,
 *   or the cluster's DatabaseName).
 * - SQL errors: DatabaseErrorException with PostgreSQL's own text as pgjdbc
 *   formats it (`ERROR: …\n  Detail: …`) and `; SQLState: <code>` appended,
 *   as seen from AWS (aws-cli issue 8577).
 * - A stringValue is bound as varchar: dates, timestamps, JSON, UUIDs and
 *   decimals need their typeHint, or PostgreSQL refuses the implicit cast.
 */
import type { ServiceFactory } from "../../core/service.js";
import type { RdsDataInternalApi, RdsInternalApi } from "../../core/internal-apis.js";
import { restJsonProtocol } from "../../protocols/rest-json.js";
import { EngineHost, pauseSettings } from "./engine-host.js";
import { dataApiHandlers } from "./handlers.js";

const createRdsData: ServiceFactory = (cloud) => {
  const engines = new EngineHost(cloud);

  const internal: RdsDataInternalApi & { enginePid(clusterArn: string): number | undefined } = {
    async prepareCluster(arn) {
      const cluster = cloud.use<RdsInternalApi>("rds")?.cluster(arn);
      if (!cluster) throw new Error(`no DB cluster ${arn}`);
      await engines.prepare(arn, cluster.masterUsername, pauseSettings(cluster));
    },
    dropCluster: (arn) => engines.drop(arn),
    enginePid: (arn) => engines.pid(arn),
  };
  cloud.provide("rds-data", internal);

  return {
    name: "rds-data",
    signingNames: ["rds-data"],
    handle: restJsonProtocol({ service: "rds-data", routes: dataApiHandlers(cloud, engines) }),
    reset: () => engines.reset(),
    close: () => engines.close(),
  };
};
export default createRdsData;
