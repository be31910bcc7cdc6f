/**
 * DB cluster operations: CreateDBCluster, DescribeDBClusters,
 * ModifyDBCluster (scaling, Data API, deletion protection), DeleteDBCluster,
 * EnableHttpEndpoint / DisableHttpEndpoint. Creating lays down the
 * cluster's database through the Data API service (RdsDataInternalApi
 * prepareCluster, from the cached template) and, with
 * ManageMasterUserPassword, creates the `rds!cluster-<uuid>` secret
 * (SecretsManagerInternalApi). Messages follow aws-behavior.md §9.
 */
import { randomUUID } from "node:crypto";
import { randomFrom } from "../../core/ids.js";
import { AwsError } from "../../core/aws-error.js";
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import type { SecretsManagerInternalApi } from "../../core/internal-apis.js";
import type { QueryHandler } from "../../protocols/query.js";
import { members } from "../../protocols/xml.js";
import { clusterOutput } from "./output.js";
import { clusterLifecycle } from "./lifecycle.js";
import { boolParam, filtersParam, identifierParam, invalidCombination, invalidValue, numberParam, tagsParam } from "./params.js";
import { keyOf, recordKey, resourceId, type ClusterRecord, type RdsState } from "./state.js";

export const DEFAULT_ENGINE_VERSION = "17.4";
/** How long Describe* waits for a transition before answering with the transient status. */
export const SETTLE_MS = 25_000;

export function clusterNotFound(id: string): AwsError {
  return new AwsError("DBClusterNotFoundFault", `DBCluster ${id} not found.`, { status: 404 });
}

/** An RDS-managed master password: letters, digits and the punctuation RDS uses (never / @ " or space). */
function managedPassword(): string {
  return randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-.:;<=>?[]^_{|}~", 28);
}

function scaling(input: Record<string, any>, current?: ClusterRecord) {
  const cfg = input.ServerlessV2ScalingConfiguration as Record<string, unknown> | undefined;
  if (!cfg) return current ? { min: current.minCapacity, max: current.maxCapacity, pause: current.secondsUntilAutoPause } : {};
  const min = numberParam(cfg.MinCapacity, "MinCapacity") ?? current?.minCapacity ?? 0.5;
  const max = numberParam(cfg.MaxCapacity, "MaxCapacity") ?? current?.maxCapacity ?? 16;
  const pause = numberParam(cfg.SecondsUntilAutoPause, "SecondsUntilAutoPause") ?? current?.secondsUntilAutoPause ?? 300;
  const half = (n: number) => Number.isInteger(n * 2);
  if (!half(min) || min < 0 || min > 256) throw invalidValue("The minimum capacity must be 0 or a value from 0.5 to 256 ACUs in steps of 0.5.");
  if (!half(max) || max < 1 || max > 256) throw invalidValue("The maximum capacity must be from 1 to 256 ACUs in steps of 0.5.");
  if (min > max) throw invalidValue("The minimum capacity can't be greater than the maximum capacity.");
  if (!Number.isInteger(pause) || pause < 300 || pause > 86_400) throw invalidValue("SecondsUntilAutoPause must be from 300 to 86400 seconds.");
  return { min, max, pause };
}

