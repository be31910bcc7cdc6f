/**
 * Lab 06 — reference solution: who may do what to each target, and no more.
 */
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

/** EventBridge assumes this role to start the workflow. */
export function eventsTrustPolicy(): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }] };
}

export function eventsRolePolicy(input: { stateMachineArn: string }): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Sid: "StartTheWorkflow", Effect: "Allow", Action: "states:StartExecution", Resource: input.stateMachineArn }] };
}

/** Step Functions assumes this role to run the workflow's tasks. */
export function workflowTrustPolicy(): PolicyDocument {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] };
}

export function workflowRolePolicy(input: { thumbnailFunctionArn: string; failureTopicArn: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "InvokeTheTask", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [input.thumbnailFunctionArn, `${input.thumbnailFunctionArn}:*`] },
      { Sid: "NotifyFailures", Effect: "Allow", Action: "sns:Publish", Resource: input.failureTopicArn },
    ],
  };
}

/** The import function's resource policy: only the CSV rule may invoke it. */
export function csvInvokePermission(input: { functionName: string; ruleArn: string }): AddPermissionCommandInput {
  return {
    FunctionName: input.functionName,
    StatementId: "allow-csv-rule",
    Action: "lambda:InvokeFunction",
    Principal: "events.amazonaws.com",
    SourceArn: input.ruleArn,
  };
}

/** The deletions topic's policy: only the deletion rule may publish. */
export function deletionTopicPolicy(input: { topicArn: string; ruleArn: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DeletionRulePublishes",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sns:Publish",
        Resource: input.topicArn,
        Condition: { ArnEquals: { "aws:SourceArn": input.ruleArn } },
      },
    ],
  };
}
