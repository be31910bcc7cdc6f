// RDS control plane through @aws-sdk/client-rds (and its waiters) and the AWS
// CLI: a Serverless v2 Data-API cluster with an RDS-managed master secret,
// its db.serverless writer, statuses creating → available → deleting → gone,
// tags, AWS's validation and state errors, and the managed secret going with
// the cluster. One cluster for the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddTagsToResourceCommand,
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  ListTagsForResourceCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  waitUntilDBClusterAvailable,
  waitUntilDBClusterDeleted,
  waitUntilDBInstanceAvailable,
  waitUntilDBInstanceDeleted,
} from "@aws-sdk/client-rds";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsCliAsync, errorOf, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let rds: RDSClient;
let sm: SecretsManagerClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  rds = new RDSClient({ ...cloud.clientConfig, maxAttempts: 1 });
  sm = new SecretsManagerClient({ ...cloud.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  rds?.destroy();
  sm?.destroy();
  await cloud?.close();
});

const clusterInput = {
  DBClusterIdentifier: "Orders-DB",
  Engine: "aurora-postgresql",
  EngineVersion: "16.6",
  MasterUsername: "labadmin",
  ManageMasterUserPassword: true,
  EnableHttpEndpoint: true,
  ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 600 },
  Tags: [{ Key: "lab", Value: "04" }],
};

describe("a Serverless v2 cluster from creation to deletion", () => {
  let clusterArn = "";
  let secretArn = "";

  it("CreateDBCluster answers creating, with the managed secret, the scaling configuration and the Data API on", async () => {
    const { DBCluster: c } = await rds.send(new CreateDBClusterCommand(clusterInput));
    expect(c!.Status).toBe("creating");
    expect(c!.DBClusterIdentifier).toBe("orders-db"); // stored lower-case, as RDS does
    expect(c!.DBClusterArn).toBe("arn:aws:rds:us-east-1:000000000000:cluster:orders-db");
    expect(c!.EngineMode).toBe("provisioned");
    expect(c!.HttpEndpointEnabled).toBe(true);
    expect(c!.ServerlessV2ScalingConfiguration).toEqual({ MinCapacity: 0, MaxCapacity: 4, SecondsUntilAutoPause: 600 });
    expect(c!.TagList).toEqual([{ Key: "lab", Value: "04" }]);
    expect(c!.MasterUserSecret!.SecretStatus).toBe("active");
    expect(c!.MasterUserSecret!.SecretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:rds!cluster-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/);
    clusterArn = c!.DBClusterArn!;
    secretArn = c!.MasterUserSecret!.SecretArn!;
  });

  it("the managed secret holds {username, password}, is owned by rds and tagged with the cluster", async () => {
    const value = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const creds = JSON.parse(value.SecretString!);
    expect(creds.username).toBe("labadmin");
    expect(creds.password).toMatch(/^.{20,}$/);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretArn }));
    expect(described.OwningService).toBe("rds");
    expect(described.Description).toBe(`Secret associated with primary RDS DB cluster: ${clusterArn}`);
    expect(described.Tags).toContainEqual({ Key: "aws:rds:primaryDBClusterArn", Value: clusterArn });
  });

  it("a db.serverless writer joins it; the SDK waiters see both available", async () => {
    const { DBInstance: i } = await rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: "orders-db-1", DBClusterIdentifier: "orders-db", Engine: "aurora-postgresql", DBInstanceClass: "db.serverless" }));
    expect(i!.DBInstanceStatus).toBe("creating");
    await waitUntilDBClusterAvailable({ client: rds, maxWaitTime: 120 }, { DBClusterIdentifier: "orders-db" });
    await waitUntilDBInstanceAvailable({ client: rds, maxWaitTime: 120 }, { DBInstanceIdentifier: "orders-db-1" });
    const { DBClusters } = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "orders-db" }));
    expect(DBClusters![0]!.Status).toBe("available");
    expect(DBClusters![0]!.DBClusterMembers).toEqual([expect.objectContaining({ DBInstanceIdentifier: "orders-db-1", IsClusterWriter: true })]);
    const { DBInstances } = await rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: "db-cluster-id", Values: ["orders-db"] }] }));
    expect(DBInstances!.map((x) => [x.DBInstanceIdentifier, x.DBInstanceStatus, x.DBInstanceClass])).toEqual([["orders-db-1", "available", "db.serverless"]]);
  }, 120_000); // a machine without the cached template builds it here first

  it("tags: add, list, remove", async () => {
    await rds.send(new AddTagsToResourceCommand({ ResourceName: clusterArn, Tags: [{ Key: "owner", Value: "me" }] }));
    await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: clusterArn, TagKeys: ["lab"] }));
    expect((await rds.send(new ListTagsForResourceCommand({ ResourceName: clusterArn }))).TagList).toEqual([{ Key: "owner", Value: "me" }]);
  });

  it.skipIf(!hasAwsCli)("aws rds describe-db-clusters shows it", async () => {
    const r = await awsCliAsync(cloud, ["rds", "describe-db-clusters", "--db-cluster-identifier", "orders-db"]);
    expect(r.stderr).toBe("");
    const c = JSON.parse(r.stdout).DBClusters[0];
    expect([c.Status, c.HttpEndpointEnabled, c.ServerlessV2ScalingConfiguration.MinCapacity]).toEqual(["available", true, 0]);
  });

  it("refuses what AWS refuses: a taken identifier, a bad one, a password with the managed one, deleting with live instances", async () => {
    expect((await errorOf(rds.send(new CreateDBClusterCommand(clusterInput)))).name).toBe("DBClusterAlreadyExistsFault");
    const bad = await errorOf(rds.send(new CreateDBClusterCommand({ ...clusterInput, DBClusterIdentifier: "9lives--" })));
    expect([bad.name, bad.$metadata.httpStatusCode]).toEqual(["InvalidParameterValue", 400]);
    const both = await errorOf(rds.send(new CreateDBClusterCommand({ ...clusterInput, DBClusterIdentifier: "other", MasterUserPassword: "secret-pass-1" })));
    expect(both.name).toBe("InvalidParameterCombination");
    const live = await errorOf(rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: "orders-db", SkipFinalSnapshot: true })));
    expect(live.name).toBe("InvalidDBClusterStateFault");
    expect(live.message).toBe("Cluster cannot be deleted, it still contains DB instances in non-deleting state.");
    const missing = await errorOf(rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: "nope" })));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(["DBClusterNotFoundFault", 404]);
    expect((await errorOf(rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: "nope" })))).name).toBe("DBInstanceNotFoundFault");
  });

  it("deleting: instance then cluster (SkipFinalSnapshot), both answer deleting, the waiters see them gone, the secret goes too", async () => {
    const { DBInstance } = await rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: "orders-db-1" }));
    expect(DBInstance!.DBInstanceStatus).toBe("deleting");
    const { DBCluster } = await rds.send(new DeleteDBClusterCommand({ DBClusterIdentifier: "orders-db", SkipFinalSnapshot: true }));
    expect(DBCluster!.Status).toBe("deleting");
    await waitUntilDBInstanceDeleted({ client: rds, maxWaitTime: 120 }, { DBInstanceIdentifier: "orders-db-1" });
    await waitUntilDBClusterDeleted({ client: rds, maxWaitTime: 120 }, { DBClusterIdentifier: "orders-db" });
    expect((await errorOf(sm.send(new GetSecretValueCommand({ SecretId: secretArn })))).name).toBe("ResourceNotFoundException");
  });
});