export function clusterHandlers(cloud: Cloud, state: RdsState): Record<string, QueryHandler> {
  const secrets = () => cloud.use<SecretsManagerInternalApi>("secretsmanager");
  const { startCreate, startDelete } = clusterLifecycle(cloud, state);

  function find(ctx: RequestContext, id: string): ClusterRecord {
    const record = state.clusters.get(recordKey(ctx.account, ctx.region, id.toLowerCase()));
    if (!record) throw clusterNotFound(id);
    return record;
  }

  function setHttpEndpoint(arn: string, enabled: boolean) {
    const record = state.clusterByArn(arn);
    if (!record) throw clusterNotFound(arn);
    record.httpEndpointEnabled = enabled;
    state.clusters.set(keyOf(record), record);
    return { ResourceArn: arn, HttpEndpointEnabled: enabled };
  }

  return {
    CreateDBCluster(ctx, input) {
      const identifier = identifierParam(input.DBClusterIdentifier, "DBClusterIdentifier");
      const engine = input.Engine;
      if (typeof engine !== "string" || engine === "") throw invalidValue("The parameter Engine must be provided and must not be blank.");
      if (engine !== "aurora-postgresql") {
        throw invalidValue(`The local cloud serves Engine aurora-postgresql only (got ${engine}); its Data API runs PostgreSQL.`);
      }
      if (state.clusters.has(recordKey(ctx.account, ctx.region, identifier))) throw new AwsError("DBClusterAlreadyExistsFault", "DB Cluster already exists");
      const username = input.MasterUsername;
      if (typeof username !== "string" || username === "") throw invalidValue("The parameter MasterUsername must be provided and must not be blank.");
      if (!/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(username)) throw invalidValue("MasterUsername must start with a letter and contain only letters, digits and underscores (1 to 63).");
      if (["postgres", "rdsadmin", "admin"].includes(username.toLowerCase())) throw invalidValue(`MasterUsername ${username} cannot be used as it is a reserved word used by the engine`);
      const manage = boolParam(input.ManageMasterUserPassword, "ManageMasterUserPassword") ?? false;
      const given = input.MasterUserPassword;
      if (manage && given !== undefined) throw invalidCombination("You can't specify MasterUserPassword when ManageMasterUserPassword is turned on.");
      if (!manage) {
        if (typeof given !== "string" || given === "") throw invalidValue("The parameter MasterUserPassword must be provided and must not be blank.");
        if (given.length < 8) throw invalidValue("The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters.");
        if (/[/@" ]/.test(given)) throw invalidValue("The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.");
      }
      const dbName = input.DatabaseName;
      if (dbName !== undefined && (typeof dbName !== "string" || !/^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(dbName))) {
        throw invalidValue("DatabaseName must begin with a letter and contain only alphanumeric characters and underscores (1 to 63).");
      }
      const engineMode = input.EngineMode;
      if (engineMode !== undefined && engineMode !== "provisioned") throw invalidValue(`The local cloud serves EngineMode provisioned (Serverless v2) only, not ${String(engineMode)}.`);
      const { min, max, pause } = scaling(input);
      const arn = `arn:aws:rds:${ctx.region}:${ctx.account}:cluster:${identifier}`;
      const password = manage ? managedPassword() : (given as string);
      const record: ClusterRecord = {
        account: ctx.account,
        region: ctx.region,
        identifier,
        arn,
        resourceId: resourceId("cluster-"),
        engine,
        engineVersion: typeof input.EngineVersion === "string" && input.EngineVersion ? input.EngineVersion : DEFAULT_ENGINE_VERSION,
        masterUsername: username,
        masterPassword: password,
        databaseName: dbName as string | undefined,
        port: numberParam(input.Port, "Port") ?? 5432,
        minCapacity: min,
        maxCapacity: max,
        secondsUntilAutoPause: pause,
        httpEndpointEnabled: boolParam(input.EnableHttpEndpoint, "EnableHttpEndpoint") ?? false,
        deletionProtection: boolParam(input.DeletionProtection, "DeletionProtection") ?? false,
        status: "creating",
        created: Date.now(),
        tags: tagsParam(input.Tags),
        copyTagsToSnapshot: boolParam(input.CopyTagsToSnapshot, "CopyTagsToSnapshot") ?? false,
        storageEncrypted: boolParam(input.StorageEncrypted, "StorageEncrypted") ?? false,
        backupRetentionPeriod: numberParam(input.BackupRetentionPeriod, "BackupRetentionPeriod") ?? 1,
      };
      if (manage) {
        const sm = secrets();
        if (!sm) throw new AwsError("InvalidParameterCombination", "ManageMasterUserPassword needs Secrets Manager, which this cloud does not run.");
        record.masterSecretArn = sm.createServiceSecret(ctx.account, ctx.region, {
          name: `rds!cluster-${randomUUID()}`,
          description: `Secret associated with primary RDS DB cluster: ${arn}`,
          secretString: JSON.stringify({ username, password }),
          owningService: "rds",
          tags: [
            { Key: "aws:rds:primaryDBClusterArn", Value: arn },
            { Key: "aws:secretsmanager:owningService", Value: "rds" },
          ],
        });
      }
      state.clusters.set(keyOf(record), record);
      const output = clusterOutput(state, record);
      startCreate(record);
      return { DBCluster: output };
    },

    async DescribeDBClusters(ctx, input) {
      const id = typeof input.DBClusterIdentifier === "string" && input.DBClusterIdentifier ? input.DBClusterIdentifier : undefined;
      let list: ClusterRecord[];
      if (id) {
        const one = id.startsWith("arn:") ? state.clusterByArn(id) : state.clusters.get(recordKey(ctx.account, ctx.region, id.toLowerCase()));
        if (!one) throw clusterNotFound(id);
        list = [one];
      } else {
        list = state.clusters.withPrefix(`${ctx.account}:${ctx.region}:`).map(([, c]) => c);
      }
      for (const f of filtersParam(input.Filters)) {
        if (f.name === "db-cluster-id") list = list.filter((c) => f.values.some((v) => v.toLowerCase() === c.identifier || v === c.arn));
        else if (f.name === "engine") list = list.filter((c) => f.values.includes(c.engine));
        else if (f.name === "db-cluster-resource-id") list = list.filter((c) => f.values.includes(c.resourceId));
        else throw invalidValue(`Unrecognized filter name: ${f.name}.`);
      }
      await state.settle(list.map((c) => c.arn), SETTLE_MS);
      const now = list.map((c) => state.clusters.get(keyOf(c))).filter((c): c is ClusterRecord => !!c);
      if (id && now.length === 0) throw clusterNotFound(id);
      now.sort((a, b) => a.identifier.localeCompare(b.identifier));
      return { DBClusters: members(now.map((c) => clusterOutput(state, c)), "DBCluster") };
    },

    ModifyDBCluster(ctx, input) {
      const record = find(ctx, identifierParam(input.DBClusterIdentifier, "DBClusterIdentifier"));
      const { min, max, pause } = scaling(input, record);
      record.minCapacity = min;
      record.maxCapacity = max;
      record.secondsUntilAutoPause = pause;
      const http = boolParam(input.EnableHttpEndpoint, "EnableHttpEndpoint");
      if (http !== undefined) record.httpEndpointEnabled = http;
      const protection = boolParam(input.DeletionProtection, "DeletionProtection");
      if (protection !== undefined) record.deletionProtection = protection;
      state.clusters.set(keyOf(record), record);
      return { DBCluster: clusterOutput(state, record) };
    },

    EnableHttpEndpoint(_ctx, input) {
      return setHttpEndpoint(String(input.ResourceArn ?? ""), true);
    },

    DisableHttpEndpoint(_ctx, input) {
      return setHttpEndpoint(String(input.ResourceArn ?? ""), false);
    },

    DeleteDBCluster(ctx, input) {
      const record = find(ctx, identifierParam(input.DBClusterIdentifier, "DBClusterIdentifier"));
      const skip = boolParam(input.SkipFinalSnapshot, "SkipFinalSnapshot") ?? false;
      if (!skip && !input.FinalDBSnapshotIdentifier) throw invalidValue("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.");
      if (!skip) throw invalidCombination("The local cloud does not take snapshots: delete with SkipFinalSnapshot.");
      if (record.deletionProtection) throw invalidCombination("Cannot delete protected Cluster, please disable deletion protection and try again.");
      if (record.status === "deleting") throw new AwsError("InvalidDBClusterStateFault", `Cluster ${record.identifier} is already being deleted.`);
      if (state.instancesOf(record).some((i) => i.status !== "deleting")) {
        throw new AwsError("InvalidDBClusterStateFault", "Cluster cannot be deleted, it still contains DB instances in non-deleting state.");
      }
      record.status = "deleting";
      state.clusters.set(keyOf(record), record);
      const output = clusterOutput(state, record);
      startDelete(record);
      return { DBCluster: output };
    },
  };
}
