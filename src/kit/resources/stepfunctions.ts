/**
 * Step Functions operations (lab 06 and later): a tagged state machine
 * (recorded in the ledger before it is created, so cleanup deletes it),
 * starting an execution, waiting for it to end, and reading its whole
 * history. On AWS a role created a moment ago may not be assumable by
 * states.amazonaws.com yet ("Neither the global service principal …"):
 * creation retries while IAM propagates.
 */
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type HistoryEvent,
} from "@aws-sdk/client-sfn";
import { type KitContext, pace, recordResource } from "../context.js";
import { kitTags } from "../names.js";
import { errorCode, pollUntil, retryWhile } from "../wait.js";

export interface StateMachineInput {
  name: string;
  /** The ASL definition, as an object or its JSON text. */
  definition: unknown;
  roleArn: string;
  type?: "STANDARD" | "EXPRESS";
}

/** Create (or, when it already exists from an earlier run, update) a state machine. */
export async function createStateMachine(ctx: KitContext, input: StateMachineInput): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "sfn-state-machine", input.name);
  const definition = typeof input.definition === "string" ? input.definition : JSON.stringify(input.definition);
  const { propagationMs } = pace(ctx);
  let arn: string;
  try {
    const out = await retryWhile(
      () =>
        ctx.clients.sfn.send(
          new CreateStateMachineCommand({
            name: input.name,
            definition,
            roleArn: input.roleArn,
            type: input.type ?? "STANDARD",
            tags: Object.entries(kitTags(ctx.lab, ctx.names.namespace)).map(([key, value]) => ({ key, value })),
          }),
        ),
      (err) => errorCode(err) === "AccessDeniedException" && ctx.target.kind === "aws",
      { timeoutMs: propagationMs, what: `the role ${input.roleArn} to be assumable by Step Functions` },
    );
    arn = out.stateMachineArn!;
  } catch (err) {
    if (errorCode(err) !== "StateMachineAlreadyExists") throw err;
    arn = `arn:aws:states:${ctx.target.region}:${input.roleArn.split(":")[4]}:stateMachine:${input.name}`;
    await ctx.clients.sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn: input.roleArn }));
  }
  ctx.ledger.setArn(entry.id, arn);
  return { name: input.name, arn };
}

export async function deleteStateMachine(ctx: KitContext, arn: string): Promise<void> {
  try {
    await ctx.clients.sfn.send(new DeleteStateMachineCommand({ stateMachineArn: arn }));
  } catch (err) {
    if (errorCode(err) !== "StateMachineDoesNotExist") throw err;
  }
}

export async function startExecution(ctx: KitContext, stateMachineArn: string, input: unknown, name?: string): Promise<string> {
  const out = await ctx.clients.sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input ?? {}), name }));
  return out.executionArn!;
}

/** Wait until an execution is no longer RUNNING; returns DescribeExecution's answer. */
export async function waitForExecution(ctx: KitContext, executionArn: string, timeoutMs = 60_000): Promise<DescribeExecutionCommandOutput> {
  const { intervalMs, maxIntervalMs } = pace(ctx);
  return pollUntil(
    async () => {
      const out = await ctx.clients.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === "RUNNING" ? undefined : out;
    },
    { timeoutMs, intervalMs, maxIntervalMs, what: `execution ${executionArn.split(":").pop()} to finish`, onWait: (ms) => ctx.status(`waiting for the execution to finish (${Math.round(ms / 1000)} s)`) },
  );
}

/** Every history event of an execution, oldest first (follows nextToken). */
export async function executionHistory(ctx: KitContext, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.clients.sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Every execution of a state machine (newest first), optionally of one status. */
export async function listExecutions(ctx: KitContext, stateMachineArn: string, statusFilter?: ExecutionListItem["status"]): Promise<ExecutionListItem[]> {
  const out: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter, nextToken, maxResults: 1000 }));
    out.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}
