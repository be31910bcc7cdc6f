/**
 * Lab 02 — your function's resource-based policy statement.
 *
 * The role says what the function may do. Who may INVOKE the function is a
 * separate policy on the function itself, added with AddPermission. S3 invokes
 * as the service principal s3.amazonaws.com; scope it to your bucket
 * (SourceArn) and your account (SourceAccount) — otherwise any bucket in any
 * account that knows the function's ARN could trigger it.
 *
 * Without this statement, saving the bucket's notification configuration
 * fails with "Unable to validate the following destination configurations".
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
    // TODO: Action "lambda:InvokeFunction", Principal "s3.amazonaws.com",
    //   SourceArn: the bucket's ARN (arn:aws:s3:::<bucket>), SourceAccount: input.accountId
    Action: undefined,
    Principal: undefined,
  };
}
