/**
 * Lab 06 — reference solution: what each rule sends where.
 */
import type { InputTransformer, Target } from "@aws-sdk/client-eventbridge";

/** The image rule starts the workflow; EventBridge acts with the role it is given. */
export function imageTargets(input: { stateMachineArn: string; roleArn: string }): Target[] {
  return [{ Id: "workflow", Arn: input.stateMachineArn, RoleArn: input.roleArn }];
}

/** The CSV rule invokes the import function with the whole event. */
export function csvTargets(input: { functionArn: string }): Target[] {
  return [{ Id: "importer", Arn: input.functionArn }];
}

/** "File <key> was deleted from bucket <bucket> at <time>." */
export function deletionMessage(): InputTransformer {
  return {
    InputPathsMap: { bucket: "$.detail.bucket.name", key: "$.detail.object.key", time: "$.time" },
    InputTemplate: '"File <key> was deleted from bucket <bucket> at <time>."',
  };
}

/** The deletion rule publishes the readable message to the topic. */
export function deletionTargets(input: { topicArn: string }): Target[] {
  return [{ Id: "deletions", Arn: input.topicArn, InputTransformer: deletionMessage() }];
}
