/**
 * AWS Secrets Manager (awsJson 1.1, X-Amz-Target secretsmanager.<Op>):
 * secrets with versions and staging labels, tags, scheduled deletion,
 * persisted in the cloud's store. ARNs carry AWS's random suffix
 * (`…:secret:<name>-AbC123`); SecretId takes the name, the ARN or the
 * partial ARN. RDS creates the master-user secret of a cluster with
 * ManageMasterUserPassword through the internal API
 * `cloud.provide("secretsmanager", SecretsManagerInternalApi)` (name
 * `rds!cluster-<uuid>`, OwningService "rds", the `aws:rds:primaryDBClusterArn`
 * and `aws:secretsmanager:owningService` tags, SecretString
 * `{"username":…,"password":…}`), and deletes it with the cluster. The Data
 * API reads the current value through the same API, after IAM has checked
 * secretsmanager:GetSecretValue for the caller.
 *
 * Operations: CreateSecret, GetSecretValue, PutSecretValue, UpdateSecret,
 * DescribeSecret, ListSecrets (filters name, description, tag-key,
 * tag-value, owning-service, primary-region, all; NextToken paging),
 * DeleteSecret (recovery window or ForceDeleteWithoutRecovery),
 * RestoreSecret, TagResource, UntagResource, ListSecretVersionIds,
 * GetRandomPassword. Files: state.ts (records), handlers.ts.
 *
 * **Gaps** (not implemented)
 * - No rotation (RotateSecret, rotation Lambdas; RotationEnabled is always
 *   false, also for RDS-managed secrets that AWS rotates every 7 days), no
 *   resource policies (Get/Put/DeleteResourcePolicy), no replication, no
 *   BatchGetSecretValue, no KMS: KmsKeyId is stored and shown, never used.
 * - Secrets managed by RDS can be changed and deleted like any other (AWS
 *   refuses some changes to a managed secret).
 *
 * **By design**
 * - ForceDeleteWithoutRecovery frees the name at once (AWS deletes
 *   asynchronously, so re-creating the same name right away can fail there).
 * - A secret scheduled for deletion is purged on the first access after its
 *   DeletionDate (real days, not scaled).
 * - LastAccessedDate is rounded down to the day, as AWS reports it.
 *
 * **Client quirks**
 * - SDK v3 and the CLI fill ClientRequestToken with a fresh UUID when it is
 *   not given; it becomes the VersionId.
 * - RDS-managed names contain `!` (`rds!cluster-…`): in bash it must be
 *   single-quoted, or use the ARN.
 */
import type { ServiceFactory } from "../../core/service.js";
import type { SecretsManagerInternalApi } from "../../core/internal-apis.js";
import { jsonProtocol } from "../../protocols/json.js";
import { randomUUID } from "node:crypto";
import { SecretsState, newSecretArn } from "./state.js";
import { secretHandlers } from "./handlers.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

const createSecretsManager: ServiceFactory = (cloud) => {
  const state = new SecretsState(cloud);

  const internal: SecretsManagerInternalApi = {
    createServiceSecret(account, region, secret) {
      const now = Date.now();
      const arn = newSecretArn(account, region, secret.name);
      state.put({
        account,
        region,
        name: secret.name,
        arn,
        description: secret.description,
        tags: secret.tags,
        versions: [{ id: randomUUID(), secretString: secret.secretString, stages: ["AWSCURRENT"], created: now }],
        created: now,
        lastChanged: now,
        owningService: secret.owningService,
      });
      return arn;
    },
    deleteServiceSecret(secretArn) {
      const record = state.find("", "", secretArn);
      if (record) state.remove(record);
    },
    currentSecretString(account, region, secretId) {
      const record = state.find(account, region, secretId);
      if (!record || record.deletedAt !== undefined) return undefined;
      return record.versions.find((v) => v.stages.includes("AWSCURRENT"))?.secretString;
    },
    resolveArn(account, region, secretId) {
      return state.find(account, region, secretId)?.arn;
    },
  };
  cloud.provide<SecretsManagerInternalApi>("secretsmanager", internal);
  // Secrets scheduled for deletion are left out (tagging/index.ts, By design).
  cloud.provide<TaggedResourcesApi>("tags:secretsmanager", {
    taggedResources: (account, region) => taggedIn(state.secrets.values(), account, region, "secretsmanager:secret", { keep: (s) => s.deletedAt === undefined }),
  });

  return {
    name: "secretsmanager",
    signingNames: ["secretsmanager"],
    targetPrefixes: ["secretsmanager"],
    handle: jsonProtocol({
      service: "secretsmanager",
      version: "1.1",
      errorNamespace: "com.amazonaws.secretsmanager",
      operations: secretHandlers(state),
    }),
    reset: () => state.reset(),
  };
};
export default createSecretsManager;
