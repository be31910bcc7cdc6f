/**
 * Lab 02 — your execution role's policies.
 *
 * A Lambda function acts with the permissions of its execution role. Two
 * documents decide what that means:
 *  - the TRUST policy says who may assume the role (here: the Lambda service);
 *  - a permissions policy says what the role may do. The kit attaches AWS's
 *    managed AWSLambdaBasicExecutionRole (write logs) for you; you write the
 *    inline policy for S3.
 */

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function trustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      // TODO: let the Lambda service assume this role. Read: README "Steps";
      //   AWS: "Lambda execution role" https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
    ],
  };
}

export function s3AccessPolicy(input: { bucketName: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadUploads",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${input.bucketName}/uploads/*`,
      },
      // TODO: the function also writes its summaries — allow that, but only under
      //   reports/. Writing anywhere else, uploads/ in particular, would let the
      //   function trigger itself. The statement above shows the shape.
    ],
  };
}
