/**
 * Lab 02 — reference solution: S3 may invoke the function, for this bucket
 * in this account only.
 */
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";

export interface PermissionInput {
  functionName: string;
  bucketName: string;
  accountId: string;
}

export function invokePermission(input: PermissionInput): AddPermissionCommandInput {
  return {
    FunctionName: input.functionName,
    StatementId: "allow-s3-invoke",
    Action: "lambda:InvokeFunction",
    Principal: "s3.amazonaws.com",
    SourceArn: `arn:aws:s3:::${input.bucketName}`,
    SourceAccount: input.accountId,
  };
}
