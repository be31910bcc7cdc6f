/**
 * The AWS managed policies the labs use, shipped as data with their real
 * documents (default versions as published in the AWS Managed Policy
 * Reference, docs.aws.amazon.com/aws-managed-policy/latest/reference/). They
 * exist in every account, cannot be changed or deleted, and are attachable.
 * Service-role policies live under the path /service-role/, so their ARN is
 * arn:aws:iam::aws:policy/service-role/<name>; the others sit at "/".
 *
 * By design: PolicyId is derived from the name (ANPA + 17 characters) so it is
 * stable across restarts; it is not the id AWS shows. Default version ids
 * are AWS's; dates are AWS's to the minute (seconds where a version date is
 * known), except where a comment says otherwise.
 */
import { createHash } from "node:crypto";

export interface AwsManagedPolicy {
  policyName: string;
  path: string;
  arn: string;
  policyId: string;
  description: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  /** The default version's document, as compact JSON. */
  document: string;
}

type Statement = Record<string, unknown>;

function doc(statements: Statement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

function stableId(name: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = createHash("sha256").update(`aws-managed-policy:${name}`).digest();
  let out = "ANPA";
  for (let i = 0; i < 17; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

function policy(p: Omit<AwsManagedPolicy, "arn" | "policyId">): AwsManagedPolicy {
  return { ...p, arn: `arn:aws:iam::aws:policy${p.path}${p.policyName}`, policyId: stableId(p.policyName) };
}

export const AWS_MANAGED_POLICIES: AwsManagedPolicy[] = [
  policy({
    policyName: "AWSLambdaBasicExecutionRole",
    path: "/service-role/",
    description: "Provides write permissions to CloudWatch Logs.",
    createDate: "2015-04-09T15:03:00Z",
    updateDate: "2015-04-09T15:03:00Z",
    defaultVersionId: "v1",
    document: doc([{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }]),
  }),
  policy({
    policyName: "AWSLambdaSQSQueueExecutionRole",
    path: "/service-role/",
    description: "Provides receive message, delete message, and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
    // Creation time not on record here: the default version's date stands in.
    createDate: "2018-06-14T21:50:45Z",
    updateDate: "2018-06-14T21:50:45Z",
    defaultVersionId: "v1",
    document: doc([
      {
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: "*",
      },
    ]),
  }),
  policy({
    policyName: "AWSLambdaRole",
    path: "/service-role/",
    description: "Default policy for AWS Lambda service role.",
    createDate: "2015-02-06T18:41:28Z",
    updateDate: "2015-02-06T18:41:28Z",
    defaultVersionId: "v1",
    document: doc([{ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: ["*"] }]),
  }),
  policy({
    policyName: "AmazonS3ReadOnlyAccess",
    path: "/",
    description: "Provides read only access to all buckets via the AWS Management Console.",
    createDate: "2015-02-06T18:40:00Z",
    updateDate: "2023-08-10T21:31:00Z",
    defaultVersionId: "v3",
    document: doc([
      { Effect: "Allow", Action: ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"], Resource: "*" },
    ]),
  }),
  policy({
    policyName: "AmazonS3FullAccess",
    path: "/",
    description: "Provides full access to all buckets via the AWS Management Console.",
    createDate: "2015-02-06T18:40:00Z",
    updateDate: "2021-09-27T20:16:37Z",
    defaultVersionId: "v2",
    document: doc([{ Effect: "Allow", Action: ["s3:*", "s3-object-lambda:*"], Resource: "*" }]),
  }),
  policy({
    policyName: "AmazonSNSFullAccess",
    path: "/",
    description: "Provides full access to Amazon SNS via the AWS Management Console.",
    createDate: "2015-02-06T18:41:05Z",
    updateDate: "2015-02-06T18:41:05Z",
    defaultVersionId: "v1",
    document: doc([{ Action: ["sns:*"], Effect: "Allow", Resource: "*" }]),
  }),
  policy({
    policyName: "AmazonSQSFullAccess",
    path: "/",
    description: "Provides full access to Amazon SQS via the AWS Management Console.",
    createDate: "2015-02-06T18:41:07Z",
    updateDate: "2015-02-06T18:41:07Z",
    defaultVersionId: "v1",
    document: doc([{ Action: ["sqs:*"], Effect: "Allow", Resource: "*" }]),
  }),
  policy({
    policyName: "AmazonDynamoDBFullAccess",
    path: "/",
    description: "Provides full access to Amazon DynamoDB via the AWS Management Console.",
    createDate: "2015-02-06T18:40:00Z",
    updateDate: "2021-01-29T17:38:30Z",
    defaultVersionId: "v15",
    document: doc([
      {
        Action: [
          "dynamodb:*",
          "dax:*",
          "application-autoscaling:DeleteScalingPolicy",
          "application-autoscaling:DeregisterScalableTarget",
          "application-autoscaling:DescribeScalableTargets",
          "application-autoscaling:DescribeScalingActivities",
          "application-autoscaling:DescribeScalingPolicies",
          "application-autoscaling:PutScalingPolicy",
          "application-autoscaling:RegisterScalableTarget",
          "cloudwatch:DeleteAlarms",
          "cloudwatch:DescribeAlarmHistory",
          "cloudwatch:DescribeAlarms",
          "cloudwatch:DescribeAlarmsForMetric",
          "cloudwatch:GetMetricStatistics",
          "cloudwatch:ListMetrics",
          "cloudwatch:PutMetricAlarm",
          "cloudwatch:GetMetricData",
          "datapipeline:ActivatePipeline",
          "datapipeline:CreatePipeline",
          "datapipeline:DeletePipeline",
          "datapipeline:DescribeObjects",
          "datapipeline:DescribePipelines",
          "datapipeline:GetPipelineDefinition",
          "datapipeline:ListPipelines",
          "datapipeline:PutPipelineDefinition",
          "datapipeline:QueryObjects",
          "ec2:DescribeVpcs",
          "ec2:DescribeSubnets",
          "ec2:DescribeSecurityGroups",
          "iam:GetRole",
          "iam:ListRoles",
          "kms:DescribeKey",
          "kms:ListAliases",
          "sns:CreateTopic",
          "sns:DeleteTopic",
          "sns:ListSubscriptions",
          "sns:ListSubscriptionsByTopic",
          "sns:ListTopics",
          "sns:Subscribe",
          "sns:Unsubscribe",
          "sns:SetTopicAttributes",
          "lambda:CreateFunction",
          "lambda:ListFunctions",
          "lambda:ListEventSourceMappings",
          "lambda:CreateEventSourceMapping",
          "lambda:DeleteEventSourceMapping",
          "lambda:GetFunctionConfiguration",
          "lambda:DeleteFunction",
          "resource-groups:ListGroups",
          "resource-groups:ListGroupResources",
          "resource-groups:GetGroup",
          "resource-groups:GetGroupQuery",
          "resource-groups:DeleteGroup",
          "resource-groups:CreateGroup",
          "tag:GetResources",
          "kinesis:ListStreams",
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
        ],
        Effect: "Allow",
        Resource: "*",
      },
      { Action: "cloudwatch:GetInsightRuleReport", Effect: "Allow", Resource: "arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*" },
      {
        Action: ["iam:PassRole"],
        Effect: "Allow",
        Resource: "*",
        Condition: {
          StringLike: {
            "iam:PassedToService": ["application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn", "dax.amazonaws.com"],
          },
        },
      },
      {
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "iam:AWSServiceName": [
              "replication.dynamodb.amazonaws.com",
              "dax.amazonaws.com",
              "dynamodb.application-autoscaling.amazonaws.com",
              "contributorinsights.dynamodb.amazonaws.com",
              "kinesisreplication.dynamodb.amazonaws.com",
            ],
          },
        },
      },
    ]),
  }),
  policy({
    policyName: "AWSLambda_FullAccess",
    path: "/",
    description: "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
    createDate: "2020-11-17T21:14:00Z",
    updateDate: "2026-02-11T22:18:56Z",
    defaultVersionId: "v5",
    document: doc([
      {
        Action: [
          "cloudformation:DescribeStacks",
          "cloudformation:ListStackResources",
          "cloudwatch:ListMetrics",
          "cloudwatch:GetMetricData",
          "ec2:DescribeSecurityGroups",
          "ec2:DescribeSubnets",
          "ec2:DescribeVpcs",
          "kms:DescribeKey",
          "kms:ListAliases",
          "iam:GetPolicy",
          "iam:GetPolicyVersion",
          "iam:GetRole",
          "iam:GetRolePolicy",
          "iam:ListAttachedRolePolicies",
          "iam:ListRolePolicies",
          "iam:ListRoles",
          "lambda:*",
          "logs:DescribeLogGroups",
          "states:DescribeStateMachine",
          "states:ListStateMachines",
          "tag:GetResources",
          "xray:GetTraceSummaries",
          "xray:BatchGetTraces",
        ],
        Resource: "*",
        Effect: "Allow",
      },
      { Action: "iam:PassRole", Resource: "*", Effect: "Allow", Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } } },
      {
        Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail"],
        Resource: "arn:aws:logs:*:*:log-group:/aws/lambda/*",
        Effect: "Allow",
      },
      {
        Action: "iam:CreateServiceLinkedRole",
        Resource: "arn:aws:iam::*:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda",
        Effect: "Allow",
        Condition: { StringEquals: { "iam:AWSServiceName": "lambda.amazonaws.com" } },
      },
    ]),
  }),
];

const BY_ARN = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

export function isAwsManagedArn(arn: string): boolean {
  return arn.startsWith("arn:aws:iam::aws:policy/");
}
