/**
 * The bus at work: an event put on a bus is matched against every enabled
 * rule of that bus with the shared matcher (core/event-pattern.ts — the same
 * one TestEventPattern uses), and each target of a matching rule receives its
 * input (input-transform.ts) through cloud.destinations, asynchronously.
 *
 * Before delivering, the target's resource policy is checked as AWS checks it:
 * a Lambda function's policy must let events.amazonaws.com invoke it, an SQS
 * queue's policy must let it sqs:SendMessage, an SNS topic's policy must let
 * it SNS:Publish, each with aws:SourceArn = the rule. A denied or finally
 * failed delivery is recorded in the trace and goes to the target's
 * DeadLetterConfig queue when it has one (with AWS's RULE_ARN, TARGET_ARN,
 * ERROR_CODE and ERROR_MESSAGE message attributes).
 */
import type { Cloud } from "../../core/cloud.js";
import { destinationKindOf, type DeliveryMessage } from "../../core/destinations.js";
import { matchesPattern, parsePattern } from "../../core/event-pattern.js";
import { rulesOf, type EventsState, type RuleRecord, type TargetRecord } from "./state.js";
import { targetInput } from "./input-transform.js";
import { serviceMayAccess } from "../../policy/service-access.js";

const EVENTS_PRINCIPAL = "events.amazonaws.com";
const ACTION_BY_KIND: Record<string, string> = { sqs: "sqs:SendMessage", lambda: "lambda:InvokeFunction", sns: "SNS:Publish" };

export interface RouteContext {
  correlationId: string;
  lineage?: DeliveryMessage["lineage"];
}

export class EventRouter {
  private readonly patterns = new Map<string, ReturnType<typeof parsePattern>>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly cloud: Cloud,
    private readonly state: EventsState,
  ) {}

  private pattern(text: string): ReturnType<typeof parsePattern> {
    let parsed = this.patterns.get(text);
    if (!parsed) {
      parsed = parsePattern(text);
      if (this.patterns.size > 1000) this.patterns.clear();
      this.patterns.set(text, parsed);
    }
    return parsed;
  }

  /** Does a rule's pattern match an event? (Rules without a pattern are schedules: never.) */
  matches(rule: RuleRecord, event: Record<string, unknown>): boolean {
    return !!rule.eventPattern && matchesPattern(this.pattern(rule.eventPattern), event);
  }

  /** Route an event put on a bus. Returns at once; deliveries run in the background. */
  route(bus: { account: string; region: string; name: string; arn: string }, event: Record<string, unknown>, context: RouteContext): void {
    const all = rulesOf(this.state, bus.account, bus.region, bus.name);
    const rules = all.filter((r) => r.state !== "DISABLED" && this.matches(r, event));
    // Each rule's decision, for the console's trace (a disabled rule, a schedule, a pattern that did not match).
    const size = JSON.stringify(event).length;
    const data = {
      // Kept with the trace entry when small (the trace holds thousands of entries; events may be 256 KB).
      event: size <= 16_384 ? event : `(${size} bytes: not kept in the trace)`,
      rules: all.map((r) => ({ name: r.name, matched: rules.includes(r), why: r.state === "DISABLED" ? "disabled" : !r.eventPattern ? "a schedule, not a pattern" : rules.includes(r) ? "its pattern matches" : "its pattern does not match the event" })),
    };
    if (rules.length === 0) {
      this.cloud.trace.record({ correlationId: context.correlationId, kind: "events.put", source: String(event.source), target: bus.arn, status: "info", detail: `event ${String(event.id)} (${String(event["detail-type"])}) matched no enabled rule`, data });
      return;
    }
    this.cloud.trace.record({ correlationId: context.correlationId, kind: "events.put", source: String(event.source), target: bus.arn, status: "info", detail: `event ${String(event.id)} (${String(event["detail-type"])}) matched ${rules.map((r) => r.name).join(", ")}`, data });
    for (const rule of rules) this.deliverToRule(rule, event, context);
  }

  /** Send an event to every target of a rule (also used by schedules). */
  deliverToRule(rule: RuleRecord, event: Record<string, unknown>, context: RouteContext): void {
    for (const target of rule.targets) {
      const work = this.deliverToTarget(rule, target, event, context).catch((err) => {
        this.cloud.log.error(`events: delivery to ${target.Arn} crashed: ${(err as Error)?.stack ?? err}`);
      });
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    }
  }

  private async deliverToTarget(rule: RuleRecord, target: TargetRecord, event: Record<string, unknown>, context: RouteContext): Promise<void> {
    const kind = destinationKindOf(target.Arn) ?? "unknown";
    const traceKind = `events→${kind}`;
    let body: string;
    try {
      body = targetInput(target, event, { ruleArn: rule.arn, ruleName: rule.name, ingestionTime: new Date().toISOString() });
    } catch (err) {
      this.cloud.trace.record({ correlationId: context.correlationId, kind: traceKind, source: rule.arn, target: target.Arn, status: "failed", detail: `input transformation failed: ${(err as Error).message}` });
      return;
    }
    const action = ACTION_BY_KIND[kind];
    if (action && this.cloud.destinations.exists(target.Arn)) {
      const decision = serviceMayAccess(this.cloud, this.cloud.destinations.resourcePolicy(target.Arn), {
        service: EVENTS_PRINCIPAL,
        action,
        resource: target.Arn,
        sourceArn: rule.arn,
        sourceAccount: rule.account,
      });
      if (decision.decision !== "Allow") {
        const what = kind === "lambda" ? "function" : kind === "sqs" ? "queue" : "topic";
        const reason = `the ${what} policy does not allow ${EVENTS_PRINCIPAL} to ${action} from ${rule.arn} (${decision.explanation}). Add a statement for the service principal with aws:SourceArn = the rule ARN.`;
        this.cloud.trace.record({ correlationId: context.correlationId, kind: traceKind, source: rule.arn, target: target.Arn, status: "failed", detail: `delivery denied: ${reason}` });
        await this.deadLetter(rule, target, event, context, "NO_PERMISSIONS", reason);
        return;
      }
    }
    const maxRetries = target.RetryPolicy?.MaximumRetryAttempts;
    const result = await this.cloud.destinations.deliver(
      target.Arn,
      {
        body,
        source: { principal: EVENTS_PRINCIPAL, arn: rule.arn, account: rule.account },
        correlationId: context.correlationId,
        lineage: context.lineage,
      },
      { kind: traceKind, attempts: maxRetries === undefined ? 3 : Math.min(3, maxRetries + 1) },
    );
    if (!result.ok) await this.deadLetter(rule, target, event, context, "SDK_CLIENT_ERROR", result.error ?? "delivery failed");
  }

  private async deadLetter(rule: RuleRecord, target: TargetRecord, event: Record<string, unknown>, context: RouteContext, code: string, message: string): Promise<void> {
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) return;
    await this.cloud.destinations.deliver(
      dlq,
      {
        body: JSON.stringify(event),
        attributes: {
          RULE_ARN: { DataType: "String", StringValue: rule.arn },
          TARGET_ARN: { DataType: "String", StringValue: target.Arn },
          ERROR_CODE: { DataType: "String", StringValue: code },
          ERROR_MESSAGE: { DataType: "String", StringValue: message.slice(0, 1000) },
        },
        source: { principal: EVENTS_PRINCIPAL, arn: rule.arn, account: rule.account },
        correlationId: context.correlationId,
        lineage: context.lineage,
      },
      { kind: "events→dlq" },
    );
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
