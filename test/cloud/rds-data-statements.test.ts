// The RDS Data API on a real PostgreSQL (PGlite) through @aws-sdk/client-rds-data
// and the AWS CLI: typed parameters and results, result metadata, JSON records,
// transactions (commit, rollback, not found), batches, SQL errors with their
// SQLSTATE, the checks before SQL runs (secret, database, Data API switch), the
// 1 MiB response limit, IAM (rds-data:* on the cluster AND
// secretsmanager:GetSecretValue on the secret). One cluster for the whole file;
// rows surviving a restart (kill -9) are in rds-data-autopause.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  RDSDataClient,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import { ModifyDBClusterCommand, RDSClient } from "@aws-sdk/client-rds";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { awsCliAsync, errorOf, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createTestCluster, execute, type TestCluster } from "./rds-fixture.js";

let cloud: TestCloud;
let data: RDSDataClient;
let cluster: TestCluster;
let base: { resourceArn: string; secretArn: string; database: string };

beforeAll(async () => {
  cloud = await startTestCloud();
  data = new RDSDataClient({ ...cloud.clientConfig, maxAttempts: 1 });
  cluster = await createTestCluster(cloud, "statements");
  base = { resourceArn: cluster.clusterArn, secretArn: cluster.secretArn, database: "postgres" };
  await execute(data, {
    ...base,
    sql: "CREATE TABLE orders (id serial PRIMARY KEY, sku text NOT NULL UNIQUE, qty int NOT NULL, price numeric(10,2), placed timestamp, meta jsonb, ok boolean, ratio float8, raw bytea)",
  });
}, 120_000);

afterAll(async () => {
  data?.destroy();
  await cloud?.close();
});

