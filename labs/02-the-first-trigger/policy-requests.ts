/**
 * Lab 02 — the requests the learner's policies must allow and must deny (the
 * grader's data, not a learner file; src/kit/grader/policy-table.ts runs them
 * through the policy evaluator):
 * - the trust policy: only lambda.amazonaws.com may assume the role;
 * - the S3 access policy: read uploads/, write reports/ — nothing else, and
 *   above all no write under uploads/ (the function's own trigger);
 * - the function's resource policy (as Lambda saved it from AddPermission):
 *   only S3, only for this bucket in this account.
 */
import { OTHER_ACCOUNT, serviceGrantCases, trustPolicyTable, type PolicyTable } from "../../src/kit/grader/policy-table.js";

export { trustPolicyTable };

export function s3AccessTable(input: { bucketName: string; accountId: string }): PolicyTable {
  const b = `arn:aws:s3:::${input.bucketName}`;
  return {
    name: "the S3 access policy",
    kind: "identity",
    account: input.accountId,
    mustAllow: [
      { why: "the function reads the uploaded CSV", action: "s3:GetObject", resource: `${b}/uploads/sales.csv` },
      { why: "the function reads CSVs in sub-folders", action: "s3:GetObject", resource: `${b}/uploads/2024/q1/regional sales+eu.csv` },
      { why: "the function writes its summary", action: "s3:PutObject", resource: `${b}/reports/sales.json` },
      { why: "the function writes summaries in sub-folders", action: "s3:PutObject", resource: `${b}/reports/2024/q1/regional sales+eu.json` },
    ],
    mustDeny: [
      { why: "writing under uploads/ (its own trigger) can make the function invoke itself: limit s3:PutObject to reports/*", action: "s3:PutObject", resource: `${b}/uploads/x.csv` },
      { why: "a sub-folder of uploads/ is still the trigger prefix", action: "s3:PutObject", resource: `${b}/uploads/reports/x.csv` },
      { why: `"reports*" without the slash also covers look-alike prefixes`, action: "s3:PutObject", resource: `${b}/reports-archive/x.json` },
      { why: "writing anywhere else in the bucket is not the function's job", action: "s3:PutObject", resource: `${b}/other.json` },
      { why: `"uploads*" without the slash also covers look-alike prefixes`, action: "s3:GetObject", resource: `${b}/uploads-private/x.csv` },
      { why: "reading outside uploads/ is not the function's job", action: "s3:GetObject", resource: `${b}/private/secrets.csv` },
      { why: "another bucket is not the function's", action: "s3:GetObject", resource: "arn:aws:s3:::someone-elses-bucket/uploads/x.csv" },
      { why: "a look-alike bucket name is another bucket", action: "s3:GetObject", resource: `${b}-copy/uploads/x.csv` },
      { why: "the function never deletes", action: "s3:DeleteObject", resource: `${b}/uploads/sales.csv` },
      { why: "the function never deletes", action: "s3:DeleteObject", resource: `${b}/reports/sales.json` },
      { why: "the function never changes the bucket's configuration", action: "s3:PutBucketNotification", resource: b },
      { why: "the function never changes the bucket's policy", action: "s3:PutBucketPolicy", resource: b },
      { why: "nothing outside S3", action: "iam:PassRole", resource: `arn:aws:iam::${input.accountId}:role/any` },
      { why: "nothing outside S3", action: "dynamodb:DeleteTable", resource: `arn:aws:dynamodb:us-east-1:${input.accountId}:table/any` },
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
    mustDeny: [
      ...grant.mustDeny,
      { why: "S3 only invokes; it never changes the function", caller: { service: "s3.amazonaws.com" }, action: "lambda:UpdateFunctionCode", resource: input.functionArn, sourceArn: `arn:aws:s3:::${input.bucketName}`, sourceAccount: input.accountId },
      { why: "another account may not change the function", caller: { account: OTHER_ACCOUNT }, action: "lambda:UpdateFunctionCode", resource: input.functionArn },
    ],
  };
}
