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
    // TODO: let S3 invoke the function, for your bucket in your account only (see above).
    //   AWS: "Using resource-based policies in Lambda" and the AddPermission API reference
    //   https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
    Action: undefined,
    Principal: undefined,
  };
}