describe("ExecuteStatement", () => {
  it("binds typed parameters (with typeHints) and returns typed fields, RETURNING rows and numberOfRecordsUpdated", async () => {
    const out = await execute(data, {
      ...base,
      sql: "INSERT INTO orders (sku, qty, price, placed, meta, ok, ratio, raw) VALUES (:sku, :qty, :price, :placed, :meta, :ok, :ratio, :raw) RETURNING id, sku",
      parameters: [
        { name: "sku", value: { stringValue: "A-1" } },
        { name: "qty", value: { longValue: 3 } },
        { name: "price", value: { stringValue: "19.90" }, typeHint: "DECIMAL" },
        { name: "placed", value: { stringValue: "2026-12-01 10:30:00" }, typeHint: "TIMESTAMP" },
        { name: "meta", value: { stringValue: '{"source":"uploads/a.csv"}' }, typeHint: "JSON" },
        { name: "ok", value: { booleanValue: true } },
        { name: "ratio", value: { doubleValue: 0.25 } },
        { name: "raw", value: { blobValue: new Uint8Array([1, 2, 255]) } },
      ],
    });
    expect(out.numberOfRecordsUpdated).toBe(1);
    expect(out.records).toEqual([[{ longValue: 1 }, { stringValue: "A-1" }]]);

    const read = await execute(data, { ...base, sql: "SELECT id, sku, qty, price, placed, meta, ok, ratio, raw, NULL::text AS nothing, ARRAY[1,2,3] AS list, '2026-12-01 10:30:00+02'::timestamptz AS tz FROM orders WHERE sku = :sku", parameters: [{ name: "sku", value: { stringValue: "A-1" } }] });
    expect(read.numberOfRecordsUpdated).toBe(0);
    const [row] = read.records!;
    expect(row!.slice(0, 8)).toEqual([
      { longValue: 1 },
      { stringValue: "A-1" },
      { longValue: 3 },
      { stringValue: "19.90" },
      { stringValue: "2026-12-01 10:30:00" },
      { stringValue: '{"source": "uploads/a.csv"}' },
      { booleanValue: true },
      { doubleValue: 0.25 },
    ]);
    expect(Buffer.from(row![8]!.blobValue!)).toEqual(Buffer.from([1, 2, 255]));
    expect(row![9]).toEqual({ isNull: true });
    expect(row![10]).toEqual({ arrayValue: { longValues: [1, 2, 3] } });
    expect(row![11]).toEqual({ stringValue: "2026-12-01 08:30:00" }); // timestamptz: UTC, no offset
  });

  it("a stringValue without its typeHint is bound as varchar, so PostgreSQL refuses it for a timestamp column (as on AWS)", async () => {
    const err = await errorOf(execute(data, { ...base, sql: "UPDATE orders SET placed = :p", parameters: [{ name: "p", value: { stringValue: "2026-12-01 10:30:00" } }] }));
    expect(err.name).toBe("DatabaseErrorException");
    expect(err.message).toContain('column "placed" is of type timestamp without time zone but expression is of type character varying');
    expect(err.message).toMatch(/; SQLState: 42804$/);
  });

  it("includeResultMetadata adds columnMetadata; formatRecordsAs JSON returns formattedRecords keyed by label", async () => {
    const meta = await execute(data, { ...base, sql: "SELECT id, sku AS product, price FROM orders", includeResultMetadata: true });
    expect(meta.columnMetadata!.map((c) => [c.label, c.typeName, c.type])).toEqual([
      ["id", "int4", 4],
      ["product", "text", 12],
      ["price", "numeric", 2],
    ]);
    const json = await execute(data, { ...base, sql: "SELECT id, sku AS product, price, qty, ok FROM orders", formatRecordsAs: "JSON" });
    expect(json.records).toBeUndefined();
    expect(JSON.parse(json.formattedRecords!)).toEqual([{ id: 1, product: "A-1", price: "19.90", qty: 3, ok: true }]);
    const asNumbers = await execute(data, { ...base, sql: "SELECT price FROM orders", resultSetOptions: { decimalReturnType: "DOUBLE_OR_LONG" } });
    expect(asNumbers.records).toEqual([[{ doubleValue: 19.9 }]]);
  });

  it("a unique violation is DatabaseErrorException with PostgreSQL's message, detail and SQLSTATE 23505", async () => {
    const err = await errorOf(execute(data, { ...base, sql: "INSERT INTO orders (sku, qty) VALUES ('A-1', 1)" }));
    expect(err.name).toBe("DatabaseErrorException");
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.message).toBe('ERROR: duplicate key value violates unique constraint "orders_sku_key"\n  Detail: Key (sku)=(A-1) already exists.; SQLState: 23505');
    // ON CONFLICT is the idempotent way: no error, nothing updated.
    const again = await execute(data, { ...base, sql: "INSERT INTO orders (sku, qty) VALUES ('A-1', 1) ON CONFLICT (sku) DO NOTHING" });
    expect(again.numberOfRecordsUpdated).toBe(0);
  });

  it("refuses a wrong secret (BadRequestException), an unknown cluster, and a missing database (JDBC's default: the user's name)", async () => {
    const sm = new SecretsManagerClient({ ...cloud.clientConfig, maxAttempts: 1 });
    const wrong = await sm.send(new CreateSecretCommand({ Name: "not-the-master", SecretString: JSON.stringify({ username: "labadmin", password: "guess-again" }) }));
    sm.destroy();
    const bad = await errorOf(execute(data, { ...base, secretArn: wrong.ARN!, sql: "SELECT 1" }));
    expect(bad.name).toBe("BadRequestException");
    expect(bad.message).toContain('password authentication failed for user "labadmin"');
    const gone = await errorOf(execute(data, { ...base, resourceArn: base.resourceArn.replace("statements", "nope"), sql: "SELECT 1" }));
    expect(gone.name).toBe("BadRequestException");
    const noDb = await errorOf(execute(data, { resourceArn: base.resourceArn, secretArn: base.secretArn, sql: "SELECT 1" }));
    expect(noDb.name).toBe("DatabaseErrorException");
    expect(noDb.message).toBe('FATAL: database "labadmin" does not exist; SQLState: 3D000');
  });

  it("answers HttpEndpointNotEnabledException while the Data API is switched off", async () => {
    const rds = new RDSClient({ ...cloud.clientConfig, maxAttempts: 1 });
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: cluster.identifier, EnableHttpEndpoint: false }));
    const err = await errorOf(execute(data, { ...base, sql: "SELECT 1" }));
    await rds.send(new ModifyDBClusterCommand({ DBClusterIdentifier: cluster.identifier, EnableHttpEndpoint: true }));
    rds.destroy();
    expect(err.name).toBe("HttpEndpointNotEnabledException");
  });

  it("refuses a response over 1 MiB", async () => {
    const err = await errorOf(execute(data, { ...base, sql: "SELECT repeat('x', 1000) FROM generate_series(1, 1200)" }));
    expect(err.name).toBe("BadRequestException");
    expect(err.message).toContain("response size limit");
    // A result far past the limit is refused inside the engine process, and the cloud goes on.
    const huge = await errorOf(execute(data, { ...base, sql: "SELECT repeat('x', 100000) FROM generate_series(1, 500)" }));
    expect(huge.message).toBe("Database returned more than the allowed response size limit");
    expect((await execute(data, { ...base, sql: "SELECT 1" })).records).toEqual([[{ longValue: 1 }]]);
  });
});

