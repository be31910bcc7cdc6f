/**
 * Test helpers for Step Functions: a role Step Functions may assume with an
 * inline policy of the given statements, and "wait until the execution ends"
 * through DescribeExecution (the real SDK; no fixed sleeps).
 */
import { CreateRoleCommand, PutRolePolicyCommand, type IAMClient } from "@aws-sdk/client-iam";
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient } from "@aws-sdk/client-sfn";
import { eventually } from "./cloud.js";
import { trustPolicy } from "./lambda.js";

export async function createMachineRole(iam: IAMClient, name: string, statements: Array<Record<string, unknown>>, service = "states.amazonaws.com"): Promise<string> {
  const out = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy(service) }));
  if (statements.length) {
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "tasks", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
  }
  return out.Role!.Arn!;
}

export async function finished(sfn: SFNClient, executionArn: string, timeoutMs = 20_000): Promise<DescribeExecutionCommandOutput> {
  return eventually(async () => {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status === "RUNNING" ? undefined : out;
  }, timeoutMs, 25);
}
