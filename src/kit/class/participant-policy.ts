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
 * The permissions boundary (`boundaryPolicy`): the labs need a participant to
 * write inline policies on their own roles and pass those roles to their own
 * functions, state machines and rules — which, alone, would let a role of
 * theirs do anything in the account. So the participant may create a role,
 * and put, attach, delete or detach its policies, only when the role carries
 * the managed policy `s3-event-labs-boundary-<participant>` as its
 * permissions boundary (iam:PermissionsBoundary), may never remove a
 * boundary (DeleteRolePermissionsBoundary is denied) nor change the boundary
 * policy itself (its versions, its deletion). The boundary allows only what
 * the labs' functions, state machines and rules do, on `sel-<participant>-*`
 * resources: whatever inline policy the participant writes, their roles'
 * sessions can touch nothing of anyone else's. The instructor creates the
 * boundary policy once per participant (`participant-policy <name>
 * --boundary`, docs/instructors.md); the kit passes it on every CreateRole
 * when S3_EVENT_LABS_PERMISSIONS_BOUNDARY names it (target.ts).
 *
 * What it does not do, said plainly (docs/instructors.md):
 * - Costs are shared: nothing here caps spending (the boundary does not stop a
 *   participant from running up their own functions or tables).
 * - Reading account-wide lists shows other participants' resource names.
 * - A resource-based policy (bucket, queue, topic, function policy) that a
 *   participant writes on their own resource can grant access to it to
 *   anyone; and on AWS a same-account resource policy naming a role session
 *   ARN is not limited by the session's boundary. Neither reaches another
 *   participant's resources.
 */
export interface PolicyScope {
  account?: string;
  region?: string;
}

type Statement = { Sid: string; Effect: "Allow" | "Deny"; Action: string[]; Resource: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };

type Policy = { Version: "2012-10-17"; Statement: Statement[] };

function checkParticipant(participant: string): void {
  if (!/^[a-z0-9]{1,12}$/.test(participant)) throw new Error(`"${participant}" is not a participant id: 1–12 lowercase letters and digits (names.ts participantId).`);
}

/** What both policies are written with: the account ("*" when not given), the participant's name pattern, an ARN maker. */
function scoped(participant: string, scope: PolicyScope) {
  checkParticipant(participant);
  const a = scope.account ?? "*";
  const r = scope.region ?? "*";
  const arn = (service: string, resource: string, region = r) => `arn:aws:${service}:${region}:${a}:${resource}`;
  return { a, ns: `sel-${participant}-*`, arn };
}

/** The boundary policy's name: one per participant, created by the instructor. */
export function boundaryPolicyName(participant: string): string {
  checkParticipant(participant);
  return `s3-event-labs-boundary-${participant}`;
}

/** The boundary policy's ARN ("*" for the account when it is not given). */
export function boundaryPolicyArn(participant: string, account = "*"): string {
  return `arn:aws:iam::${account}:policy/${boundaryPolicyName(participant)}`;
}

/**
 * The permissions boundary of every role the participant creates: what the
 * labs' functions (logs, their buckets, tables, queues, topics, functions,
 * secrets, Data API), state machines (invoke, publish) and rules (start
 * executions, send to queues) need, on the participant's own resources only.
 * Nothing account-wide: not even events:PutEvents on the shared default bus,
 * which no lab's role needs.
 */
export function boundaryPolicy(participant: string, scope: PolicyScope = {}): Policy {
  const { ns, arn } = scoped(participant, scope);
  const allow = (Sid: string, Action: string[], Resource: string | string[]): Statement => ({ Sid, Effect: "Allow", Action, Resource });
  return {
    Version: "2012-10-17",
    Statement: [
      allow("OwnLogs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [arn("logs", `log-group:/aws/lambda/${ns}`), arn("logs", `log-group:/aws/lambda/${ns}:*`)]),
      allow("OwnBuckets", ["s3:*"], [`arn:aws:s3:::${ns}`, `arn:aws:s3:::${ns}/*`]),
      allow("OwnQueues", ["sqs:*"], arn("sqs", ns)),
      allow("OwnTopics", ["sns:*"], arn("sns", ns)),
      allow("OwnTables", ["dynamodb:*"], [arn("dynamodb", `table/${ns}`), arn("dynamodb", `table/${ns}/*`)]),
      allow("OwnFunctions", ["lambda:InvokeFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration"], [arn("lambda", `function:${ns}`), arn("lambda", `function:${ns}:*`)]),
      allow("OwnStateMachines", ["states:StartExecution", "states:StartSyncExecution", "states:DescribeExecution", "states:StopExecution"], [arn("states", `stateMachine:${ns}`), arn("states", `execution:${ns}:*`)]),
      allow("OwnDatabases", ["rds-data:*"], arn("rds", `cluster:${ns}`)),
      allow("OwnSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], arn("secretsmanager", `secret:${ns}`)),
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

export function participantPolicy(participant: string, scope: PolicyScope = {}): Policy {
  const { a, ns, arn } = scoped(participant, scope);
  const boundary = boundaryPolicyArn(participant, a);
  // With the account unknown the boundary's ARN has a "*" in it, which only StringLike matches.
  const boundaryIs = { [scope.account ? "StringEquals" : "StringLike"]: { "iam:PermissionsBoundary": boundary } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadOnlyAccountWide",
        Effect: "Allow",
        Action: [
          "sts:GetCallerIdentity", "s3:ListAllMyBuckets", "sqs:ListQueues", "sns:ListTopics", "sns:ListSubscriptions",
          "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:GetEventSourceMapping", "lambda:GetAccountSettings", "dynamodb:ListTables",
          "logs:DescribeLogGroups", "events:ListRules", "events:TestEventPattern", "events:ListArchives", "events:ListReplays", "states:ListStateMachines",
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
        // GetEventSourceMapping carries no lambda:FunctionArn on AWS, so it is with the account-wide reads above.
        Action: ["lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
        Resource: "*",
        Condition: { ArnLike: { "lambda:FunctionArn": arn("lambda", `function:${ns}`) } },
      },
      { Sid: "OwnTables", Effect: "Allow", Action: ["dynamodb:*"], Resource: [arn("dynamodb", `table/${ns}`), arn("dynamodb", `table/${ns}/*`)] },
      {
        Sid: "OwnRoles",
        Effect: "Allow",
        Action: [
          "iam:DeleteRole", "iam:GetRole", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:UpdateAssumeRolePolicy",
          "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
        ],
        Resource: `arn:aws:iam::${a}:role/${ns}`,
      },
      {
        Sid: "OwnRolesOnlyWithTheBoundary",
        Effect: "Allow",
        Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary"],
        Resource: `arn:aws:iam::${a}:role/${ns}`,
        Condition: boundaryIs,
      },
      { Sid: "NeverRemoveABoundary", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary"], Resource: "*" },
      {
        Sid: "NeverChangeTheBoundaryPolicy",
        Effect: "Deny",
        Action: ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"],
        Resource: boundary,
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
