/**
 * IAM operations the labs share: a role with a trust policy (tagged), inline
 * and managed policies on it. IAM is eventually consistent on AWS: a new role
 * may be refused by Lambda for a few seconds — resources/lambda.ts retries.
 * On a shared account (target.permissionsBoundary, from
 * S3_EVENT_LABS_PERMISSIONS_BOUNDARY) every role is created with that
 * permissions boundary, which the participant policy requires.
 */
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand, waitUntilRoleExists } from "@aws-sdk/client-iam";
import { type KitContext, recordResource } from "../context.js";
import { kitTagList } from "../names.js";
import { errorCode } from "../wait.js";

export const BASIC_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

export async function createRole(ctx: KitContext, name: string, trustPolicy: unknown, description: string): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "iam-role", name);
  let arn: string;
  try {
    const out = await ctx.clients.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: JSON.stringify(trustPolicy),
        Description: description,
        Tags: kitTagList(ctx.lab, ctx.names.namespace),
        PermissionsBoundary: ctx.target.permissionsBoundary,
      }),
    );
    arn = out.Role!.Arn!;
  } catch (err) {
    if (errorCode(err) === "AccessDenied" && !ctx.target.permissionsBoundary && err instanceof Error) {
      // The participant policy of a shared account allows CreateRole only with the boundary.
      err.message += ". On a shared AWS account, set S3_EVENT_LABS_PERMISSIONS_BOUNDARY to the permissions boundary ARN your instructor gave you (docs/kit.md).";
    }
    if (errorCode(err) !== "EntityAlreadyExists") throw err;
    arn = (await ctx.clients.iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Arn!;
  }
  ctx.ledger.setArn(entry.id, arn);
  if (ctx.target.kind === "aws") await waitUntilRoleExists({ client: ctx.clients.iam, maxWaitTime: 60 }, { RoleName: name });
  return { name, arn };
}

export async function putRolePolicy(ctx: KitContext, roleName: string, policyName: string, document: unknown): Promise<void> {
  recordResource(ctx, "iam-role-policy", policyName, { parent: roleName });
  await ctx.clients.iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }));
}

export async function attachRolePolicy(ctx: KitContext, roleName: string, policyArn: string): Promise<void> {
  recordResource(ctx, "iam-attached-policy", policyArn, { parent: roleName });
  await ctx.clients.iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
}
