/**
 * Step Functions operations → IAM actions (`states:<Operation>`). State
 * machines are arn:aws:states:<region>:<acct>:stateMachine:<name>, executions
 * arn:aws:states:<region>:<acct>:execution:<machine>:<name> (express:… for
 * EXPRESS). CreateStateMachine is checked on the ARN the name gives, and with
 * UpdateStateMachine also needs iam:PassRole on the role (iam:PassedToService
 * = states.amazonaws.com), as on AWS. StartExecution/StartSyncExecution are on
 * the state machine; Describe/Stop/GetExecutionHistory on the execution.
 */
import type { ActionCheck, ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const KNOWN = new Set([
  "CreateStateMachine", "DescribeStateMachine", "DescribeStateMachineForExecution", "ListStateMachines", "UpdateStateMachine", "DeleteStateMachine",
  "StartExecution", "StartSyncExecution", "DescribeExecution", "ListExecutions", "StopExecution", "GetExecutionHistory",
  "TagResource", "UntagResource", "ListTagsForResource", "ValidateStateMachineDefinition",
]);

export function statesActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `states:${operation}`;
  const checks: ActionCheck[] = [];
  if (operation === "CreateStateMachine") {
    checks.push({ action, resource: `arn:aws:states:${where.region}:${where.account}:stateMachine:${str(input, "name") ?? "*"}` });
  } else if (operation === "ListStateMachines" || operation === "ValidateStateMachineDefinition") {
    checks.push({ action, resource: "*" });
  } else if (["DescribeExecution", "StopExecution", "GetExecutionHistory", "DescribeStateMachineForExecution"].includes(operation)) {
    checks.push({ action, resource: str(input, "executionArn") ?? "*" });
  } else if (["TagResource", "UntagResource", "ListTagsForResource"].includes(operation)) {
    checks.push({ action, resource: str(input, "resourceArn") ?? "*" });
  } else {
    checks.push({ action, resource: str(input, "stateMachineArn") ?? "*" });
  }
  const role = str(input, "roleArn");
  if (role && (operation === "CreateStateMachine" || operation === "UpdateStateMachine")) {
    checks.push({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": "states.amazonaws.com" } });
  }
  return { checks, guessed: !KNOWN.has(operation) };
}
