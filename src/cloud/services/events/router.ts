/**
 * The bus at work: an event put on a bus is first kept by the bus's archives
 * (archives.ts), then matched against every enabled rule of that bus with the
 * shared matcher (core/event-pattern.ts — the same one TestEventPattern uses),
 * and each target of a matching rule receives its input (input-transform.ts)
 * through cloud.destinations, asynchronously. Replays (replays.ts) route here
 * too, limited to the rules their Destination.FilterArns names.
 *
 * Before delivering, the target's permission is checked as AWS checks it:
 * a Lambda function's policy must let events.amazonaws.com invoke it, an SQS
 * queue's policy must let it sqs:SendMessage, an SNS topic's policy must let
 * it SNS:Publish, each with aws:SourceArn = the rule; a Step Functions target
 * needs its RoleArn (role-targets.ts). A denied or missing target is not
 * retried (ERROR_CODE NO_PERMISSIONS / NO_RESOURCE); other failures are
 * retried per the target's RetryPolicy (MaximumRetryAttempts, default 185,
 * and MaximumEventAgeInSeconds, default 86,400) with exponential back-off
 * (1 s doubling to 5 min, ×0.5–1 jitter) on the cloud's time scale. What
 * finally fails goes to the target's DeadLetterConfig queue when it has one —
 * the event as the body, with AWS's RULE_ARN, TARGET_ARN, ERROR_CODE,
 * ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS attributes — if
 * the queue's policy lets events.amazonaws.com send from the rule; every step
 * is in the trace.
 */
import type { Cloud } from "../../core/cloud.js";
import { destinationKindOf, type DeliveryMessage, type MessageAttributeValue } from "../../core/destinations.js";
import { matchesPattern, parsePattern } from "../../core/event-pattern.js";
import { rulesOf, type EventsState, type RuleRecord, type TargetRecord } from "./state.js";
import { targetInput } from "./input-transform.js";
import { serviceMayAccess } from "../../policy/service-access.js";
import { roleDenial } from "./role-targets.js";
import { archiveEvent } from "./archives.js";

const EVENTS_PRINCIPAL = "events.amazonaws.com";
const ACTION_BY_KIND: Record<string, string> = { sqs: "sqs:SendMessage", lambda: "lambda:InvokeFunction", sns: "SNS:Publish" };
const DEFAULT_RETRIES = 185;
const DEFAULT_MAX_AGE_SECONDS = 86_400;
const MAX_BACKOFF_MS = 300_000;

export interface RouteContext {
  correlationId: string;
  lineage?: DeliveryMessage["lineage"];
}

interface Failure {
  code: string;
  message: string;
  exhausted?: "MaximumRetryAttempts" | "MaximumEventAgeInSeconds";
  retries?: number;
}

