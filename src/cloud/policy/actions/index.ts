/**
 * The request-to-action map (issue "Local cloud, part 4", deliverable 2):
 * for every operation the local cloud serves, the IAM action(s), the
 * resource ARN(s) and the service-specific condition keys, from the service
 * name, the operation and the parsed input the protocol layer hands to
 * `cloud.authorizer.authorize`. One file per service beside this one.
 *
 * An operation missing from a service's table is still mapped — to
 * "<prefix>:<Operation>" on the resource the input names — and flagged
 * `guessed`, so enforcement logs it instead of denying a learner for a gap in
 * this table.
 */
import type { AuthorizationRequest } from "../../core/authorizer.js";
import type { ActionMapping, Where } from "./types.js";
import { s3Actions } from "./s3.js";
import { sqsActions } from "./sqs.js";
import { snsActions } from "./sns.js";
import { lambdaActions } from "./lambda.js";
import { logsActions } from "./logs.js";
import { dynamodbActions } from "./dynamodb.js";
import { eventsActions } from "./events.js";
import { iamActions, stsActions } from "./iam.js";
import { statesActions } from "./states.js";
import { rdsActions, rdsDataActions, secretsManagerActions } from "./rds.js";
import { cloudwatchActions } from "./cloudwatch.js";
import { taggingActions } from "./tagging.js";

export type { ActionCheck, ActionMapping, Where } from "./types.js";
export { parseCopySource } from "./s3.js";
export { functionArn } from "./lambda.js";
export { queueArnFromUrl } from "./sqs.js";

/** The IAM service prefix of each registered service name. */
const PREFIX: Record<string, string> = { s3: "s3", sqs: "sqs", sns: "sns", lambda: "lambda", logs: "logs", dynamodb: "dynamodb", events: "events", iam: "iam", sts: "sts", states: "states", cloudwatch: "cloudwatch" };

export function actionsFor(request: AuthorizationRequest, where: Where): ActionMapping {
  const input = request.input ?? {};
  const { operation } = request;
  switch (request.service) {
    case "s3":
      return s3Actions(operation, input);
    case "sqs":
      return sqsActions(operation, input, where);
    case "sns":
      return snsActions(operation, input, where);
    case "lambda":
      return lambdaActions(operation, input, where);
    case "logs":
      return logsActions(operation, input, where);
    case "dynamodb":
      return dynamodbActions(operation, input, where);
    case "events":
      return eventsActions(operation, input, where);
    case "iam":
      return iamActions(operation, input, where);
    case "sts":
      return stsActions(operation, input);
    case "states":
      return statesActions(operation, input, where);
    case "rds":
      return rdsActions(operation, input, where);
    case "rds-data":
      return rdsDataActions(operation, input);
    case "secretsmanager":
      return secretsManagerActions(operation, input, where);
    case "cloudwatch":
      return cloudwatchActions(operation, input, where);
    case "tagging":
      return taggingActions(operation);
    default:
      return { checks: [{ action: `${PREFIX[request.service] ?? request.service}:${operation}`, resource: "*" }], guessed: true };
  }
}
