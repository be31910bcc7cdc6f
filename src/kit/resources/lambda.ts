/**
 * Lambda operations the labs share: create a function from a zip (retrying
 * while IAM has not propagated the new role — AWS says "The role defined for
 * the function cannot be assumed by Lambda" for a few seconds after
 * CreateRole), wait until it is Active (functions start Pending), add a
 * resource-policy statement, and record the log group Lambda creates on the
 * first invocation so cleanup removes it too.
 */
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  type AddPermissionCommandInput,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { type KitContext, pace, recordResource } from "../context.js";
import { kitTags } from "../names.js";
import { errorCode, errorMessage, pollUntil, retryWhile } from "../wait.js";

export interface FunctionInput {
  name: string;
  roleArn: string;
  zip: Uint8Array;
  handler: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  environment?: Record<string, string>;
  runtime?: Runtime;
}

const isRolePropagation = (err: unknown) => errorCode(err) === "InvalidParameterValueException" && /cannot be assumed/i.test(errorMessage(err));

export async function createFunction(ctx: KitContext, input: FunctionInput): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "lambda-function", input.name);
  recordResource(ctx, "log-group", `/aws/lambda/${input.name}`);
  const p = pace(ctx);
  const out = await retryWhile(
    () =>
      ctx.clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: input.name,
          Runtime: input.runtime ?? "nodejs20.x",
          Role: input.roleArn,
          Handler: input.handler,
          Code: { ZipFile: input.zip },
          Timeout: input.timeoutSeconds ?? 10,
          MemorySize: input.memoryMb ?? 256,
          Environment: input.environment ? { Variables: input.environment } : undefined,
          Architectures: ["x86_64"],
          Tags: kitTags(ctx.lab, ctx.names.namespace),
        }),
      ),
    // Only AWS needs the propagation retry; locally the first refusal is the real answer.
    (err) => ctx.target.kind === "aws" && isRolePropagation(err),
    { timeoutMs: p.propagationMs, intervalMs: 2000, what: "IAM to propagate the new role", onWait: (ms) => ctx.status(`waiting for IAM to propagate the role (${Math.round(ms / 1000)} s)…`) },
  );
  ctx.ledger.setArn(entry.id, out.FunctionArn!);
  await waitForFunctionActive(ctx, input.name);
  return { name: input.name, arn: out.FunctionArn! };
}

/** Functions are Pending right after CreateFunction; invoking or wiring them then fails with 409. */
export async function waitForFunctionActive(ctx: KitContext, name: string): Promise<void> {
  const p = pace(ctx);
  await pollUntil(
    async () => {
      const cfg = await ctx.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
      if (cfg.State === "Failed") throw new Error(`Function ${name} failed to become Active: ${cfg.StateReason ?? "no reason given"}`);
      return cfg.State === "Active" && cfg.LastUpdateStatus !== "InProgress" ? true : undefined;
    },
    { timeoutMs: ctx.target.kind === "aws" ? 120_000 : 15_000, intervalMs: p.intervalMs, maxIntervalMs: p.maxIntervalMs, what: `function ${name} to become Active`, onWait: () => ctx.status(`waiting for ${name} to become Active…`) },
  );
}

export async function addPermission(ctx: KitContext, input: AddPermissionCommandInput): Promise<string> {
  recordResource(ctx, "lambda-permission", input.StatementId!, { parent: input.FunctionName });
  const out = await ctx.clients.lambda.send(new AddPermissionCommand(input));
  return out.Statement ?? "";
}
