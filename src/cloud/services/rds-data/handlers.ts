/**
 * The Data API operations: which cluster and secret a request names, the
 * checks AWS makes before running SQL (cluster, Data API switched on, a
 * writer instance, the secret's credentials), then the statement through
 * the cluster's engine (engine-host.ts) and its result in the Data API's
 * shapes (results.ts). Error codes and texts: aws-behavior.md §9.
 */
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import type { Cloud } from "../../core/cloud.js";
import type { RdsClusterInfo, RdsInternalApi, SecretsManagerInternalApi } from "../../core/internal-apis.js";
import type { RestInput, RestRoute } from "../../protocols/rest-json.js";
import { pauseSettings, type EngineHost } from "./engine-host.js";
import { columnMetadata, formattedRecords, records, type ResultOptions } from "./results.js";
import { bindStatement, bindStatements, type SqlParameter } from "./sql-params.js";

/** The Data API's response limit [DAPI limitations]. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_SQL_CHARS = 65_536;

function badRequest(message: string): AwsError {
  return new AwsError("BadRequestException", message);
}

function requiredString(body: Record<string, unknown>, name: string, max?: number): string {
  const v = body[name];
  if (typeof v !== "string" || v === "") throw badRequest(`${name} is required.`);
  if (max !== undefined && v.length > max) throw badRequest(`${name} is longer than ${max} characters.`);
  return v;
}

export function dataApiHandlers(cloud: Cloud, engines: EngineHost) {
  const rds = () => cloud.use<RdsInternalApi>("rds");
  const secrets = () => cloud.use<SecretsManagerInternalApi>("secretsmanager");

  /** The cluster and credentials of a request, checked as AWS checks them before any SQL runs. */
  function connect(ctx: RequestContext, body: Record<string, unknown>, opens = true): { cluster: RdsClusterInfo } {
    const resourceArn = requiredString(body, "resourceArn", 570);
    const secretArn = requiredString(body, "secretArn", 570);
    const cluster = rds()?.cluster(resourceArn);
    if (!cluster || cluster.account !== ctx.account) throw badRequest(`Invalid resourceArn: no DB cluster ${resourceArn} in this account and region.`);
    if (cluster.status === "creating") throw new AwsError("InvalidResourceStateException", `DB cluster ${cluster.identifier} is still being created.`);
    if (cluster.status === "deleting") throw new AwsError("InvalidResourceStateException", `DB cluster ${cluster.identifier} is being deleted.`);
    if (!cluster.httpEndpointEnabled) throw new AwsError("HttpEndpointNotEnabledException", `HttpEndpoint is not enabled for cluster ${cluster.identifier}. Turn on the Data API (EnableHttpEndpoint) first.`);
    if (!cluster.hasWriter) throw new AwsError("DatabaseNotFoundException", "The DB cluster doesn't have a DB instance.", { status: 404 });
    const raw = secrets()?.currentSecretString(ctx.account, ctx.region, secretArn);
    if (raw === undefined) throw new AwsError("SecretsErrorException", `Secrets Manager can't find the specified secret ${secretArn} (or it has no current string value).`);
    let creds: { username?: unknown; password?: unknown };
    try {
      creds = JSON.parse(raw) as typeof creds;
    } catch {
      throw new AwsError("InvalidSecretException", "The secret's value is not JSON: it must be {\"username\": …, \"password\": …}.");
    }
    if (!creds || typeof creds.username !== "string" || typeof creds.password !== "string") {
      throw new AwsError("InvalidSecretException", "The secret's value must have string fields username and password.");
    }
    // The engine knows only the master user; anyone else is refused as PostgreSQL refuses a login.
    if (creds.username !== cluster.masterUsername || creds.password !== cluster.masterPassword) {
      throw badRequest(`FATAL: password authentication failed for user "${creds.username}"; SQLState: 28P01`);
    }
    if (!opens) return { cluster }; // Commit/Rollback and statements in a transaction continue the transaction's connection.
    // Like JDBC, the Data API connects to the database named after the user when `database` is not given (§9 note).
    const database = typeof body.database === "string" && body.database ? body.database : creds.username;
    const known = new Set(["postgres", cluster.databaseName].filter(Boolean));
    if (!known.has(database)) throw new AwsError("DatabaseErrorException", `FATAL: database "${database}" does not exist; SQLState: 3D000`);
    engines.checkResume(cluster.arn, pauseSettings(cluster));
    return { cluster };
  }

  function sqlOf(body: Record<string, unknown>): string {
    const sql = requiredString(body, "sql");
    if (sql.length > MAX_SQL_CHARS) throw badRequest(`sql is longer than ${MAX_SQL_CHARS} characters.`);
    return sql;
  }

  function transactionIdOf(body: Record<string, unknown>): string | undefined {
    const id = body.transactionId;
    if (id === undefined || id === null) return undefined;
    if (typeof id !== "string" || id === "" || id.length > 192) throw badRequest("transactionId must be a string of 1 to 192 characters.");
    return id;
  }

  function limited<T>(output: T): T {
    if (Buffer.byteLength(JSON.stringify(output)) > MAX_RESPONSE_BYTES) throw badRequest("Database returned more than the allowed response size limit");
    return output;
  }

  const route = (path: string, operation: string, handler: (ctx: RequestContext, body: Record<string, any>) => Promise<unknown>): RestRoute => ({
    method: "POST",
    path,
    operation,
    handler: (ctx: RequestContext, input: RestInput) => handler(ctx, input.body),
  });

  return [
    route("/Execute", "ExecuteStatement", async (ctx, body) => {
      // A statement in a transaction runs on the transaction's connection: its database was chosen at BeginTransaction.
      const { cluster } = connect(ctx, body, body.transactionId === undefined || body.transactionId === null);
      const statement = bindStatement(sqlOf(body), body.parameters as SqlParameter[] | undefined);
      const options: ResultOptions = (body.resultSetOptions as ResultOptions | undefined) ?? {};
      const result = await engines.execute(cluster.arn, statement, { transactionId: transactionIdOf(body), continueAfterTimeout: body.continueAfterTimeout === true });
      const hasRows = result.fields.length > 0;
      const json = body.formatRecordsAs === "JSON";
      return limited({
        records: hasRows && !json ? records(result, options) : undefined,
        formattedRecords: hasRows && json ? formattedRecords(result, options) : undefined,
        columnMetadata: hasRows && body.includeResultMetadata === true ? columnMetadata(result) : undefined,
        numberOfRecordsUpdated: result.command === "SELECT" ? 0 : result.affectedRows,
        // Aurora PostgreSQL never fills generatedFields (use RETURNING); AWS sends an empty list.
        generatedFields: hasRows ? undefined : [],
      });
    }),

    route("/BatchExecute", "BatchExecuteStatement", async (ctx, body) => {
      const { cluster } = connect(ctx, body, body.transactionId === undefined || body.transactionId === null);
      const sql = sqlOf(body);
      const sets = body.parameterSets === undefined ? [[]] : (body.parameterSets as SqlParameter[][]);
      if (!Array.isArray(sets)) throw badRequest("parameterSets must be a list of parameter lists.");
      const statements = bindStatements(sql, sets.map((set) => (Array.isArray(set) ? set : [])));
      let transactionId = transactionIdOf(body);
      // Without a transaction the batch is still all-or-nothing, as one JDBC batch is.
      const own = transactionId === undefined;
      if (own) transactionId = await engines.begin(cluster.arn);
      try {
        for (const statement of statements) await engines.execute(cluster.arn, statement, { transactionId });
        if (own) await engines.end(cluster.arn, transactionId!, "COMMIT");
      } catch (err) {
        if (own) await engines.end(cluster.arn, transactionId!, "ROLLBACK").catch(() => undefined);
        throw err;
      }
      return { updateResults: statements.map(() => ({ generatedFields: [] })) };
    }),

    route("/BeginTransaction", "BeginTransaction", async (ctx, body) => {
      const { cluster } = connect(ctx, body);
      return { transactionId: await engines.begin(cluster.arn) };
    }),

    route("/CommitTransaction", "CommitTransaction", async (ctx, body) => {
      const { cluster } = connect(ctx, body, false);
      return { transactionStatus: await engines.end(cluster.arn, requiredString(body, "transactionId", 192), "COMMIT") };
    }),

    route("/RollbackTransaction", "RollbackTransaction", async (ctx, body) => {
      const { cluster } = connect(ctx, body, false);
      return { transactionStatus: await engines.end(cluster.arn, requiredString(body, "transactionId", 192), "ROLLBACK") };
    }),

    route("/ExecuteSql", "ExecuteSql", async () => {
      throw badRequest("This API is deprecated and not available. Use ExecuteStatement API instead");
    }),
  ];
}
