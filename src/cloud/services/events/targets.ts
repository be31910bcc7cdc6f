/**
 * Targets of a rule: PutTargets (add or replace by Id, at most 5 per rule;
 * Input / InputPath / InputTransformer validated; targets of a kind the local
 * cloud cannot deliver to come back in FailedEntries, as AWS reports
 * per-target problems), RemoveTargets, ListTargetsByRule.
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { destinationKindOf } from "../../core/destinations.js";
import type { EventsState, TargetRecord } from "./state.js";
import { requireRule } from "./rules.js";
import { validation } from "./errors.js";
import { validatePath, validateTransformer } from "./input-transform.js";
import { needsRole } from "./role-targets.js";

const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TARGETS = 5;

function validateTarget(target: TargetRecord): void {
  if (typeof target?.Id !== "string" || !TARGET_ID.test(target.Id)) {
    throw validation(`1 validation error detected: Value '${String(target?.Id)}' at 'targets.1.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  }
  if (typeof target.Arn !== "string" || !target.Arn.startsWith("arn:")) throw validation(`Parameter ${String(target.Arn)} is not valid. Reason: Provided Arn is not in correct format.`);
  const given = [target.Input, target.InputPath, target.InputTransformer].filter((v) => v !== undefined).length;
  if (given > 1) throw validation("Only one of Input, InputPath, or InputTransformer must be provided.");
  if (target.Input !== undefined) {
    try {
      JSON.parse(target.Input);
    } catch {
      throw validation(`Target ${target.Id}: Input is not a valid JSON text.`);
    }
  }
  if (target.InputPath !== undefined) validatePath(target.InputPath, `Target ${target.Id}: InputPath`);
  if (target.InputTransformer !== undefined) validateTransformer(target.InputTransformer);
  const kind = destinationKindOf(target.Arn);
  if (kind && needsRole(kind) && !target.RoleArn) throw validation(`RoleArn is required for target ${target.Arn}.`);
  const retry = target.RetryPolicy;
  if (retry !== undefined) {
    const at = (field: string) => `'targets.1.member.retryPolicy.${field}'`;
    const n = retry.MaximumRetryAttempts;
    if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= 185)) throw validation(`1 validation error detected: Value '${String(n)}' at ${at("maximumRetryAttempts")} failed to satisfy constraint: Member must have value ${Number(n) < 0 ? "greater than or equal to 0" : "less than or equal to 185"}`);
    const age = retry.MaximumEventAgeInSeconds;
    if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 86_400)) throw validation(`1 validation error detected: Value '${String(age)}' at ${at("maximumEventAgeInSeconds")} failed to satisfy constraint: Member must have value ${Number(age) < 60 ? "greater than or equal to 60" : "less than or equal to 86400"}`);
  }
  const dlq = target.DeadLetterConfig?.Arn;
  if (dlq !== undefined) {
    // A standard SQS queue only (aws-behavior.md §13).
    if (typeof dlq !== "string" || !/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/.test(dlq)) throw validation(`Parameter DeadLetterConfig.Arn is not valid. Reason: Only SQS queues can be used as a dead-letter queue; ${String(dlq)} is not an SQS queue ARN.`);
    if (dlq.endsWith(".fifo")) throw validation(`Parameter DeadLetterConfig.Arn is not valid. Reason: FIFO queues are not supported as dead-letter queues; use a standard queue.`);
  }
}

export function targetHandlers(state: EventsState) {
  return {
    PutTargets(ctx: RequestContext, input: { Rule?: string; EventBusName?: string; Targets?: TargetRecord[] }) {
      const rule = requireRule(state, ctx, input.Rule, input.EventBusName);
      const targets = input.Targets ?? [];
      if (!Array.isArray(targets) || targets.length === 0) throw validation("1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1");
      for (const t of targets) validateTarget(t);
      const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
      const byId = new Map(rule.targets.map((t) => [t.Id, t]));
      for (const target of targets) {
        if (!destinationKindOf(target.Arn)) {
          failed.push({
            TargetId: target.Id,
            ErrorCode: "ValidationException",
            ErrorMessage: `The local cloud delivers only to Lambda functions, SQS queues, SNS topics, event buses and Step Functions state machines; ${target.Arn} is none of them.`,
          });
          continue;
        }
        byId.set(target.Id, target);
      }
      if (byId.size > MAX_TARGETS) throw new AwsError("LimitExceededException", "The requested resource exceeds the maximum number allowed.");
      state.rules.set(rule.arn, { ...rule, targets: [...byId.values()] });
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },

    RemoveTargets(ctx: RequestContext, input: { Rule?: string; EventBusName?: string; Ids?: string[] }) {
      const rule = requireRule(state, ctx, input.Rule, input.EventBusName);
      const ids = new Set(input.Ids ?? []);
      state.rules.set(rule.arn, { ...rule, targets: rule.targets.filter((t) => !ids.has(t.Id)) });
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    ListTargetsByRule(ctx: RequestContext, input: { Rule?: string; EventBusName?: string }) {
      const rule = requireRule(state, ctx, input.Rule, input.EventBusName);
      return { Targets: rule.targets };
    },
  };
}
