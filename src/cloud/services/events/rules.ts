/**
 * Rules: PutRule (create or update; EventPattern validated by the shared
 * matcher, ScheduleExpression checked and stored), DescribeRule, ListRules
 * (NamePrefix), DeleteRule (refused while the rule has targets, as AWS does),
 * EnableRule / DisableRule, ListRuleNamesByTarget, and tags on rules and buses.
 */
import type { RequestContext } from "../../core/context.js";
import { PatternError, parsePattern } from "../../core/event-pattern.js";
import { AwsError } from "../../core/aws-error.js";
import { ruleArn, rulesOf, type EventsState, type RuleRecord } from "./state.js";
import { paginate, resolveBus } from "./buses.js";
import { invalidPattern, ruleNotFound, validation } from "./errors.js";

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const STATES = new Set(["ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"]);

/** rate(1 minute), rate(5 minutes), rate(1 hour)…, or cron(<6 fields>). */
export function validateSchedule(expression: string): void {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const n = Number(rate[1]);
    const singular = !rate[2]!.endsWith("s");
    if (n > 0 && (n === 1) === singular) return;
  } else if (/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/.test(expression)) {
    return;
  }
  throw validation("Parameter ScheduleExpression is not valid.");
}

/** The API model's length limit on EventPattern, and the account quota's default (EventBridge quotas, "Event pattern size"). */
const PATTERN_MAX_LENGTH = 4096;
const PATTERN_QUOTA = 2048;

export function validateEventPattern(text: unknown): string {
  if (typeof text !== "string") throw invalidPattern("Filter is not an object");
  if (text.length > PATTERN_MAX_LENGTH) {
    throw validation(`1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: Member must have length less than or equal to ${PATTERN_MAX_LENGTH}`);
  }
  if (text.length > PATTERN_QUOTA) {
    throw invalidPattern(`The event pattern is ${text.length} characters long; the event pattern size quota is ${PATTERN_QUOTA} characters.`);
  }
  try {
    parsePattern(text);
  } catch (err) {
    if (err instanceof PatternError) throw invalidPattern(err.message);
    throw err;
  }
  return text;
}

export function requireRule(state: EventsState, ctx: RequestContext, name: unknown, busName: unknown): RuleRecord {
  const bus = resolveBus(state, ctx.account, ctx.region, busName);
  if (typeof name !== "string" || !name) throw validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  const rule = state.rules.get(ruleArn(bus.region, bus.account, bus.name, name));
  if (!rule) throw ruleNotFound(name, bus.name);
  return rule;
}

function describeRule(rule: RuleRecord) {
  return {
    Name: rule.name,
    Arn: rule.arn,
    EventPattern: rule.eventPattern,
    ScheduleExpression: rule.scheduleExpression,
    State: rule.state,
    Description: rule.description,
    RoleArn: rule.roleArn,
    EventBusName: rule.busName,
  };
}

function tagsToMap(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags === undefined) return out;
  if (!Array.isArray(tags)) throw validation("Tags must be a list.");
  for (const t of tags as Array<{ Key?: unknown; Value?: unknown }>) {
    if (typeof t?.Key !== "string" || !t.Key || typeof t.Value !== "string") throw validation("Every tag needs a Key and a Value.");
    out[t.Key] = t.Value;
  }
  return out;
}

