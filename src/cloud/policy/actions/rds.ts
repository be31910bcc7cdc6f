/**
 * RDS, the RDS Data API and Secrets Manager → IAM actions (aws-behavior.md §9).
 *
 * - RDS: `rds:<Operation>` on arn:aws:rds:<region>:<acct>:cluster:<id> or
 *   …:db:<id> (identifiers lower-cased, as RDS stores them); Describe*
 *   without an identifier on "*"; tag operations on ResourceName.
 * - Data API: `rds-data:<Operation>` on the cluster ARN (resourceArn) **and**
 *   `secretsmanager:GetSecretValue` on the secret (secretArn): the Data API
 *   reads the secret as the caller [DAPI data-api.access].
 * - Secrets Manager: `secretsmanager:<Operation>` on the secret's full ARN
 *   (with its random suffix: a SecretId given by name is resolved through
 *   the service, `where.resolveArn`); CreateSecret on
 *   …:secret:<Name>-?????? (the suffix is not known yet); ListSecrets and
 *   GetRandomPassword on "*".
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const RDS_KNOWN = new Set([
  "CreateDBCluster", "DescribeDBClusters", "ModifyDBCluster", "DeleteDBCluster", "EnableHttpEndpoint", "DisableHttpEndpoint",
  "CreateDBInstance", "DescribeDBInstances", "DeleteDBInstance", "AddTagsToResource", "RemoveTagsFromResource", "ListTagsForResource",
]);

export function rdsActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `rds:${operation}`;
  const base = `arn:aws:rds:${where.region}:${where.account}`;
  const cluster = str(input, "DBClusterIdentifier");
  const instance = str(input, "DBInstanceIdentifier");
  let resource = "*";
  if (operation.endsWith("TagsToResource") || operation.endsWith("TagsFromResource") || operation === "ListTagsForResource") resource = str(input, "ResourceName") ?? "*";
  else if (operation.endsWith("HttpEndpoint")) resource = str(input, "ResourceArn") ?? "*";
  else if (operation.includes("DBInstance") && instance) resource = instance.startsWith("arn:") ? instance : `${base}:db:${instance.toLowerCase()}`;
  else if (cluster) resource = cluster.startsWith("arn:") ? cluster : `${base}:cluster:${cluster.toLowerCase()}`;
  const checks = [{ action, resource }];
  // CreateDBInstance in a cluster also acts on the cluster, as AWS's authorization reference lists.
  if (operation === "CreateDBInstance" && cluster) checks.push({ action, resource: `${base}:cluster:${cluster.toLowerCase()}` });
  return { checks, guessed: !RDS_KNOWN.has(operation) };
}

const DATA_KNOWN = new Set(["ExecuteStatement", "BatchExecuteStatement", "BeginTransaction", "CommitTransaction", "RollbackTransaction", "ExecuteSql"]);

export function rdsDataActions(operation: string, input: Input): ActionMapping {
  const cluster = str(input, "resourceArn") ?? "*";
  const checks = [{ action: `rds-data:${operation}`, resource: cluster }];
  const secret = str(input, "secretArn");
  if (secret) checks.push({ action: "secretsmanager:GetSecretValue", resource: secret });
  return { checks, guessed: !DATA_KNOWN.has(operation) };
}

const SM_KNOWN = new Set([
  "CreateSecret", "GetSecretValue", "PutSecretValue", "UpdateSecret", "DescribeSecret", "ListSecrets", "DeleteSecret", "RestoreSecret",
  "TagResource", "UntagResource", "ListSecretVersionIds", "GetRandomPassword",
]);

export function secretsManagerActions(operation: string, input: Input, where: Where & { resolveArn?: (service: string, id: string) => string | undefined }): ActionMapping {
  const action = `secretsmanager:${operation}`;
  if (operation === "ListSecrets" || operation === "GetRandomPassword") return { checks: [{ action, resource: "*" }] };
  const base = `arn:aws:secretsmanager:${where.region}:${where.account}:secret:`;
  let resource: string;
  if (operation === "CreateSecret") resource = `${base}${str(input, "Name") ?? ""}-??????`;
  else {
    const id = str(input, "SecretId") ?? "";
    resource = where.resolveArn?.("secretsmanager", id) ?? (id.startsWith("arn:") ? id : `${base}${id}`);
  }
  return { checks: [{ action, resource }], guessed: !SM_KNOWN.has(operation) };
}
