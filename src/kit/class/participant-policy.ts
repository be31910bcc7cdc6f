/**
 * Shared-AWS-account mode: an IAM identity policy that confines one
 * participant to their own resources. Every name the kit gives a resource
 * starts with the participant's namespace, `sel-<participant>-` (names.ts),
 * so the policy allows each service's actions only on ARNs with that prefix,
 * plus the read-only, account-wide calls the kit makes (listing, caller
 * identity) — which show other participants' names but never let anyone
 * change them. Resources AWS names itself are matched by what they belong
 * to: event source mappings by their function (lambda:FunctionArn), the
 * RDS-managed master secret by its cluster tag
 * (aws:rds:primaryDBClusterArn), executions by their state machine.
 *
 * What it does not do, said plainly (docs/instructors.md):
 * - It keeps participants from touching each other's resources through the
 *   APIs. A participant can still write any inline policy on their own
 *   roles and hand such a role to their own function (the labs need
 *   iam:PutRolePolicy and iam:PassRole on those roles), so it is no defence
 *   against a participant determined to escalate: for untrusted rooms, use one
 *   account per participant (AWS Organizations) or add a permissions boundary
 *   (not built into the kit).
 * - Costs are shared: nothing here caps spending.
 */

export interface PolicyScope {
  account?: string;
  region?: string;
}

type Statement = { Sid: string; Effect: "Allow"; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };

export function participantPolicy(participant: string, scope: PolicyScope = {}): { Version: "2012-10-17"; Statement: Statement[] } {
  if (!/^[a-z0-9]{1,12}$/.test(participant)) throw new Error(`"${participant}" is not a participant id: 1–12 lowercase letters and digits (names.ts participantId).`);
  const a = scope.account ?? "*";
  const r = scope.region ?? "*";
  const ns = `sel-${participant}-*`;
  const arn = (service: string, resource: string, region = r) => `arn:aws:${service}:${region}:${a}:${resource}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadOnlyAccountWide",
        Effect: "Allow",
        Action: [
          "sts:GetCallerIdentity", "s3:ListAllMyBuckets", "sqs:ListQueues", "sns:ListTopics", "sns:ListSubscriptions",
          "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:GetAccountSettings", "dynamodb:ListTables",
          "logs:DescribeLogGroups", "events:ListRules", "events:ListArchives", "events:ListReplays", "states:ListStateMachines",
          "cloudwatch:DescribeAlarms", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics",
          "rds:DescribeDBClusters", "rds:DescribeDBInstances", "secretsmanager:ListSecrets", "iam:ListRoles", "iam:ListPolicies",
          "tag:GetResources",
        ],
        Resource: "*",
      },
      { Sid: "OwnBuckets", Effect: "Allow", Action: ["s3:*"], Resource: [`arn:aws:s3:::${ns}`, `arn:aws:s3:::${ns}/*`] },
      { Sid: "OwnQueues", Effect: "Allow", Action: ["sqs:*"], Resource: arn("sqs", ns) },
      { Sid: "OwnTopics", Effect: "Allow", Action: ["sns:*"], Resource: arn("sns", ns) },
      { Sid: "OwnFunctions", Effect: "Allow", Action: ["lambda:*"], Resource: [arn("lambda", `function:${ns}`)] },
      {
        Sid: "OwnEventSourceMappings",
        Effect: "Allow",
        Action: ["lambda:CreateEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
        Resource: "*",
        Condition: { ArnLike: { "lambda:FunctionArn": arn("lambda", `function:${ns}`) } },
      },
      { Sid: "OwnTables", Effect: "Allow", Action: ["dynamodb:*"], Resource: [arn("dynamodb", `table/${ns}`), arn("dynamodb", `table/${ns}/*`)] },
      {
        Sid: "OwnRoles",
        Effect: "Allow",
        Action: [
          "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:UpdateAssumeRolePolicy",
          "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
          "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies",
        ],
        Resource: `arn:aws:iam::${a}:role/${ns}`,
      },
      {
        Sid: "OwnManagedPolicies",
        Effect: "Allow",
        Action: ["iam:CreatePolicy", "iam:DeletePolicy", "iam:GetPolicy", "iam:GetPolicyVersion", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:ListPolicyVersions"],
        Resource: `arn:aws:iam::${a}:policy/${ns}`,
      },
      {
        Sid: "PassOwnRolesToLabServices",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: `arn:aws:iam::${a}:role/${ns}`,
        Condition: { StringEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com"] } },
      },
      { Sid: "OwnLogGroups", Effect: "Allow", Action: ["logs:*"], Resource: [arn("logs", `log-group:/aws/lambda/${ns}`), arn("logs", `log-group:/aws/lambda/${ns}:*`)] },
      {
        Sid: "OwnEventBridge",
        Effect: "Allow",
        Action: ["events:*"],
        Resource: [arn("events", `rule/${ns}`), arn("events", `archive/${ns}`), arn("events", `replay/${ns}`)],
      },
      {
        Sid: "OwnStateMachines",
        Effect: "Allow",
        Action: ["states:*"],
        Resource: [arn("states", `stateMachine:${ns}`), arn("states", `execution:${ns}:*`), arn("states", `express:${ns}:*`)],
      },
      { Sid: "OwnAlarms", Effect: "Allow", Action: ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:SetAlarmState", "cloudwatch:DescribeAlarmHistory", "cloudwatch:TagResource"], Resource: arn("cloudwatch", `alarm:${ns}`) },
      { Sid: "OwnDatabases", Effect: "Allow", Action: ["rds:*", "rds-data:*"], Resource: [arn("rds", `cluster:${ns}`), arn("rds", `db:${ns}`)] },
      { Sid: "OwnSecrets", Effect: "Allow", Action: ["secretsmanager:*"], Resource: arn("secretsmanager", `secret:${ns}`) },
      {
        Sid: "OwnClustersManagedSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: arn("secretsmanager", "secret:rds!cluster-*"),
        Condition: { StringLike: { "secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn": arn("rds", `cluster:${ns}`) } },
      },
    ],
  };
}