export function ruleHandlers(state: EventsState, onChange: () => void) {
  function findTaggable(arn: unknown): { kind: "rule" | "bus"; arn: string } {
    if (typeof arn !== "string") throw validation("1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null");
    if (state.rules.has(arn)) return { kind: "rule", arn };
    if (state.buses.has(arn)) return { kind: "bus", arn };
    throw new AwsError("ResourceNotFoundException", `Resource ${arn} does not exist.`);
  }

  return {
    PutRule(ctx: RequestContext, input: { Name?: string; EventPattern?: string; ScheduleExpression?: string; State?: string; Description?: string; RoleArn?: string; Tags?: unknown; EventBusName?: string }) {
      const name = input.Name;
      if (typeof name !== "string" || !RULE_NAME.test(name)) {
        throw validation(`1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
      }
      const bus = resolveBus(state, ctx.account, ctx.region, input.EventBusName);
      // AWS accepts an empty ScheduleExpression (CloudFormation and the CLI send "") and stores no schedule.
      const schedule = input.ScheduleExpression === "" ? undefined : input.ScheduleExpression;
      if (input.EventPattern === undefined && schedule === undefined) throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
      const pattern = input.EventPattern !== undefined ? validateEventPattern(input.EventPattern) : undefined;
      if (schedule !== undefined) {
        if (bus.name !== "default") throw validation("ScheduleExpression is supported only on the default event bus.");
        validateSchedule(schedule);
      }
      const ruleState = (input.State ?? "ENABLED") as RuleRecord["state"];
      if (!STATES.has(ruleState)) throw validation(`1 validation error detected: Value '${ruleState}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]`);
      const arn = ruleArn(bus.region, bus.account, bus.name, name);
      const existing = state.rules.get(arn);
      state.rules.set(arn, {
        arn,
        name,
        busName: bus.name,
        account: bus.account,
        region: bus.region,
        eventPattern: pattern,
        scheduleExpression: schedule,
        state: ruleState,
        description: input.Description,
        roleArn: input.RoleArn,
        targets: existing?.targets ?? [],
        tags: { ...(existing?.tags ?? {}), ...tagsToMap(input.Tags) },
        createdAt: existing?.createdAt ?? new Date().toISOString(),
      });
      onChange();
      return { RuleArn: arn };
    },

    DescribeRule(ctx: RequestContext, input: { Name?: string; EventBusName?: string }) {
      const rule = requireRule(state, ctx, input.Name, input.EventBusName);
      return { ...describeRule(rule), CreatedBy: rule.account };
    },

    ListRules(ctx: RequestContext, input: { NamePrefix?: string; EventBusName?: string; Limit?: number; NextToken?: string }) {
      const bus = resolveBus(state, ctx.account, ctx.region, input.EventBusName);
      const rules = rulesOf(state, bus.account, bus.region, bus.name).filter((r) => !input.NamePrefix || r.name.startsWith(input.NamePrefix));
      return paginate(rules.map(describeRule), input.Limit, input.NextToken, "Rules");
    },

    DeleteRule(ctx: RequestContext, input: { Name?: string; EventBusName?: string }) {
      const bus = resolveBus(state, ctx.account, ctx.region, input.EventBusName);
      const rule = state.rules.get(ruleArn(bus.region, bus.account, bus.name, String(input.Name ?? "")));
      if (!rule) return {}; // AWS answers success for a rule that does not exist
      if (rule.targets.length) throw validation("Rule can't be deleted since it has targets.");
      state.rules.delete(rule.arn);
      onChange();
      return {};
    },

    EnableRule(ctx: RequestContext, input: { Name?: string; EventBusName?: string }) {
      const rule = requireRule(state, ctx, input.Name, input.EventBusName);
      state.rules.set(rule.arn, { ...rule, state: "ENABLED" });
      onChange();
      return {};
    },

    DisableRule(ctx: RequestContext, input: { Name?: string; EventBusName?: string }) {
      const rule = requireRule(state, ctx, input.Name, input.EventBusName);
      state.rules.set(rule.arn, { ...rule, state: "DISABLED" });
      onChange();
      return {};
    },

    ListRuleNamesByTarget(ctx: RequestContext, input: { TargetArn?: string; EventBusName?: string; Limit?: number; NextToken?: string }) {
      const bus = resolveBus(state, ctx.account, ctx.region, input.EventBusName);
      const names = rulesOf(state, bus.account, bus.region, bus.name)
        .filter((r) => r.targets.some((t) => t.Arn === input.TargetArn))
        .map((r) => r.name);
      return paginate(names, input.Limit, input.NextToken, "RuleNames");
    },

    TagResource(_ctx: RequestContext, input: { ResourceARN?: string; Tags?: unknown }) {
      const found = findTaggable(input.ResourceARN);
      const tags = tagsToMap(input.Tags);
      if (found.kind === "rule") {
        const rule = state.rules.get(found.arn)!;
        state.rules.set(found.arn, { ...rule, tags: { ...rule.tags, ...tags } });
      } else {
        const bus = state.buses.get(found.arn)!;
        state.buses.set(found.arn, { ...bus, tags: { ...bus.tags, ...tags } });
      }
      return {};
    },

    UntagResource(_ctx: RequestContext, input: { ResourceARN?: string; TagKeys?: string[] }) {
      const found = findTaggable(input.ResourceARN);
      const drop = (tags: Record<string, string>) => Object.fromEntries(Object.entries(tags).filter(([k]) => !(input.TagKeys ?? []).includes(k)));
      if (found.kind === "rule") {
        const rule = state.rules.get(found.arn)!;
        state.rules.set(found.arn, { ...rule, tags: drop(rule.tags) });
      } else {
        const bus = state.buses.get(found.arn)!;
        state.buses.set(found.arn, { ...bus, tags: drop(bus.tags) });
      }
      return {};
    },

    ListTagsForResource(_ctx: RequestContext, input: { ResourceARN?: string }) {
      const found = findTaggable(input.ResourceARN);
      const tags = found.kind === "rule" ? state.rules.get(found.arn)!.tags : state.buses.get(found.arn)!.tags;
      return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
    },
  };
}
