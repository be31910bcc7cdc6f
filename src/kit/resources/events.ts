/**
 * EventBridge operations (lab 06 and later): rules on the default bus with an
 * event pattern (recorded, tagged), their targets (PutTargets reports problems
 * per target in FailedEntries, not as an error — returned for the caller to
 * word), archives, and waiting for a replay to finish.
 */
import {
  CreateArchiveCommand,
  DescribeReplayCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  type PutTargetsResultEntry,
  type StartReplayCommandInput,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { type KitContext, pace, recordResource } from "../context.js";
import { kitTags } from "../names.js";
import { pollUntil } from "../wait.js";

/** The account's default event bus, where S3 (EventBridgeConfiguration) puts its events. */
export function defaultBusArn(ctx: KitContext): string {
  return `arn:aws:events:${ctx.target.region}:${ctx.target.account}:event-bus/default`;
}

export async function putRule(ctx: KitContext, name: string, pattern: unknown, description: string): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "eventbridge-rule", name);
  const out = await ctx.clients.events.send(
    new PutRuleCommand({
      Name: name,
      EventPattern: typeof pattern === "string" ? pattern : JSON.stringify(pattern),
      State: "ENABLED",
      Description: description,
      Tags: Object.entries(kitTags(ctx.lab, ctx.names.namespace)).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  ctx.ledger.setArn(entry.id, out.RuleArn!);
  return { name, arn: out.RuleArn! };
}

/** Add (or replace, by Id) targets of a rule; returns the entries EventBridge refused. */
export async function putTargets(ctx: KitContext, rule: string, targets: Target[]): Promise<PutTargetsResultEntry[]> {
  const out = await ctx.clients.events.send(new PutTargetsCommand({ Rule: rule, Targets: targets }));
  return out.FailedEntries ?? [];
}

export async function createArchive(ctx: KitContext, name: string, pattern: unknown, description: string, retentionDays = 1): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "eventbridge-archive", name);
  const out = await ctx.clients.events.send(
    new CreateArchiveCommand({
      ArchiveName: name,
      EventSourceArn: defaultBusArn(ctx),
      Description: description,
      RetentionDays: retentionDays,
      ...(pattern === undefined ? {} : { EventPattern: typeof pattern === "string" ? pattern : JSON.stringify(pattern) }),
    }),
  );
  ctx.ledger.setArn(entry.id, out.ArchiveArn!);
  return { name, arn: out.ArchiveArn! };
}

/**
 * Start a replay and wait until it is COMPLETED (a replay cannot be deleted: it is not recorded).
 * Throws when it ends FAILED or CANCELLED, with the StateReason.
 */
export async function replayAndWait(ctx: KitContext, input: StartReplayCommandInput, timeoutMs = ctx.target.kind === "aws" ? 15 * 60_000 : 20_000): Promise<{ arn: string; state: string }> {
  const out = await ctx.clients.events.send(new StartReplayCommand(input));
  const p = pace(ctx);
  const state = await pollUntil(
    async () => {
      const d = await ctx.clients.events.send(new DescribeReplayCommand({ ReplayName: input.ReplayName! }));
      if (d.State === "FAILED" || d.State === "CANCELLED") throw new Error(`replay ${input.ReplayName} ended ${d.State}: ${d.StateReason ?? "no reason given"}`);
      return d.State === "COMPLETED" ? d.State : undefined;
    },
    { timeoutMs, intervalMs: p.intervalMs * 2, maxIntervalMs: p.maxIntervalMs * 4, what: `replay ${input.ReplayName} to complete`, onWait: () => ctx.status(`replaying ${input.ReplayName}…`) },
  );
  return { arn: out.ReplayArn!, state };
}
