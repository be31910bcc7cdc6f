/**
 * Lab 06 — who may do what to each target, and no more.
 *
 * - The workflow target: EventBridge assumes a ROLE (trust policy: the
 *   EventBridge service) that may start this state machine.
 * - The workflow itself runs its tasks as another role (trust: the Step
 *   Functions service) that may invoke the thumbnail function and publish to
 *   the failures topic.
 * - The import function and the deletions topic have resource policies:
 *   the EventBridge service may invoke / publish, for their rule only
 *   (aws:SourceArn = the rule's ARN).
 * AWS: "Using identity-based policies for EventBridge", "Using resource-based policies for EventBridge"
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html
 */
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function eventsTrustPolicy(): PolicyDocument {
  // TODO: let the EventBridge service assume this role.
  return { Version: "2012-10-17", Statement: [] };
}

export function eventsRolePolicy(input: { stateMachineArn: string }): PolicyDocument {
  // TODO: start executions of this one state machine.
  void input;
  return { Version: "2012-10-17", Statement: [] };
}

export function workflowTrustPolicy(): PolicyDocument {
  // TODO: let the Step Functions service assume this role.
  return { Version: "2012-10-17", Statement: [] };
}

export function workflowRolePolicy(input: { thumbnailFunctionArn: string; failureTopicArn: string }): PolicyDocument {
  // TODO: invoke the thumbnail function; publish to the failures topic. Nothing else.
  void input;
  return { Version: "2012-10-17", Statement: [] };
}

export function csvInvokePermission(input: { functionName: string; ruleArn: string }): AddPermissionCommandInput {
  return {
    FunctionName: input.functionName,
    StatementId: "allow-csv-rule",
    // TODO: let EventBridge invoke the function, for the CSV rule only.
    Action: undefined,
    Principal: undefined,
  };
}

export function deletionTopicPolicy(input: { topicArn: string; ruleArn: string }): PolicyDocument {
  // TODO: let EventBridge publish to the topic, for the deletion rule only.
  void input;
  return { Version: "2012-10-17", Statement: [] };
}