export class EventRouter {
  private readonly patterns = new Map<string, ReturnType<typeof parsePattern>>();
  private readonly pending = new Set<Promise<unknown>>();
  private stopping = false;

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
  route(bus: { account: string; region: string; name: string; arn: string }, event: Record<string, unknown>, context: RouteContext, options: { onlyRules?: string[] } = {}): void {
    archiveEvent(this.state, bus.arn, event, (pattern, e) => matchesPattern(this.pattern(pattern), e));
    const only = options.onlyRules?.length ? new Set(options.onlyRules) : undefined;
    const all = rulesOf(this.state, bus.account, bus.region, bus.name).filter((r) => !only || only.has(r.arn));
    const rules = all.filter((r) => r.state !== "DISABLED" && this.matches(r, event));
    const replay = "replay-name" in event ? ` (replay ${String(event["replay-name"])})` : "";
    // Each rule's decision, for the console's trace (a disabled rule, a schedule, a pattern that did not match).
    const size = JSON.stringify(event).length;
    const data = {
      // Kept with the trace entry when small (the trace holds thousands of entries; events may be 256 KB).
      event: size <= 16_384 ? event : `(${size} bytes: not kept in the trace)`,
      rules: all.map((r) => {
        const matched = rules.includes(r);
        return { name: r.name, matched, why: r.state === "DISABLED" ? "disabled" : !r.eventPattern ? "a schedule, not a pattern" : matched ? "its pattern matches" : "its pattern does not match the event" };
      }),
    };
    if (rules.length === 0) {
      this.cloud.trace.record({ correlationId: context.correlationId, kind: "events.put", source: String(event.source), target: bus.arn, status: "info", detail: `event ${String(event.id)} (${String(event["detail-type"])})${replay} matched no enabled rule`, data });
      return;
    }
    this.cloud.trace.record({ correlationId: context.correlationId, kind: "events.put", source: String(event.source), target: bus.arn, status: "info", detail: `event ${String(event.id)} (${String(event["detail-type"])})${replay} matched ${rules.map((r) => r.name).join(", ")}`, data });
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

  /** Why this target may not be invoked right now, as AWS's ERROR_CODE and a sentence; undefined when it may. */
  private permissionProblem(rule: RuleRecord, target: TargetRecord, kind: string): Failure | undefined {
    const roleProblem = roleDenial(this.cloud, target.RoleArn, kind, target.Arn, rule);
    if (roleProblem) return { code: "NO_PERMISSIONS", message: roleProblem };
    const action = ACTION_BY_KIND[kind];
    if (!action) return undefined;
    const decision = serviceMayAccess(this.cloud, this.cloud.destinations.resourcePolicy(target.Arn), { service: EVENTS_PRINCIPAL, action, resource: target.Arn, sourceArn: rule.arn, sourceAccount: rule.account });
    if (decision.decision === "Allow") return undefined;
    const what = kind === "lambda" ? "function" : kind === "sqs" ? "queue" : "topic";
    return { code: "NO_PERMISSIONS", message: `the ${what} policy does not allow ${EVENTS_PRINCIPAL} to ${action} from ${rule.arn} (${decision.explanation}). Add a statement for the service principal with aws:SourceArn = the rule ARN.` };
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
    const maxRetries = Math.min(target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_RETRIES, DEFAULT_RETRIES);
    const maxAgeMs = this.cloud.scaled((target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000);
    const started = Date.now();
    let failure: Failure | undefined;
    for (let attempt = 0; ; attempt++) {
      // Missing and forbidden targets are not retried (EventBridge sends them to the DLQ at once).
      if (!this.cloud.destinations.exists(target.Arn)) {
        failure = { code: "NO_RESOURCE", message: `The target ${target.Arn} does not exist.`, retries: attempt };
        break;
      }
      const denied = this.permissionProblem(rule, target, kind);
      if (denied) {
        failure = { ...denied, retries: attempt };
        break;
      }
      const result = await this.cloud.destinations.deliver(
        target.Arn,
        { body, source: { principal: EVENTS_PRINCIPAL, arn: rule.arn, account: rule.account }, correlationId: context.correlationId, lineage: context.lineage },
        { kind: traceKind, attempts: 1 },
      );
      if (result.ok) return;
      const error = result.error ?? "delivery failed";
      const code = /Throttl|TooManyRequests/i.test(error) ? "THROTTLING" : /AccessDenied|not authorized/i.test(error) ? "NO_PERMISSIONS" : /NotFound|does not exist/i.test(error) ? "NO_RESOURCE" : "SDK_CLIENT_ERROR";
      if (code === "NO_PERMISSIONS" || code === "NO_RESOURCE") {
        failure = { code, message: error, retries: attempt };
        break;
      }
      const wait = this.cloud.scaled(Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt) * (0.5 + Math.random() / 2));
      if (attempt >= maxRetries) {
        failure = { code, message: error, exhausted: "MaximumRetryAttempts", retries: attempt };
        break;
      }
      if (Date.now() + wait - started > maxAgeMs) {
        failure = { code, message: error, exhausted: "MaximumEventAgeInSeconds", retries: attempt };
        break;
      }
      if (this.stopping) return;
      this.cloud.trace.record({ correlationId: context.correlationId, kind: traceKind, source: rule.arn, target: target.Arn, status: "retry", attempt: attempt + 1, detail: `retrying in ${wait} ms (RetryPolicy: ${maxRetries} retries, events up to ${target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS} s old, time-scaled)` });
      await new Promise((r) => setTimeout(r, wait).unref());
    }
    this.cloud.trace.record({ correlationId: context.correlationId, kind: traceKind, source: rule.arn, target: target.Arn, status: "failed", detail: `${failure.code}: ${failure.message}${failure.exhausted ? ` (${failure.exhausted} reached)` : ""}` });
    await this.deadLetter(rule, target, event, context, failure);
  }

  private async deadLetter(rule: RuleRecord, target: TargetRecord, event: Record<string, unknown>, context: RouteContext, failure: Failure): Promise<void> {
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) return;
    // The DLQ's policy must let EventBridge send from this rule (else InvocationsFailedToBeSentToDLQ on AWS).
    const decision = serviceMayAccess(this.cloud, this.cloud.destinations.resourcePolicy(dlq), { service: EVENTS_PRINCIPAL, action: "sqs:SendMessage", resource: dlq, sourceArn: rule.arn, sourceAccount: rule.account });
    if (decision.decision !== "Allow") {
      this.cloud.trace.record({ correlationId: context.correlationId, kind: "events→dlq", source: rule.arn, target: dlq, status: "failed", detail: `the dead-letter queue's policy does not allow ${EVENTS_PRINCIPAL} to sqs:SendMessage from ${rule.arn} (${decision.explanation}); the event is dropped` });
      return;
    }
    const text = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });
    const attributes: Record<string, MessageAttributeValue> = {
      RULE_ARN: text(rule.arn),
      TARGET_ARN: text(target.Arn),
      ERROR_CODE: text(failure.code),
      ERROR_MESSAGE: text(failure.message.slice(0, 1000)),
    };
    if (failure.exhausted) attributes.EXHAUSTED_RETRY_CONDITION = text(failure.exhausted);
    if (failure.retries !== undefined) attributes.RETRY_ATTEMPTS = text(String(failure.retries));
    await this.cloud.destinations.deliver(
      dlq,
      { body: JSON.stringify(event), attributes, source: { principal: EVENTS_PRINCIPAL, arn: rule.arn, account: rule.account }, correlationId: context.correlationId, lineage: context.lineage },
      { kind: "events→dlq" },
    );
  }

  /** Stop retrying (close): deliveries in a back-off give up. */
  stop(): void {
    this.stopping = true;
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
