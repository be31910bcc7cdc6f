/**
 * Scheduled rules. `rate(N minutes|hours|days)` rules that are enabled and
 * have targets fire for real, in real time (not time-scaled: a schedule is
 * what the learner asked for), sending EventBridge's "Scheduled Event"
 * (`source: "aws.events"`, `resources: [ruleArn]`, `detail: {}`) to their
 * targets. `cron(…)` expressions are validated and stored but never fire
 * (see Gaps in index.ts). Timers are unref'd, rebuilt whenever rules change
 * and on start-up, and stopped on close/reset.
 */
import type { Cloud } from "../../core/cloud.js";
import { uuid } from "../../core/ids.js";
import type { EventsState, RuleRecord } from "./state.js";
import type { EventRouter } from "./router.js";
import { eventTime } from "./put-events.js";

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function rateMs(expression: string | undefined): number | undefined {
  const m = expression ? /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression) : null;
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

export class Scheduler {
  private readonly timers = new Map<string, { every: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly cloud: Cloud,
    private readonly state: EventsState,
    private readonly router: EventRouter,
  ) {}

  /** Make the running timers match the stored rules. */
  sync(): void {
    const wanted = new Map<string, number>();
    for (const rule of this.state.rules.values()) {
      const every = rateMs(rule.scheduleExpression);
      if (every && rule.state !== "DISABLED") wanted.set(rule.arn, every);
    }
    for (const [arn, running] of this.timers) {
      if (wanted.get(arn) !== running.every) {
        clearInterval(running.timer);
        this.timers.delete(arn);
      }
    }
    for (const [arn, every] of wanted) {
      if (this.timers.has(arn)) continue;
      const timer = setInterval(() => this.fire(arn), every);
      timer.unref();
      this.timers.set(arn, { every, timer });
    }
  }

  private fire(arn: string): void {
    const rule: RuleRecord | undefined = this.state.rules.get(arn);
    if (!rule || rule.state === "DISABLED" || rule.targets.length === 0) return;
    const event = {
      version: "0",
      id: uuid(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: rule.account,
      time: eventTime(new Date()),
      region: rule.region,
      resources: [rule.arn],
      detail: {},
    };
    this.router.deliverToRule(rule, event, { correlationId: this.cloud.trace.newCorrelationId() });
  }

  stop(): void {
    for (const { timer } of this.timers.values()) clearInterval(timer);
    this.timers.clear();
  }
}
