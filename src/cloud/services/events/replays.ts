/**
 * Replays (aws-behavior.md §13): StartReplay / DescribeReplay / ListReplays /
 * CancelReplay. A replay sends an archive's events whose time lies in
 * [EventStartTime, EventEndTime] (both ends included: event times have
 * whole seconds, and the CLI sends whole seconds too; UNCERTAIN) back to the archive's own bus, each with a
 * top-level `"replay-name": "<name>"`, to the rules Destination.FilterArns
 * names (all rules of the bus when absent) that are enabled and match — rule
 * patterns see `replay-name` too, so `{"replay-name":[{"exists":false}]}`
 * keeps replays out. States go STARTING → RUNNING → COMPLETED, or CANCELLING
 * → CANCELLED after CancelReplay (only while STARTING or RUNNING:
 * IllegalStatusException otherwise). At most 10 replays run at once per
 * account and region (LimitExceededException).
 *
 * By design: events are replayed in event-time order as fast as the targets
 * take them (AWS replays in one-minute slices, not in order); a replay that
 * was running when the cloud stopped is FAILED at the next start (its
 * EventLastReplayedTime says how far it got).
 */
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { busArn, replayArn, type EventsState, type ReplayRecord } from "./state.js";
import { paginate } from "./buses.js";
import { validation } from "./errors.js";
import { archiveNotFound, archivedEvents } from "./archives.js";
import type { EventRouter } from "./router.js";

const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_ACTIVE = 10;
const ACTIVE = new Set(["STARTING", "RUNNING", "CANCELLING"]);

function toDate(value: unknown, field: string): Date {
  if (value === undefined || value === null) throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(String(value));
  if (Number.isNaN(date.getTime())) throw validation(`Parameter ${field.charAt(0).toUpperCase() + field.slice(1)} is not valid.`);
  return date;
}

const epoch = (iso: string | undefined) => (iso ? Date.parse(iso) / 1000 : undefined);

