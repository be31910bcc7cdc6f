/**
 * Test helpers for Lambda: a deployment package built in memory with fflate
 * (as `zip` would build it), the execution role (created through IAM), and "create and wait until Active"
 * through the real SDK waiter.
 */
import { zipSync, strToU8 } from "fflate";
import {
  CreateFunctionCommand,
  waitUntilFunctionActiveV2,
  type CreateFunctionCommandInput,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { AttachRolePolicyCommand, CreateRoleCommand, type IAMClient } from "@aws-sdk/client-iam";

export const ROLE_NAME = "lambda-test-role";
export const ROLE_ARN = `arn:aws:iam::000000000000:role/${ROLE_NAME}`;

/** A trust policy that lets the given service assume the role. */
export const trustPolicy = (service = "lambda.amazonaws.com") =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

export const BASIC_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

/**
 * An execution role created through IAM (the role check needs it), with
 * AWSLambdaBasicExecutionRole attached so the function's logs are written
 * (pass logs: false for a role without it).
 */
export async function createExecutionRole(iam: IAMClient, name = ROLE_NAME, service = "lambda.amazonaws.com", options: { logs?: boolean } = {}): Promise<string> {
  const out = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy(service) }));
  if (options.logs !== false) await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: BASIC_EXECUTION_POLICY }));
  return out.Role!.Arn!;
}

/** A zip with the given files (path → source text). */
export function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

export async function createFunction(
  lambda: LambdaClient,
  name: string,
  source: string,
  extra: Partial<CreateFunctionCommandInput> = {},
  file = "index.mjs",
): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE_ARN,
      Code: { ZipFile: zipOf({ [file]: source }) },
      ...extra,
    }),
  );
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
}
