/**
 * Lab 03 — your execution role and the function's invoke permission.
 *
 * The function acts with its execution role. Least privilege means the role
 * may do exactly what the function needs and nothing more:
 *   - write its own logs (done for you below),
 *   - read the uploaded image:        s3:GetObject on   arn:aws:s3:::<bucket>/uploads/*
 *   - write the thumbnail:            s3:PutObject on   arn:aws:s3:::<bucket>/thumbnails/*
 *   - store the metadata:             dynamodb:PutItem  on the table's ARN
 *   - announce the result:            sns:Publish       on the topic's ARN
 * No wildcard actions ("s3:*"), no "Resource": "*". Above all, never
 * s3:PutObject on uploads/ — the function would be able to trigger itself.
 * The grader reads these documents, then creates the role with them: with
 * IAM enforced, a missing grant shows up as AccessDenied in the function's log.
 */
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export interface ExecutionPolicyInput {
  /** e.g. sel-ana-03-3fa9c2-images */
  bucketName: string;
  /** e.g. arn:aws:dynamodb:us-east-1:000000000000:table/sel-ana-03-3fa9c2-metadata */
  tableArn: string;
  /** e.g. arn:aws:sns:us-east-1:000000000000:sel-ana-03-3fa9c2-thumbnails */
  topicArn: string;
  functionName: string;
  region: string;
  accountId: string;
}

/** Who may assume the role: the Lambda service (you wrote this in lab 02). */
export function trustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/** What the function may do. */
export function executionPolicy(input: ExecutionPolicyInput): PolicyDocument {
  const logGroup = `arn:aws:logs:${input.region}:${input.accountId}:log-group:/aws/lambda/${input.functionName}`;
  return {
    Version: "2012-10-17",
    Statement: [
      // Logs: only this function's log group (what AWSLambdaBasicExecutionRole grants, narrowed).
      { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroup, `${logGroup}:*`] },
      // TODO 1: read the uploaded images (the list above says which action on which resource)
      // TODO 2: write the thumbnails — NOT under uploads/: that would be a loop
      // TODO 3: store the metadata item in the table
      // TODO 4: announce the result on the topic
    ],
  };
}

/**
 * The function's resource-based policy statement (lab 02): S3 may invoke it,
 * but only for this bucket (SourceArn) in this account (SourceAccount).
 */
export function invokePermission(input: { functionName: string; bucketName: string; accountId: string }): AddPermissionCommandInput {
  return {
    FunctionName: input.functionName,
    StatementId: "allow-s3-invoke",
    Action: "lambda:InvokeFunction",
    Principal: "s3.amazonaws.com",
    SourceArn: `arn:aws:s3:::${input.bucketName}`,
    SourceAccount: input.accountId,
  };
}
