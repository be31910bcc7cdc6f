/**
 * DBCluster and DBInstance as DescribeDBClusters / DescribeDBInstances show
 * them (the botocore model's member names; list items are <DBCluster>,
 * <DBClusterMember>, <Tag>, <AvailabilityZone>… elements). Only the members
 * a Serverless v2 Data-API cluster has are written.
 */
import { members } from "../../protocols/xml.js";
import { recordKey, type ClusterRecord, type InstanceRecord, type RdsState } from "./state.js";

const AZS = ["a", "b", "c"];

export function clusterOutput(state: RdsState, c: ClusterRecord) {
  const instances = state.instancesOf(c);
  const writer = instances[0]?.identifier;
  const host = `${c.identifier}.cluster-local.${c.region}.rds.amazonaws.com`;
  return {
    AllocatedStorage: 1,
    AvailabilityZones: members(AZS.map((z) => `${c.region}${z}`), "AvailabilityZone"),
    BackupRetentionPeriod: c.backupRetentionPeriod,
    DatabaseName: c.databaseName,
    DBClusterIdentifier: c.identifier,
    DBClusterParameterGroup: `default.${c.engine}${c.engineVersion.split(".")[0]}`,
    DBSubnetGroup: "default",
    Status: c.status,
    EarliestRestorableTime: new Date(c.created),
    Endpoint: host,
    ReaderEndpoint: host.replace(".cluster-", ".cluster-ro-"),
    MultiAZ: false,
    Engine: c.engine,
    EngineVersion: c.engineVersion,
    LatestRestorableTime: new Date(),
    Port: c.port,
    MasterUsername: c.masterUsername,
    PreferredBackupWindow: "07:00-07:30",
    PreferredMaintenanceWindow: "sun:08:00-sun:08:30",
    ReadReplicaIdentifiers: members([], "ReadReplicaIdentifier"),
    DBClusterMembers: members(
      instances.map((i) => ({
        DBInstanceIdentifier: i.identifier,
        IsClusterWriter: i.identifier === writer,
        DBClusterParameterGroupStatus: "in-sync",
        PromotionTier: i.promotionTier,
      })),
      "DBClusterMember",
    ),
    VpcSecurityGroups: members([], "VpcSecurityGroupMembership"),
    HostedZoneId: "Z2R2ITUGPM61AM",
    StorageEncrypted: c.storageEncrypted,
    DbClusterResourceId: c.resourceId,
    DBClusterArn: c.arn,
    AssociatedRoles: members([], "DBClusterRole"),
    IAMDatabaseAuthenticationEnabled: false,
    ClusterCreateTime: new Date(c.created),
    EngineMode: "provisioned",
    DeletionProtection: c.deletionProtection,
    HttpEndpointEnabled: c.httpEndpointEnabled,
    CopyTagsToSnapshot: c.copyTagsToSnapshot,
    CrossAccountClone: false,
    TagList: members(c.tags, "Tag"),
    AutoMinorVersionUpgrade: true,
    ServerlessV2ScalingConfiguration:
      c.minCapacity !== undefined
        ? {
            MinCapacity: c.minCapacity,
            MaxCapacity: c.maxCapacity,
            // AWS shows SecondsUntilAutoPause only while MinCapacity is 0 (§9).
            SecondsUntilAutoPause: c.minCapacity === 0 ? c.secondsUntilAutoPause : undefined,
          }
        : undefined,
    MasterUserSecret: c.masterSecretArn ? { SecretArn: c.masterSecretArn, SecretStatus: "active", KmsKeyId: `arn:aws:kms:${c.region}:${c.account}:key/aws/secretsmanager` } : undefined,
    EngineLifecycleSupport: "open-source-rds-extended-support",
  };
}

export function instanceOutput(state: RdsState, i: InstanceRecord) {
  const cluster = state.clusters.get(recordKey(i.account, i.region, i.clusterIdentifier));
  return {
    DBInstanceIdentifier: i.identifier,
    DBInstanceClass: i.instanceClass,
    Engine: i.engine,
    DBInstanceStatus: i.status,
    MasterUsername: cluster?.masterUsername,
    DBName: cluster?.databaseName,
    Endpoint: i.status === "creating" ? undefined : { Address: `${i.identifier}.local.${i.region}.rds.amazonaws.com`, Port: cluster?.port ?? 5432, HostedZoneId: "Z2R2ITUGPM61AM" },
    AllocatedStorage: 1,
    InstanceCreateTime: i.status === "creating" ? undefined : new Date(i.created),
    PreferredBackupWindow: "07:00-07:30",
    BackupRetentionPeriod: cluster?.backupRetentionPeriod ?? 1,
    DBSecurityGroups: members([], "DBSecurityGroup"),
    VpcSecurityGroups: members([], "VpcSecurityGroupMembership"),
    DBParameterGroups: members([{ DBParameterGroupName: `default.${i.engine}${i.engineVersion.split(".")[0]}`, ParameterApplyStatus: "in-sync" }], "DBParameterGroup"),
    AvailabilityZone: `${i.region}a`,
    PreferredMaintenanceWindow: "sun:08:00-sun:08:30",
    MultiAZ: false,
    EngineVersion: i.engineVersion,
    AutoMinorVersionUpgrade: true,
    LicenseModel: "postgresql-license",
    PubliclyAccessible: i.publiclyAccessible,
    StorageType: "aurora",
    DbInstancePort: 0,
    DBClusterIdentifier: i.clusterIdentifier,
    StorageEncrypted: cluster?.storageEncrypted ?? false,
    DbiResourceId: i.resourceId,
    CACertificateIdentifier: "rds-ca-rsa2048-g1",
    PromotionTier: i.promotionTier,
    DBInstanceArn: i.arn,
    IAMDatabaseAuthenticationEnabled: false,
    PerformanceInsightsEnabled: false,
    DeletionProtection: false,
    TagList: members(i.tags, "Tag"),
    CustomerOwnedIpEnabled: false,
    BackupTarget: "region",
    NetworkType: "IPV4",
  };
}
