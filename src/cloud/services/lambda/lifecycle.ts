/**
 * Function states (aws-behavior.md §5 "States", Lambda guide "functions-states"):
 * CreateFunction answers State Pending ("The function is being created.",
 * Creating) and the function turns Active a moment later; UpdateFunctionCode
 * and UpdateFunctionConfiguration answer LastUpdateStatus InProgress and turn
 * Successful a moment later. The moment is AWS's few seconds scaled by the
 * cloud's time scale (tens of milliseconds by default) — short, but real, so
 * code that skips the waiters meets the same ResourceConflictException it
 * would meet on AWS. A transition left unfinished by a restart completes at
 * start-up.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";
import { functionKey, type FunctionRecord } from "./state.js";

/** Roughly how long AWS keeps a small zip function Pending / InProgress. */
const AWS_TRANSITION_MS = 3000;
const MIN_TRANSITION_MS = 20;

export class Lifecycle {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly cloud: Cloud,
    private readonly functions: Table<FunctionRecord>,
  ) {
    for (const fn of [...functions.values()]) {
      if (fn.state === "Pending" || fn.lastUpdateStatus === "InProgress") this.complete(fn.arn, functionKey(fn.account, fn.region, fn.name));
    }
  }

  private get delay(): number {
    return Math.max(MIN_TRANSITION_MS, this.cloud.scaled(AWS_TRANSITION_MS));
  }

  /** After CreateFunction / an update: finish the transition shortly. */
  schedule(fn: FunctionRecord): void {
    const key = functionKey(fn.account, fn.region, fn.name);
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.complete(fn.arn, key);
    }, this.delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  private complete(arn: string, key: string): void {
    const current = this.functions.get(key);
    if (!current || current.arn !== arn) return; // deleted (or deleted and re-created) meanwhile
    const next: FunctionRecord = { ...current, lastUpdateStatus: "Successful" };
    if (current.state === "Pending") next.state = "Active";
    delete next.stateReason;
    delete next.stateReasonCode;
    delete next.lastUpdateStatusReason;
    delete next.lastUpdateStatusReasonCode;
    this.functions.set(key, next);
  }

  cancel(fn: FunctionRecord): void {
    const key = functionKey(fn.account, fn.region, fn.name);
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
