/**
 * The kit's RDS and Secrets Manager helpers on a local cloud: a Data-API
 * cluster and its writer recorded in the ledger and waited for, reused
 * (not re-created) by ensureDataApiCluster, usable through the Data API with
 * the returned secret and database; cleanup deletes instance, cluster (and so
 * its RDS-managed secret) and the kit's own secret, never a secret the kit did
 * not create, and a second cleanup is harmless.
 */
import { afterAll, describe, expect, it } from "vitest";
import { DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import { CreateSecretCommand, GetSecretValueCommand, ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import { errorOf, startTestCloud } from "../helpers/cloud.js";
import { cleanupEntries } from "../../src/kit/cleanup.js";
import type { KitContext } from "../../src/kit/context.js";
import { namespaceFor } from "../../src/kit/names.js";
import { createDataApiCluster, ensureDataApiCluster } from "../../src/kit/resources/rds.js";
import { createSecret, readSecretJson } from "../../src/kit/resources/secretsmanager.js";
import { RESOURCE_TYPES } from "../../src/kit/ledger.js";
import { kitSession } from "./helpers.js";

const cloud = await startTestCloud({ iam: "off" });
const session = kitSession(cloud.endpoint);
afterAll(async () => {
  session.close();
  await cloud.close();
});

const statuses: string[] = [];
const ctx: KitContext = { target: session.target, clients: session.clients, ledger: session.ledger, lab: "04", names: namespaceFor("04", "tester"), by: "test", status: (s) => statuses.push(s), log: () => {} };

describe("kit: Data-API cluster and secrets", () => {
  it("orders deletions: instance before cluster", () => {
    expect(RESOURCE_TYPES.indexOf("rds-db-instance")).toBeLessThan(RESOURCE_TYPES.indexOf("rds-db-cluster"));
  });

  it("creates, reuses, cleans up exactly what it made", async () => {
    const foreign = await session.clients.secretsManager.send(new CreateSecretCommand({ Name: "not-made-by-the-kit", SecretString: "x" }));
    const cluster = await createDataApiCluster(ctx, ctx.names.resource("orders"));
    expect(statuses.at(-1)).toContain("available");
    const creds = await readSecretJson<{ username: string; password: string }>(ctx, cluster.secretArn);
    expect(creds.username).toBe("labadmin");
    const out = await session.clients.rdsData.send(new ExecuteStatementCommand({ resourceArn: cluster.clusterArn, secretArn: cluster.secretArn, database: cluster.database, sql: "SELECT 40 + 2 AS answer" }));
    expect(out.records).toEqual([[{ longValue: 42 }]]);

    const again = await ensureDataApiCluster(ctx, ctx.names.resource("orders"));
    expect(again).toEqual(cluster);
    const own = await createSecret(ctx, ctx.names.resource("api-key"), { key: "k" });

    const entries = session.ledger.list({ namespace: ctx.names.namespace });
    expect(entries.map((e) => e.type).sort()).toEqual(["rds-db-cluster", "rds-db-instance", "secretsmanager-secret"]);
    const first = await cleanupEntries(session.clients, session.ledger, entries);
    expect(first.failed).toEqual([]);
    expect(first.deleted).toHaveLength(3);
    const described = await errorOf(session.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster.identifier })));
    expect(described.name).toBe("DBClusterNotFoundFault");
    expect((await errorOf(session.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: cluster.secretArn })))).name).toBe("ResourceNotFoundException");
    const left = (await session.clients.secretsManager.send(new ListSecretsCommand({}))).SecretList!.map((s) => s.ARN);
    expect(left).toEqual([foreign.ARN]);
    expect(left).not.toContain(own.arn);

    const second = await cleanupEntries(session.clients, session.ledger, entries);
    expect(second.failed).toEqual([]);
    expect(second.alreadyGone).toHaveLength(3);
  }, 120_000); // a machine without the cached template builds it here first
});
