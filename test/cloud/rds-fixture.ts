/**
 * One Aurora PostgreSQL Serverless v2 cluster with the Data API, its writer
 * instance and its RDS-managed secret, created through the real SDK clients
 * (and their waiters) — shared by the tests of one file, as the test-time
 * budget asks (the cached template makes the creation about a second).
 */
import { CreateDBClusterCommand, CreateDBInstanceCommand, RDSClient, waitUntilDBClusterAvailable, waitUntilDBInstanceAvailable } from "@aws-sdk/client-rds";
import { ExecuteStatementCommand, RDSDataClient, type ExecuteStatementCommandInput } from "@aws-sdk/client-rds-data";
import type { TestCloud } from "../helpers/cloud.js";

export interface TestCluster {
  clusterArn: string;
  secretArn: string;
  identifier: string;
}

export async function createTestCluster(cloud: TestCloud, identifier: string, options: { secondsUntilAutoPause?: number; databaseName?: string } = {}): Promise<TestCluster> {
  const rds = new RDSClient({ ...cloud.clientConfig, maxAttempts: 1 });
  try {
    const created = await rds.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: identifier,
        Engine: "aurora-postgresql",
        EngineVersion: "16.6",
        MasterUsername: "labadmin",
        ManageMasterUserPassword: true,
        EnableHttpEndpoint: true,
        DatabaseName: options.databaseName,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2, SecondsUntilAutoPause: options.secondsUntilAutoPause ?? 3600 },
      }),
    );
    await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: `${identifier}-writer`, DBClusterIdentifier: identifier, Engine: "aurora-postgresql", DBInstanceClass: "db.serverless" }));
    await waitUntilDBClusterAvailable({ client: rds, maxWaitTime: 120 }, { DBClusterIdentifier: identifier });
    await waitUntilDBInstanceAvailable({ client: rds, maxWaitTime: 120 }, { DBInstanceIdentifier: `${identifier}-writer` });
    return { clusterArn: created.DBCluster!.DBClusterArn!, secretArn: created.DBCluster!.MasterUserSecret!.SecretArn!, identifier };
  } finally {
    rds.destroy();
  }
}

/** ExecuteStatement, retrying DatabaseResumingException as learners are taught to. */
export async function execute(data: RDSDataClient, input: ExecuteStatementCommandInput) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await data.send(new ExecuteStatementCommand(input));
    } catch (err) {
      if ((err as Error).name !== "DatabaseResumingException" || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}
