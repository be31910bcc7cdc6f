/**
 * Lab 03 — the requests the learner's policies must allow and must deny (the
 * grader's data, not a learner file; src/kit/grader/policy-table.ts runs them
 * through the policy evaluator). Replaces reading the documents' text: any
 * way of writing the grants passes, any statement that grants more fails
 * with the request it wrongly allows.
 */
import { OTHER_ACCOUNT, serviceGrantCases, trustPolicyTable, type PolicyTable } from "../../src/kit/grader/policy-table.js";

export { trustPolicyTable };

export interface ExecutionPolicyTargets {
  bucketName: string;
  tableArn: string;
  topicArn: string;
  functionName: string;
  region: string;
  accountId: string;
}

export function executionPolicyTable(t: ExecutionPolicyTargets): PolicyTable {
  const b = `arn:aws:s3:::${t.bucketName}`;
  const logGroup = `arn:aws:logs:${t.region}:${t.accountId}:log-group:/aws/lambda/${t.functionName}`;
  const stream = `${logGroup}:log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef`;
  const otherTable = t.tableArn.replace(/table\/.*/, "table/someone-elses-table");
  return {
    name: "the execution policy",
    kind: "identity",
    account: t.accountId,
    mustAllow: [
      { why: "the function reads the uploaded image", action: "s3:GetObject", resource: `${b}/uploads/holiday photos/beach day.jpg` },
      { why: "the function writes the thumbnail", action: "s3:PutObject", resource: `${b}/thumbnails/holiday photos/beach day.jpg` },
      { why: "the function stores the metadata", action: "dynamodb:PutItem", resource: t.tableArn },
      { why: "the function announces the thumbnail", action: "sns:Publish", resource: t.topicArn },
      { why: "the function writes its logs (no managed policy is attached in this lab)", action: "logs:CreateLogStream", resource: stream },
      { why: "the function writes its logs", action: "logs:PutLogEvents", resource: stream },
    ],
    mustDeny: [
      { why: "writing under uploads/ (the trigger) makes the function invoke itself — a loop", action: "s3:PutObject", resource: `${b}/uploads/x.jpg` },
      { why: "a sub-folder of uploads/ is still the trigger prefix — a loop", action: "s3:PutObject", resource: `${b}/uploads/thumbnails/x.jpg` },
      { why: `"thumbnails*" without the slash also covers look-alike prefixes`, action: "s3:PutObject", resource: `${b}/thumbnails-old/x.jpg` },
      { why: "writing outside thumbnails/ is not the function's job", action: "s3:PutObject", resource: `${b}/other/x.jpg` },
      { why: "reading outside uploads/ is not the function's job", action: "s3:GetObject", resource: `${b}/private/x.jpg` },
      { why: `"uploads*" without the slash also covers look-alike prefixes`, action: "s3:GetObject", resource: `${b}/uploads-private/x.jpg` },
      { why: "another bucket is not the function's", action: "s3:GetObject", resource: "arn:aws:s3:::someone-elses-bucket/uploads/x.jpg" },
      { why: "a look-alike bucket name is another bucket", action: "s3:GetObject", resource: `${b}-copy/uploads/x.jpg` },
      { why: "the function never deletes", action: "s3:DeleteObject", resource: `${b}/uploads/x.jpg` },
      { why: "the function never lists", action: "s3:ListBucket", resource: b },
      { why: "the function never changes the bucket's trigger", action: "s3:PutBucketNotification", resource: b },
      { why: "another table is not the function's", action: "dynamodb:PutItem", resource: otherTable },
      { why: "a look-alike table name is another table", action: "dynamodb:PutItem", resource: `${t.tableArn}-copy` },
      { why: "the function only puts items", action: "dynamodb:DeleteItem", resource: t.tableArn },
      { why: "the function only puts items", action: "dynamodb:Scan", resource: t.tableArn },
      { why: "the function never drops the table", action: "dynamodb:DeleteTable", resource: t.tableArn },
      { why: "another topic is not the function's", action: "sns:Publish", resource: t.topicArn.replace(/[^:]+$/, "someone-elses-topic") },
      { why: "a look-alike topic name is another topic", action: "sns:Publish", resource: `${t.topicArn}-copy` },
      { why: "the function only publishes", action: "sns:Subscribe", resource: t.topicArn },
      { why: "the function only publishes", action: "sns:DeleteTopic", resource: t.topicArn },
      { why: "another function's logs are not this function's", action: "logs:PutLogEvents", resource: `arn:aws:logs:${t.region}:${t.accountId}:log-group:/aws/lambda/someone-else:log-stream:x` },
      { why: "nothing outside the pipeline", action: "iam:PassRole", resource: `arn:aws:iam::${t.accountId}:role/any` },
      { why: "nothing outside the pipeline", action: "lambda:UpdateFunctionCode", resource: `arn:aws:lambda:${t.region}:${t.accountId}:function:${t.functionName}` },
    ],
  };
}

export function invokePermissionTable(input: { functionArn: string; bucketName: string; accountId: string }): PolicyTable {
  const grant = serviceGrantCases({ service: "s3.amazonaws.com", action: "lambda:InvokeFunction", resource: input.functionArn, sourceArn: `arn:aws:s3:::${input.bucketName}`, account: input.accountId, why: "S3 invokes the function for this bucket's uploads" });
  return {
    name: "the function's resource policy",
    kind: "resource",
    account: input.accountId,
    mustAllow: grant.mustAllow,
    mustDeny: [...grant.mustDeny, { why: "another account may not change the function", caller: { account: OTHER_ACCOUNT }, action: "lambda:UpdateFunctionCode", resource: input.functionArn }],
  };
}