describe("transactions", () => {
  it("commit makes the rows visible; rollback discards them; the id is gone afterwards", async () => {
    const t1 = await data.send(new BeginTransactionCommand(base));
    await execute(data, { ...base, transactionId: t1.transactionId, sql: "INSERT INTO orders (sku, qty) VALUES ('T-1', 1)" });
    // In a transaction the database was chosen at BeginTransaction: the SDK may leave it out.
    await execute(data, { resourceArn: base.resourceArn, secretArn: base.secretArn, transactionId: t1.transactionId, sql: "INSERT INTO orders (sku, qty) VALUES ('T-2', 2)" });
    expect((await data.send(new CommitTransactionCommand({ ...base, transactionId: t1.transactionId }))).transactionStatus).toBe("Transaction Committed");

    const t2 = await data.send(new BeginTransactionCommand(base));
    await execute(data, { ...base, transactionId: t2.transactionId, sql: "INSERT INTO orders (sku, qty) VALUES ('T-3', 3)" });
    expect((await data.send(new RollbackTransactionCommand({ ...base, transactionId: t2.transactionId }))).transactionStatus).toBe("Rollback Complete");

    const skus = await execute(data, { ...base, sql: "SELECT sku FROM orders WHERE sku LIKE 'T-%' ORDER BY sku" });
    expect(skus.records!.map((r) => r[0]!.stringValue)).toEqual(["T-1", "T-2"]);
    const err = await errorOf(data.send(new CommitTransactionCommand({ ...base, transactionId: t2.transactionId })));
    expect(err.name).toBe("TransactionNotFoundException");
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("a failed statement aborts the transaction: COMMIT then rolls back everything", async () => {
    const t = await data.send(new BeginTransactionCommand(base));
    await execute(data, { ...base, transactionId: t.transactionId, sql: "INSERT INTO orders (sku, qty) VALUES ('U-1', 1)" });
    const dup = await errorOf(execute(data, { ...base, transactionId: t.transactionId, sql: "INSERT INTO orders (sku, qty) VALUES ('U-1', 1)" }));
    expect(dup.message).toContain("SQLState: 23505");
    expect((await data.send(new CommitTransactionCommand({ ...base, transactionId: t.transactionId }))).transactionStatus).toBe("Rollback Complete");
    const count = await execute(data, { ...base, sql: "SELECT count(*) FROM orders WHERE sku = 'U-1'" });
    expect(count.records).toEqual([[{ longValue: 0 }]]);
  });

  it("BatchExecuteStatement runs one statement per parameter set, all or nothing", async () => {
    const sets = ["B-1", "B-2", "B-3"].map((sku, i) => [{ name: "sku", value: { stringValue: sku } }, { name: "qty", value: { longValue: i } }]);
    const out = await data.send(new BatchExecuteStatementCommand({ ...base, sql: "INSERT INTO orders (sku, qty) VALUES (:sku, :qty)", parameterSets: sets }));
    expect(out.updateResults).toHaveLength(3);
    const err = await errorOf(data.send(new BatchExecuteStatementCommand({ ...base, sql: "INSERT INTO orders (sku, qty) VALUES (:sku, 1)", parameterSets: [[{ name: "sku", value: { stringValue: "B-9" } }], [{ name: "sku", value: { stringValue: "B-1" } }]] })));
    expect(err.name).toBe("DatabaseErrorException");
    const count = await execute(data, { ...base, sql: "SELECT count(*) FROM orders WHERE sku LIKE 'B-%'" });
    expect(count.records).toEqual([[{ longValue: 3 }]]);
  });
});

describe("IAM: the caller needs rds-data:* on the cluster and secretsmanager:GetSecretValue on the secret", () => {
  it("denies a role without GetSecretValue, allows it once the secret is granted", async () => {
    const iam = new IAMClient(cloud.clientConfig);
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
    const role = await iam.send(new CreateRoleCommand({ RoleName: "loader", AssumeRolePolicyDocument: trust }));
    const allow = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
    await iam.send(new PutRolePolicyCommand({ RoleName: "loader", PolicyName: "data", PolicyDocument: allow([{ Effect: "Allow", Action: "rds-data:*", Resource: cluster.clusterArn }]) }));
    const creds = (await new STSClient(cloud.clientConfig).send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: "loader-test" }))).Credentials!;
    const asRole = new RDSDataClient({ ...cloud.clientConfig, maxAttempts: 1, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
    const denied = await errorOf(execute(asRole, { ...base, sql: "SELECT 1" }));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toContain("secretsmanager:GetSecretValue");
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: "loader",
        PolicyName: "data",
        PolicyDocument: allow([
          { Effect: "Allow", Action: "rds-data:*", Resource: cluster.clusterArn },
          { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:000000000000:secret:rds!cluster-*" },
        ]),
      }),
    );
    expect((await execute(asRole, { ...base, sql: "SELECT 1 AS one" })).records).toEqual([[{ longValue: 1 }]]);
    asRole.destroy();
    iam.destroy();
  });
});

describe.skipIf(!hasAwsCli)("the AWS CLI", () => {
  it("aws rds-data execute-statement with --parameters and --include-result-metadata", async () => {
    const r = await awsCliAsync(cloud, [
      "rds-data", "execute-statement",
      "--resource-arn", base.resourceArn, "--secret-arn", base.secretArn, "--database", "postgres",
      "--sql", "SELECT sku, qty FROM orders WHERE sku = :sku",
      "--parameters", JSON.stringify([{ name: "sku", value: { stringValue: "A-1" } }]),
      "--include-result-metadata",
    ]);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout);
    expect(out.records).toEqual([[{ stringValue: "A-1" }, { longValue: 3 }]]);
    expect(out.columnMetadata.map((c: { name: string }) => c.name)).toEqual(["sku", "qty"]);
  });
});