export class Replayer {
  private readonly cancelled = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly cloud: Cloud,
    private readonly state: EventsState,
    private readonly router: EventRouter,
  ) {
    // A replay cannot pick up where a stopped cloud left it: say so instead of leaving it RUNNING.
    for (const replay of state.replays.values()) {
      if (ACTIVE.has(replay.state)) {
        state.replays.set(replay.arn, { ...replay, state: "FAILED", stateReason: "The local cloud stopped while the replay was running.", replayEndTime: new Date().toISOString() });
      }
    }
  }

  private update(arn: string, change: Partial<ReplayRecord>): ReplayRecord {
    const next = { ...this.state.replays.get(arn)!, ...change };
    this.state.replays.set(arn, next);
    return next;
  }

  private async run(arn: string): Promise<void> {
    await new Promise((r) => setImmediate(r));
    let replay = this.cancelled.has(arn) ? this.state.replays.get(arn)! : this.update(arn, { state: "RUNNING" });
    const archive = this.state.archives.get(replay.eventSourceArn);
    if (!archive) {
      this.update(arn, { state: "FAILED", stateReason: "The archive was deleted.", replayEndTime: new Date().toISOString() });
      return;
    }
    const from = Date.parse(replay.eventStartTime);
    const to = Date.parse(replay.eventEndTime);
    const events = archivedEvents(this.state, archive).filter((a) => {
      const t = Date.parse(String(a.event.time));
      return t >= from && t <= to;
    });
    const bus = { arn: archive.eventSourceArn, account: archive.account, region: archive.region, name: archive.eventSourceArn.split("/").pop()! };
    const correlationId = this.cloud.trace.newCorrelationId();
    this.cloud.trace.record({ correlationId, kind: "events.replay", source: archive.arn, target: bus.arn, status: "info", detail: `replay ${replay.name}: ${events.length} archived events to ${replay.destination.FilterArns?.length ? replay.destination.FilterArns.join(", ") : "all rules"}` });
    for (const { event } of events) {
      if (this.cancelled.has(arn) || this.stopped) break;
      this.router.route(bus, { ...event, "replay-name": replay.name }, { correlationId }, { onlyRules: replay.destination.FilterArns });
      replay = this.update(arn, { eventLastReplayedTime: String(event.time) });
      await new Promise((r) => setImmediate(r));
    }
    if (this.cancelled.has(arn)) {
      this.cancelled.delete(arn);
      this.update(arn, { state: "CANCELLED", stateReason: "Replay cancelled.", replayEndTime: new Date().toISOString() });
    } else if (!this.stopped) {
      this.update(arn, { state: "COMPLETED", replayEndTime: new Date().toISOString() });
    }
  }

  handlers() {
    const state = this.state;
    const requireReplay = (ctx: RequestContext, name: unknown): ReplayRecord => {
      if (typeof name !== "string" || !name) throw validation("1 validation error detected: Value null at 'replayName' failed to satisfy constraint: Member must not be null");
      const replay = state.replays.get(replayArn(ctx.region, ctx.account, name));
      if (!replay) throw new AwsError("ResourceNotFoundException", `Replay ${name} does not exist.`);
      return replay;
    };
    const describe = (r: ReplayRecord) => ({
      ReplayName: r.name,
      ReplayArn: r.arn,
      Description: r.description,
      State: r.state,
      StateReason: r.stateReason,
      EventSourceArn: r.eventSourceArn,
      Destination: r.destination,
      EventStartTime: epoch(r.eventStartTime),
      EventEndTime: epoch(r.eventEndTime),
      EventLastReplayedTime: epoch(r.eventLastReplayedTime),
      ReplayStartTime: epoch(r.replayStartTime),
      ReplayEndTime: epoch(r.replayEndTime),
    });
    return {
      StartReplay: (ctx: RequestContext, input: { ReplayName?: string; Description?: string; EventSourceArn?: string; EventStartTime?: unknown; EventEndTime?: unknown; Destination?: { Arn?: string; FilterArns?: string[] } }) => {
        const name = input.ReplayName;
        if (typeof name !== "string" || !REPLAY_NAME.test(name)) {
          throw validation(`1 validation error detected: Value '${String(name)}' at 'replayName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
        }
        const source = input.EventSourceArn;
        const m = typeof source === "string" ? /^arn:aws:events:[a-z0-9-]+:\d{12}:archive\/(.+)$/.exec(source) : null;
        if (!m) throw validation("Parameter EventSourceArn is not valid. Reason: Provided Arn is not in correct format.");
        const archive = state.archives.get(source!);
        if (!archive) throw archiveNotFound(m[1]!);
        const start = toDate(input.EventStartTime, "eventStartTime");
        const end = toDate(input.EventEndTime, "eventEndTime");
        if (start.getTime() >= end.getTime()) throw validation("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.");
        const destination = input.Destination;
        if (!destination?.Arn) throw validation("1 validation error detected: Value null at 'destination.arn' failed to satisfy constraint: Member must not be null");
        if (destination.Arn !== archive.eventSourceArn) throw validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
        for (const ruleArn of destination.FilterArns ?? []) {
          const rule = state.rules.get(ruleArn);
          if (!rule || busArn(rule.region, rule.account, rule.busName) !== archive.eventSourceArn) {
            throw validation(`Parameter Destination.FilterArns is not valid. Reason: Rule ${ruleArn} does not exist on event bus ${archive.eventSourceArn.split("/").pop()}.`);
          }
        }
        const arn = replayArn(ctx.region, ctx.account, name);
        if (state.replays.has(arn)) throw new AwsError("ResourceAlreadyExistsException", `Replay ${name} already exists.`);
        const active = [...state.replays.values()].filter((r) => r.account === ctx.account && r.region === ctx.region && ACTIVE.has(r.state)).length;
        if (active >= MAX_ACTIVE) throw new AwsError("LimitExceededException", `The requested resource exceeds the maximum number allowed: at most ${MAX_ACTIVE} replays may run at once.`);
        const record: ReplayRecord = {
          arn,
          name,
          account: ctx.account,
          region: ctx.region,
          description: input.Description,
          eventSourceArn: archive.arn,
          destination: { Arn: destination.Arn, ...(destination.FilterArns?.length ? { FilterArns: destination.FilterArns } : {}) },
          eventStartTime: start.toISOString(),
          eventEndTime: end.toISOString(),
          state: "STARTING",
          replayStartTime: new Date().toISOString(),
        };
        state.replays.set(arn, record);
        const work = this.run(arn).catch((err) => {
          this.cloud.log.error(`events: replay ${name} crashed: ${(err as Error)?.stack ?? err}`);
          this.update(arn, { state: "FAILED", stateReason: String((err as Error)?.message ?? err), replayEndTime: new Date().toISOString() });
        });
        this.running.add(work);
        void work.finally(() => this.running.delete(work));
        return { ReplayArn: arn, State: record.state, ReplayStartTime: epoch(record.replayStartTime) };
      },

      DescribeReplay: (ctx: RequestContext, input: { ReplayName?: string }) => describe(requireReplay(ctx, input.ReplayName)),

      ListReplays: (ctx: RequestContext, input: { NamePrefix?: string; State?: string; EventSourceArn?: string; Limit?: number; NextToken?: string }) => {
        const all = [...state.replays.values()]
          .filter((r) => r.account === ctx.account && r.region === ctx.region)
          .filter((r) => (!input.NamePrefix || r.name.startsWith(input.NamePrefix)) && (!input.State || r.state === input.State) && (!input.EventSourceArn || r.eventSourceArn === input.EventSourceArn))
          .sort((a, b) => (a.name < b.name ? -1 : 1))
          .map((r) => {
            const { Description: _d, Destination: _dest, ReplayArn: _a, ...rest } = describe(r);
            return rest;
          });
        return paginate(all, input.Limit, input.NextToken, "Replays");
      },

      CancelReplay: (ctx: RequestContext, input: { ReplayName?: string }) => {
        const replay = requireReplay(ctx, input.ReplayName);
        if (replay.state !== "STARTING" && replay.state !== "RUNNING") throw new AwsError("IllegalStatusException", `Replay ${replay.name} is not in a state that can be cancelled (it is ${replay.state}).`);
        this.cancelled.add(replay.arn);
        const next = this.update(replay.arn, { state: "CANCELLING" });
        return { ReplayArn: next.arn, State: next.state, StateReason: "Replay cancellation is in progress." };
      },
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.running]);
  }

  /** After a reset: accept replays again. */
  restart(): void {
    this.stopped = false;
    this.cancelled.clear();
  }
}
