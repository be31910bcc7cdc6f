/**
 * Lab 03 — reference solution: the execution role's trust policy, its
 * least-privilege permissions, and the statement that lets S3 invoke the
 * function.
 */
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export interface ExecutionPolicyInput {
  bucketName: string;
  tableArn: string;
  topicArn: string;
  functionName: string;
  region: string;
  accountId: string;
}

export function trustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

export function executionPolicy(input: ExecutionPolicyInput): PolicyDocument {
  const logGroup = `arn:aws:logs:${input.region}:${input.accountId}:log-group:/aws/lambda/${input.functionName}`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroup, `${logGroup}:*`] },
      { Sid: "ReadUploads", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*` },
      { Sid: "WriteThumbnails", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${input.bucketName}/thumbnails/*` },
      { Sid: "PutMetadata", Effect: "Allow", Action: "dynamodb:PutItem", Resource: input.tableArn },
      { Sid: "Announce", Effect: "Allow", Action: "sns:Publish", Resource: input.topicArn },
    ],
  };
}

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
