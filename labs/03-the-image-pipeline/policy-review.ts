/**
 * Lab 03 — how the grader reads the learner's policy documents (not a learner
 * file). Pure functions, unit-tested in test/kit/lab03-policy-review.test.ts.
 *
 * "Least privilege" is checked two ways:
 *  - by what the policy ALLOWS, evaluated the way IAM matches identity
 *    policies (Allow statements, `*` and `?` wildcards, case-insensitive
 *    actions, case-sensitive resources, an explicit Deny wins): the function
 *    must be able to do its job (read uploads/, write thumbnails/, put one
 *    item, publish to one topic, write its logs) and must NOT be able to write
 *    to uploads/ (its own trigger: a loop), read outside uploads/, touch
 *    another bucket, table or topic, or delete anything;
 *  - by how it is WRITTEN: no wildcard actions (`s3:*`, `*`) and no
 *    `"Resource": "*"`, except in statements that only grant CloudWatch Logs
 *    actions (AWS's own AWSLambdaBasicExecutionRole does that).
 * Conditions are not evaluated (a statement with a Condition counts as
 * granting): the lab's policy needs none.
 */

export interface PolicyDocument {
  Version?: string;
  Statement?: unknown;
}

type Statement = Record<string, unknown>;

const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).map((x) => String(x));

function statements(doc: PolicyDocument | undefined): Statement[] {
  const s = doc?.Statement;
  if (Array.isArray(s)) return s.filter((x): x is Statement => !!x && typeof x === "object");
  if (s && typeof s === "object") return [s as Statement];
  return [];
}

/** IAM-style wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, caseInsensitive ? "is" : "s");
  return re.test(value);
}

function statementMatches(s: Statement, action: string, resource: string): boolean {
  const actionOk = s.Action !== undefined ? list(s.Action).some((a) => wildcardMatch(a, action, true)) : s.NotAction !== undefined && !list(s.NotAction).some((a) => wildcardMatch(a, action, true));
  if (!actionOk) return false;
  return s.Resource !== undefined ? list(s.Resource).some((r) => wildcardMatch(r, resource)) : s.NotResource !== undefined && !list(s.NotResource).some((r) => wildcardMatch(r, resource));
}

/** Does the identity policy allow `action` on `resource`? (explicit Deny wins) */
export function policyAllows(doc: PolicyDocument | undefined, action: string, resource: string): boolean {
  const all = statements(doc);
  if (all.some((s) => s.Effect === "Deny" && statementMatches(s, action, resource))) return false;
  return all.some((s) => s.Effect === "Allow" && statementMatches(s, action, resource));
}

/** Does the trust policy let the Lambda service assume the role? Returns the problem, or undefined. */
export function reviewTrustPolicy(doc: PolicyDocument | undefined): string | undefined {
  const all = statements(doc);
  if (all.length === 0) return "the trust policy has no statements: nobody may assume the role";
  const lambda = all.some((s) => {
    const principal = (s.Principal ?? {}) as Record<string, unknown>;
    return s.Effect === "Allow" && list(principal.Service).includes("lambda.amazonaws.com") && list(s.Action).some((a) => wildcardMatch(a, "sts:AssumeRole", true));
  });
  if (!lambda) return 'no statement lets the service "lambda.amazonaws.com" call sts:AssumeRole';
  const open = all.find((s) => s.Effect === "Allow" && (s.Principal === "*" || list((s.Principal as Record<string, unknown> | undefined)?.AWS).includes("*")));
  if (open) return 'a statement lets ANY principal ("*") assume the role — name only lambda.amazonaws.com';
  return undefined;
}

export interface ExecutionPolicyTargets {
  bucketName: string;
  tableArn: string;
  topicArn: string;
  functionName: string;
  region: string;
  accountId: string;
}

