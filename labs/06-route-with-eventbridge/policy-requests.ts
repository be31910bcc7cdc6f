/**
 * Lab 06 — the requests the learner's policies must allow and must deny (the
 * grader's data, not a learner file; src/kit/grader/policy-table.ts runs them
 * through the policy evaluator):
 * - EventBridge's role: only events.amazonaws.com may assume it; it may start
 *   this workflow and nothing else;
 * - the workflow's role: only states.amazonaws.com may assume it; it may
 *   invoke its task function and publish to the failures topic, nothing else;
 * - the import function's resource policy (as Lambda saved it): only the CSV
 *   rule may invoke it;
 * - the deletions topic's policy (as SNS saved it): only the deletion rule may
 *   publish.
 * A rule's ARN names its account, so aws:SourceArn alone scopes these grants
 * (AWS's EventBridge examples use it without aws:SourceAccount); a grant with
 * aws:SourceAccount as well passes too.
 */
import { OTHER_ACCOUNT, type PolicyCase, type PolicyTable } from "../../src/kit/grader/policy-table.js";

/** "Only `service` may assume the role" — with the source it acts for, so trust conditions on it pass. */
export function serviceTrustTable(g: { roleArn: string; account: string; service: string; sourceArn: string; why: string }): PolicyTable {
  const assume = { action: "sts:AssumeRole", resource: g.roleArn };
  return {
    name: "the trust policy",
    kind: "resource",
    account: g.account,
    mustAllow: [{ why: g.why, caller: { service: g.service }, ...assume, sourceArn: g.sourceArn, sourceAccount: g.account }],
    mustDeny: [
      { why: `only ${g.service} may assume this role`, caller: { service: "lambda.amazonaws.com" }, ...assume, sourceAccount: g.account },
      { why: `only ${g.service} may assume this role`, caller: { service: g.service === "states.amazonaws.com" ? "events.amazonaws.com" : "states.amazonaws.com" }, ...assume, sourceAccount: g.account },
      { why: "another account must not get the role's permissions", caller: { account: OTHER_ACCOUNT }, ...assume },
      { why: "anonymous callers must not get the role's permissions", caller: "anonymous", ...assume },
    ],
  };
}

export function eventsRoleTable(t: { stateMachineArn: string; account: string; region: string }): PolicyTable {
  const other = t.stateMachineArn.replace(/stateMachine:.*/, "stateMachine:someone-elses-workflow");
  const execution = t.stateMachineArn.replace(":stateMachine:", ":execution:") + ":run-1";
  return {
    name: "EventBridge's role policy",
    kind: "identity",
    account: t.account,
    mustAllow: [{ why: "the image rule starts the workflow", action: "states:StartExecution", resource: t.stateMachineArn }],
    mustDeny: [
      { why: "another state machine is not this rule's target", action: "states:StartExecution", resource: other },
      { why: "a look-alike name is another state machine", action: "states:StartExecution", resource: `${t.stateMachineArn}-copy` },
      { why: "EventBridge only starts executions", action: "states:StopExecution", resource: execution },
      { why: "EventBridge only starts executions", action: "states:DeleteStateMachine", resource: t.stateMachineArn },
      { why: "EventBridge only starts executions", action: "states:UpdateStateMachine", resource: t.stateMachineArn },
      { why: "the rule's other targets need no role", action: "lambda:InvokeFunction", resource: `arn:aws:lambda:${t.region}:${t.account}:function:any` },
      { why: "nothing outside Step Functions", action: "sns:Publish", resource: `arn:aws:sns:${t.region}:${t.account}:any` },
      { why: "nothing outside Step Functions", action: "iam:PassRole", resource: `arn:aws:iam::${t.account}:role/any` },
    ],
  };
}

