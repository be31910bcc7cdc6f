/**
 * The checks CreateEventSourceMapping makes against the function on AWS:
 * the execution role must allow sqs:ReceiveMessage, sqs:DeleteMessage and
 * sqs:GetQueueAttributes on the queue ("The provided execution role does not
 * have permissions to call ReceiveMessage on SQS"), and the queue's
 * visibility timeout must not be shorter than the function's timeout.
 *
 * Both need the function's role and timeout, which Lambda offers through
 * `LambdaInternalApi.functionSettings` (optional in the interface); the role check also needs
 * IAM's internal API and runs only when IAM is enforced (as the function-log
 * permission does). When either API is missing the check is skipped and
 * logged once.
 */
import type { Cloud } from "../../../core/cloud.js";
import type { IamInternalApi, LambdaInternalApi } from "../../../core/internal-apis.js";
import { evaluateRoleSession } from "../../../policy/role-session.js";
import { invalidParameter } from "./errors.js";

const ACTIONS = ["ReceiveMessage", "DeleteMessage", "GetQueueAttributes"];

export function createRoleCheck(cloud: Cloud) {
  let warned = false;
  const warnOnce = (why: string) => {
    if (warned) return;
    warned = true;
    cloud.log.info(`lambda: event source mappings: ${why}`);
  };

  return function checkMappingPermissions(functionArn: string, queueArn: string, visibilityTimeout: number | undefined): void {
    const lambda = cloud.use<LambdaInternalApi>("lambda");
    const settings = lambda?.functionSettings?.(functionArn);
    if (!settings) {
      warnOnce("the Lambda internal API does not expose functionSettings, so the execution-role and visibility-timeout checks are skipped.");
      return;
    }
    if (visibilityTimeout !== undefined && visibilityTimeout < settings.timeout) {
      throw invalidParameter(`Queue visibility timeout: ${visibilityTimeout} seconds is less than Function timeout: ${settings.timeout} seconds`);
    }
    if (cloud.config.iam !== "enforce") return;
    const iam = cloud.use<IamInternalApi>("iam");
    if (!iam) {
      warnOnce("IAM's internal API is absent, so the execution role's SQS permissions are not checked.");
      return;
    }
    const account = functionArn.split(":")[4]!;
    const role = iam.getRole(account, settings.role);
    if (!role) throw invalidParameter(`The provided execution role does not have permissions to call ReceiveMessage on SQS`);
    const functionName = functionArn.split(":")[6]!;
    for (const action of ACTIONS) {
      const decision = evaluateRoleSession(iam, { account, roleName: role.roleName, sessionName: functionName }, `sqs:${action}`, queueArn);
      if (decision.decision !== "Allow") throw invalidParameter(`The provided execution role does not have permissions to call ${action} on SQS`);
    }
  };
}