/** Everything wrong with the execution policy (empty: least privilege, and enough to work). */
export function reviewExecutionPolicy(doc: PolicyDocument | undefined, t: ExecutionPolicyTargets): string[] {
  const problems: string[] = [];
  const all = statements(doc);
  if (all.length === 0) return ["the execution policy has no statements: the function could not even write its logs"];
  const b = `arn:aws:s3:::${t.bucketName}`;
  const logGroup = `arn:aws:logs:${t.region}:${t.accountId}:log-group:/aws/lambda/${t.functionName}`;
  const stream = `${logGroup}:log-stream:2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef`;

  // How it is written.
  for (const [i, s] of all.entries()) {
    if (s.Effect !== "Allow") continue;
    const name = typeof s.Sid === "string" ? `statement "${s.Sid}"` : `statement ${i + 1}`;
    if (s.NotAction !== undefined) problems.push(`${name} uses NotAction, which allows every other action: list the actions you need`);
    if (s.NotResource !== undefined) problems.push(`${name} uses NotResource, which allows every other resource: list the resources you need`);
    const actions = list(s.Action);
    const logsOnly = actions.length > 0 && actions.every((a) => a.toLowerCase().startsWith("logs:"));
    for (const a of actions) if (a.includes("*") && !logsOnly) problems.push(`${name} has the wildcard action "${a}": name the one action needed (e.g. "s3:GetObject")`);
    if (!logsOnly && list(s.Resource).includes("*")) problems.push(`${name} grants ${actions.join(", ") || "its actions"} on "Resource": "*": name the bucket path, table or topic ARN`);
  }

  // Enough to work.
  const needs: Array<[string, string, string]> = [
    ["s3:GetObject", `${b}/uploads/holiday photos/beach day.jpg`, `s3:GetObject on ${b}/uploads/* (read the uploaded image)`],
    ["s3:PutObject", `${b}/thumbnails/holiday photos/beach day.jpg`, `s3:PutObject on ${b}/thumbnails/* (write the thumbnail)`],
    ["dynamodb:PutItem", t.tableArn, `dynamodb:PutItem on ${t.tableArn} (store the metadata)`],
    ["sns:Publish", t.topicArn, `sns:Publish on ${t.topicArn} (announce the thumbnail)`],
    ["logs:CreateLogStream", stream, `logs:CreateLogStream on ${logGroup}:* (the function's logs)`],
    ["logs:PutLogEvents", stream, `logs:PutLogEvents on ${logGroup}:* (the function's logs)`],
  ];
  for (const [action, resource, what] of needs) if (!policyAllows(doc, action, resource)) problems.push(`missing ${what}`);

  // Nothing more.
  const forbidden: Array<[string, string, string]> = [
    ["s3:PutObject", `${b}/uploads/x.jpg`, "s3:PutObject on uploads/ — the function could write to its own trigger and loop; allow thumbnails/* only"],
    ["s3:PutObject", `${b}/other/x.jpg`, "s3:PutObject outside thumbnails/"],
    ["s3:GetObject", `${b}/thumbnails/x.jpg`, "s3:GetObject outside uploads/ (thumbnails/ included): allow uploads/* only"],
    ["s3:GetObject", `${b}/private/x.jpg`, "s3:GetObject outside uploads/"],
    ["s3:DeleteObject", `${b}/uploads/x.jpg`, "s3:DeleteObject — the function never deletes"],
    ["s3:GetObject", `arn:aws:s3:::someone-elses-bucket/uploads/x.jpg`, "s3:GetObject on other buckets: name this bucket in the ARN"],
    ["s3:ListBucket", b, "s3:ListBucket — the function never lists"],
    ["dynamodb:PutItem", `${t.tableArn}-other`, "dynamodb:PutItem on other tables: use the table's ARN"],
    ["dynamodb:DeleteItem", t.tableArn, "dynamodb:DeleteItem — the function only puts items"],
    ["dynamodb:Scan", t.tableArn, "dynamodb:Scan — the function only puts items"],
    ["sns:Publish", `${t.topicArn}-other`, "sns:Publish on other topics: use the topic's ARN"],
    ["sns:DeleteTopic", t.topicArn, "sns:DeleteTopic — the function only publishes"],
    ["iam:PassRole", `arn:aws:iam::${t.accountId}:role/any`, "IAM actions"],
  ];
  for (const [action, resource, what] of forbidden) if (policyAllows(doc, action, resource)) problems.push(`too broad: it allows ${what}`);
  return [...new Set(problems)];
}