export function workflowRoleTable(t: { functionArn: string; failureTopicArn: string; deletionTopicArn: string; bucketName: string; account: string; region: string }): PolicyTable {
  const otherFn = t.functionArn.replace(/function:.*/, "function:someone-elses-function");
  return {
    name: "the workflow's role policy",
    kind: "identity",
    account: t.account,
    mustAllow: [
      { why: "the thumbnail tasks invoke the function", action: "lambda:InvokeFunction", resource: t.functionArn },
      { why: "the Catch path notifies failures", action: "sns:Publish", resource: t.failureTopicArn },
    ],
    mustDeny: [
      { why: "another function is not the workflow's task", action: "lambda:InvokeFunction", resource: otherFn },
      { why: "a look-alike name is another function", action: "lambda:InvokeFunction", resource: `${t.functionArn}-copy` },
      { why: "the workflow only invokes its task", action: "lambda:UpdateFunctionCode", resource: t.functionArn },
      { why: "the workflow only invokes its task", action: "lambda:DeleteFunction", resource: t.functionArn },
      { why: "the deletions topic is EventBridge's, not the workflow's", action: "sns:Publish", resource: t.deletionTopicArn },
      { why: "another topic is not the workflow's", action: "sns:Publish", resource: t.failureTopicArn.replace(/[^:]+$/, "someone-elses-topic") },
      { why: "the workflow only publishes", action: "sns:Subscribe", resource: t.failureTopicArn },
      { why: "the workflow only publishes", action: "sns:DeleteTopic", resource: t.failureTopicArn },
      { why: "the task function reads and writes S3, not the workflow", action: "s3:GetObject", resource: `arn:aws:s3:::${t.bucketName}/uploads/x.png` },
      { why: "the task function reads and writes S3, not the workflow", action: "s3:PutObject", resource: `arn:aws:s3:::${t.bucketName}/processed/x.png` },
      { why: "nothing outside the workflow's tasks", action: "iam:PassRole", resource: `arn:aws:iam::${t.account}:role/any` },
      { why: "nothing outside the workflow's tasks", action: "states:StartExecution", resource: `arn:aws:states:${t.region}:${t.account}:stateMachine:any` },
    ],
  };
}

/** A grant to events.amazonaws.com for one rule: the rule's request allowed; other rules, other services, other accounts refused. */
function ruleGrantCases(g: { action: string; resource: string; ruleArn: string; account: string; why: string }): Pick<PolicyTable, "mustAllow" | "mustDeny"> {
  const base = { caller: { service: "events.amazonaws.com" }, action: g.action, resource: g.resource };
  const otherRule = g.ruleArn.replace(/rule\/.*/, "rule/someone-elses-rule");
  const cases: PolicyCase[] = [
    { why: "another rule is not this target's", ...base, sourceArn: otherRule, sourceAccount: g.account },
    { why: "a look-alike rule name is another rule", ...base, sourceArn: `${g.ruleArn}-copy`, sourceAccount: g.account },
    { why: "a rule in another account is not yours", ...base, sourceArn: g.ruleArn.replace(`:${g.account}:`, `:${OTHER_ACCOUNT}:`), sourceAccount: OTHER_ACCOUNT },
    { why: "without aws:SourceArn any rule could send: condition on the rule's ARN", ...base, sourceAccount: g.account },
    { why: "only EventBridge may", ...base, caller: { service: "s3.amazonaws.com" }, sourceArn: g.ruleArn, sourceAccount: g.account },
    { why: "another account may not", ...base, caller: { account: OTHER_ACCOUNT } },
    { why: "anonymous callers may not", ...base, caller: "anonymous" },
  ];
  return { mustAllow: [{ why: g.why, ...base, sourceArn: g.ruleArn, sourceAccount: g.account }], mustDeny: cases };
}

export function csvPermissionTable(t: { functionArn: string; ruleArn: string; account: string }): PolicyTable {
  const grant = ruleGrantCases({ action: "lambda:InvokeFunction", resource: t.functionArn, ruleArn: t.ruleArn, account: t.account, why: "the CSV rule invokes the import function" });
  return {
    name: "the import function's resource policy",
    kind: "resource",
    account: t.account,
    mustAllow: grant.mustAllow,
    mustDeny: [...grant.mustDeny, { why: "EventBridge only invokes; it never changes the function", caller: { service: "events.amazonaws.com" }, action: "lambda:UpdateFunctionCode", resource: t.functionArn, sourceArn: t.ruleArn, sourceAccount: t.account }],
  };
}

export function deletionTopicTable(t: { topicArn: string; ruleArn: string; account: string }): PolicyTable {
  const grant = ruleGrantCases({ action: "sns:Publish", resource: t.topicArn, ruleArn: t.ruleArn, account: t.account, why: "the deletion rule publishes the message" });
  return {
    name: "the deletions topic's policy",
    kind: "resource",
    account: t.account,
    mustAllow: grant.mustAllow,
    mustDeny: [
      ...grant.mustDeny,
      { why: "EventBridge only publishes", caller: { service: "events.amazonaws.com" }, action: "sns:Subscribe", resource: t.topicArn, sourceArn: t.ruleArn, sourceAccount: t.account },
      { why: "EventBridge only publishes", caller: { service: "events.amazonaws.com" }, action: "sns:SetTopicAttributes", resource: t.topicArn, sourceArn: t.ruleArn, sourceAccount: t.account },
      { why: "another account may not subscribe to your deletions", caller: { account: OTHER_ACCOUNT }, action: "sns:Subscribe", resource: t.topicArn },
    ],
  };
}
