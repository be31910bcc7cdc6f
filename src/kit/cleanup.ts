/**
 * Cleanup (issue 6, item 5): delete what the ledger says the kit created, in
 * dependency order — notification configurations, permissions, event source
 * mappings, functions, log groups, rules, subscriptions, topics, queues,
 * emptied (versioned) buckets, tables, role policies, roles, policies, DB
 * instances, DB clusters (their RDS-managed secret goes with them), secrets —
 * and nothing else. "Not found" counts as deleted, so running it twice is
 * harmless; each deleted entry leaves the ledger at once, so an interrupted
 * cleanup resumes where it stopped. A failure on one resource does not stop
 * the others; it is reported with the entry kept for the next run.
 */
import { PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { DeleteQueueCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { DeleteTopicCommand, GetTopicAttributesCommand, UnsubscribeCommand } from "@aws-sdk/client-sns";
import { DeleteEventSourceMappingCommand, DeleteFunctionCommand, RemovePermissionCommand } from "@aws-sdk/client-lambda";
import { DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DeleteRuleCommand, ListTargetsByRuleCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeletePolicyCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand } from "@aws-sdk/client-iam";
import type { Clients } from "./clients.js";
import { RESOURCE_TYPES, type Ledger, type LedgerEntry } from "./ledger.js";
import { emptyAndDeleteBucket } from "./resources/s3.js";
import { deleteDbCluster, deleteDbInstance } from "./resources/rds.js";
import { deleteSecretNow } from "./resources/secretsmanager.js";
import { errorCode, errorMessage } from "./wait.js";

/** Error codes that mean "already gone" for each service. */
const GONE = new Set([
  "NoSuchBucket",
  "NoSuchEntity",
  "ResourceNotFoundException",
  "QueueDoesNotExist",
  "AWS.SimpleQueueService.NonExistentQueue",
  "NotFound",
  "NotFoundException",
  "DBClusterNotFoundFault",
  "DBInstanceNotFoundFault",
  "DBInstanceNotFound", // the awsQuery code SDK v3 keeps in Code
]);

export interface CleanupResult {
  deleted: LedgerEntry[];
  alreadyGone: LedgerEntry[];
  failed: Array<{ entry: LedgerEntry; error: string }>;
}

async function deleteOne(clients: Clients, e: LedgerEntry): Promise<void> {
  switch (e.type) {
    case "s3-notification":
      await clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: e.name, NotificationConfiguration: {} }));
      return;
    case "lambda-permission":
      await clients.lambda.send(new RemovePermissionCommand({ FunctionName: e.parent!, StatementId: e.name }));
      return;
    case "lambda-event-source-mapping":
      await clients.lambda.send(new DeleteEventSourceMappingCommand({ UUID: e.name }));
      return;
    case "lambda-function":
      await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: e.name }));
      return;
    case "log-group":
      await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: e.name }));
      return;
    case "eventbridge-rule": {
      const targets = await clients.events.send(new ListTargetsByRuleCommand({ Rule: e.name }));
      const ids = (targets.Targets ?? []).map((t) => t.Id!);
      if (ids.length) await clients.events.send(new RemoveTargetsCommand({ Rule: e.name, Ids: ids }));
      await clients.events.send(new DeleteRuleCommand({ Name: e.name }));
      return;
    }
    case "sns-subscription":
      await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: e.name }));
      return;
    case "sns-topic":
      if (!e.arn) return;
      // DeleteTopic is idempotent (no error for a missing topic), so ask first: the report should say
      // "already gone" rather than "deleted" on a second run. NotFound here lands in GONE.
      await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: e.arn }));
      await clients.sns.send(new DeleteTopicCommand({ TopicArn: e.arn }));
      return;
    case "sqs-queue": {
      const url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: e.name }))).QueueUrl!;
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      return;
    }
    case "s3-bucket":
      await emptyAndDeleteBucket(clients.s3, e.name);
      return;
    case "dynamodb-table":
      await clients.dynamodb.send(new DeleteTableCommand({ TableName: e.name }));
      return;
    case "iam-role-policy":
      await clients.iam.send(new DeleteRolePolicyCommand({ RoleName: e.parent!, PolicyName: e.name }));
      return;
    case "iam-attached-policy":
      await clients.iam.send(new DetachRolePolicyCommand({ RoleName: e.parent!, PolicyArn: e.name }));
      return;
    case "iam-role":
      await clients.iam.send(new DeleteRoleCommand({ RoleName: e.name }));
      return;
    case "iam-policy":
      await clients.iam.send(new DeletePolicyCommand({ PolicyArn: e.arn ?? e.name }));
      return;
    case "rds-db-instance":
      await deleteDbInstance(clients.rds, e.name);
      return;
    case "rds-db-cluster":
      await deleteDbCluster(clients.rds, e.name);
      return;
    case "secretsmanager-secret":
      await deleteSecretNow(clients.secretsManager, e.arn ?? e.name);
      return;
  }
}

/** Delete `entries` in dependency order, removing each from the ledger as it goes. */
export async function cleanupEntries(clients: Clients, ledger: Ledger, entries: LedgerEntry[], onProgress: (e: LedgerEntry, outcome: "deleted" | "gone" | "failed") => void = () => {}): Promise<CleanupResult> {
  const result: CleanupResult = { deleted: [], alreadyGone: [], failed: [] };
  const order = (e: LedgerEntry) => RESOURCE_TYPES.indexOf(e.type);
  const sorted = [...entries].sort((a, b) => order(a) - order(b));
  for (const type of RESOURCE_TYPES) {
    // Resources of one type do not depend on each other: delete them side by side.
    const batch = sorted.filter((e) => e.type === type);
    await Promise.all(
      batch.map(async (entry) => {
        try {
          await deleteOne(clients, entry);
          ledger.remove(entry.id);
          result.deleted.push(entry);
          onProgress(entry, "deleted");
        } catch (err) {
          const code = errorCode(err);
          // A notification config or permission whose bucket/function is gone is gone too.
          if (code && (GONE.has(code) || (entry.type === "lambda-permission" && code === "ResourceNotFoundException"))) {
            ledger.remove(entry.id);
            result.alreadyGone.push(entry);
            onProgress(entry, "gone");
          } else {
            result.failed.push({ entry, error: `${code ?? "Error"}: ${errorMessage(err)}` });
            onProgress(entry, "failed");
          }
        }
      }),
    );
  }
  return result;
}
