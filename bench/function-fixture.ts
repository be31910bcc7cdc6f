/**
 * The bench's S3 → Lambda → SQS fixture, used by the `lambda` and `metrics`
 * scenarios: a bucket, a queue, a role that may send to it, a function
 * (the scenario's handler, given QUEUE_URL) waited until Active, and — when
 * asked — the invoke permission and notification that make every upload to
 * the bucket invoke it.
 */
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { AddPermissionCommand, CreateFunctionCommand, waitUntilFunctionActiveV2, type LambdaClient } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from "@aws-sdk/client-iam";
import { zipSync, strToU8 } from "fflate";
import { DEFAULT_ACCOUNT } from "../src/cloud/core/constants.js";

export interface FunctionFixture {
  queueUrl: string;
  functionArn: string;
}

export async function createFunctionFixture(c: { s3: S3Client; sqs: SQSClient; lambda: LambdaClient; iam: IAMClient }, names: { fn: string; bucket: string }, handlerSource: string): Promise<FunctionFixture> {
  await c.s3.send(new CreateBucketCommand({ Bucket: names.bucket }));
  const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: names.fn }));
  const { Attributes } = await c.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const { Role } = await c.iam.send(
    new CreateRoleCommand({
      RoleName: names.fn,
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    }),
  );
  await c.iam.send(
    new PutRolePolicyCommand({
      RoleName: names.fn,
      PolicyName: "send",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: Attributes!.QueueArn }] }),
    }),
  );
  const fn = await c.lambda.send(
    new CreateFunctionCommand({
      FunctionName: names.fn,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: Role!.Arn,
      Code: { ZipFile: zipSync({ "index.mjs": strToU8(handlerSource) }) },
      Environment: { Variables: { QUEUE_URL: QueueUrl! } },
    }),
  );
  await waitUntilFunctionActiveV2({ client: c.lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: names.fn });
  return { queueUrl: QueueUrl!, functionArn: fn.FunctionArn! };
}

/** Every object created in the bucket invokes the function (S3's permission, then the notification). */
export async function triggerFromBucket(c: { s3: S3Client; lambda: LambdaClient }, names: { fn: string; bucket: string }, functionArn: string): Promise<void> {
  await c.lambda.send(
    new AddPermissionCommand({ FunctionName: names.fn, StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: `arn:aws:s3:::${names.bucket}`, SourceAccount: DEFAULT_ACCOUNT }),
  );
  await c.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: names.bucket,
      NotificationConfiguration: { LambdaFunctionConfigurations: [{ LambdaFunctionArn: functionArn, Events: ["s3:ObjectCreated:*"] }] },
    }),
  );
}
