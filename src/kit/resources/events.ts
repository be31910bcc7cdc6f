/**
 * EventBridge operations (lab 06 and later): a rule with its targets, an
 * archive of a bus's events and a replay of it, each recorded in the ledger
 * before it is created so cleanup removes them (targets with their rule;
 * running replays are cancelled; archives deleted).
 */
import {
  CreateArchiveCommand,
  DescribeArchiveCommand,
  DescribeReplayCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
  UpdateArchiveCommand,
  type DescribeReplayCommandOutput,
  type Target,
} from "@aws-sdk/client-eventbridge";
import { type KitContext, pace, recordResource } from "../context.js";
import { kitTagList } from "../names.js";
import { errorCode, pollUntil } from "../wait.js";

export async function putRule(ctx: KitContext, input: { name: string; eventPattern: unknown; busName?: string; description?: string }): Promise<string> {
  recordResource(ctx, "eventbridge-rule", input.name);
  const out = await ctx.clients.events.send(
    new PutRuleCommand({
      Name: input.name,
      EventBusName: input.busName,
      EventPattern: typeof input.eventPattern === "string" ? input.eventPattern : JSON.stringify(input.eventPattern),
      Description: input.description,
      Tags: kitTagList(ctx.lab, ctx.names.namespace),
    }),
  );
  return out.RuleArn!;
}

/** Put targets on a rule; throws with EventBridge's own message when an entry fails. */
export async function putTargets(ctx: KitContext, rule: string, targets: Target[], busName?: string): Promise<void> {
  const out = await ctx.clients.events.send(new PutTargetsCommand({ Rule: rule, EventBusName: busName, Targets: targets }));
  const failed = out.FailedEntries ?? [];
  if (failed.length) throw new Error(`PutTargets on ${rule} failed: ${failed.map((f) => `${f.TargetId}: ${f.ErrorCode} ${f.ErrorMessage}`).join("; ")}`);
}

export async function createArchive(ctx: KitContext, input: { name: string; busArn: string; eventPattern?: unknown; retentionDays?: number; description?: string }): Promise<string> {
  recordResource(ctx, "eventbridge-archive", input.name);
  const pattern = input.eventPattern === undefined ? undefined : typeof input.eventPattern === "string" ? input.eventPattern : JSON.stringify(input.eventPattern);
  try {
    const out = await ctx.clients.events.send(
      new CreateArchiveCommand({ ArchiveName: input.name, EventSourceArn: input.busArn, EventPattern: pattern, RetentionDays: input.retentionDays ?? 1, Description: input.description }),
    );
    return out.ArchiveArn!;
  } catch (err) {
    if (errorCode(err) !== "ResourceAlreadyExistsException") throw err;
    await ctx.clients.events.send(new UpdateArchiveCommand({ ArchiveName: input.name, EventPattern: pattern, RetentionDays: input.retentionDays ?? 1, Description: input.description }));
    return (await ctx.clients.events.send(new DescribeArchiveCommand({ ArchiveName: input.name }))).ArchiveArn!;
  }
}

/** Start a replay of an archive's events between two times into its bus (all rules, or only `ruleArns`). */
export async function startReplay(ctx: KitContext, input: { name: string; archiveArn: string; busArn: string; from: Date; to: Date; ruleArns?: string[] }): Promise<string> {
  recordResource(ctx, "eventbridge-replay", input.name);
  const out = await ctx.clients.events.send(
    new StartReplayCommand({ ReplayName: input.name, EventSourceArn: input.archiveArn, EventStartTime: input.from, EventEndTime: input.to, Destination: { Arn: input.busArn, FilterArns: input.ruleArns } }),
  );
  return out.ReplayArn!;
}

/** Wait until a replay is COMPLETED (or FAILED / CANCELLED); returns DescribeReplay's answer. */
export async function waitForReplay(ctx: KitContext, name: string, timeoutMs = 120_000): Promise<DescribeReplayCommandOutput> {
  const { intervalMs, maxIntervalMs } = pace(ctx);
  return pollUntil(
    async () => {
      const out = await ctx.clients.events.send(new DescribeReplayCommand({ ReplayName: name }));
      return out.State === "STARTING" || out.State === "RUNNING" || out.State === "CANCELLING" ? undefined : out;
    },
    { timeoutMs, intervalMs, maxIntervalMs, what: `replay ${name} to complete`, onWait: (ms) => ctx.status(`waiting for the replay (${Math.round(ms / 1000)} s)`) },
  );
}
