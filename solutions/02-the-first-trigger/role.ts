/**
 * Lab 02 — reference solution: the execution role's trust policy and its S3
 * permissions (read uploads/, write reports/ only).
 */

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function trustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

export function s3AccessPolicy(input: { bucketName: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadUploads", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*` },
      { Sid: "WriteReports", Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${input.bucketName}/reports/*` },
    ],
  };
}
