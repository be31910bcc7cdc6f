/**
 * The mappings' lifecycle: records in the store, the state machine
 * (Creating → Enabled | Disabled, Enabling/Disabling/Updating → settled,
 * Deleting → gone) driven by short time-scaled timers, and one Poller per
 * Enabled mapping. On start-up, mappings caught mid-transition settle at once
 * and Enabled ones resume polling.
 */
import { randomUUID } from "node:crypto";
import type { Cloud } from "../../../core/cloud.js";
import type { Table } from "../../../core/store.js";
import { TABLE, type MappingRecord, type MappingState } from "./state.js";
import { Poller } from "./poller.js";
import { createRoleCheck } from "./role-check.js";

const CLOSE_WAIT_MS = 2000;

export type NewMapping = Omit<MappingRecord, "uuid" | "state" | "stateTransitionReason" | "lastModified" | "lastProcessingResult">;
export type MappingChanges = Pick<MappingRecord, "functionArn" | "batchSize" | "maximumBatchingWindowInSeconds" | "enabled" | "functionResponseTypes" | "filters" | "maximumConcurrency">;

export class MappingsController {
  readonly mappings: Table<MappingRecord>;
  readonly checkPermissions: ReturnType<typeof createRoleCheck>;
  private readonly pollers = new Map<string, Poller>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly cloud: Cloud) {
    this.mappings = cloud.store.table<MappingRecord>(TABLE);
    this.checkPermissions = createRoleCheck(cloud);
    this.resume();
  }

  /** AWS's state changes take a few seconds; locally that × the time scale, at least 20 ms. */
  private get transitionMs(): number {
    return Math.max(20, this.cloud.scaled(2000));
  }

  private resume(): void {
    for (const record of [...this.mappings.values()]) {
      if (record.state === "Deleting") {
        this.mappings.delete(record.uuid);
        continue;
      }
      const settled: MappingState = record.enabled ? "Enabled" : "Disabled";
      if (record.state !== settled) this.mappings.set(record.uuid, { ...record, state: settled });
    }
    // Next tick: Lambda finishes starting (its internal API) before the first poll.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const record of this.mappings.values()) if (record.state === "Enabled") this.startPoller(record.uuid);
    }, 0);
    this.timers.add(timer);
  }

  private later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.transitionMs);
    this.timers.add(timer);
  }

  private startPoller(uuid: string): void {
    if (this.pollers.get(uuid) && !this.pollers.get(uuid)!.stopped) return;
    const poller = new Poller(this.cloud, this.mappings, uuid);
    this.pollers.set(uuid, poller);
    void poller.done.then(() => {
      if (this.pollers.get(uuid) === poller) this.pollers.delete(uuid);
    });
  }

  private stopPoller(uuid: string): void {
    this.pollers.get(uuid)?.stop();
    this.pollers.delete(uuid);
  }

  /** Move to `next` after the transition delay, if nothing else changed the state meanwhile. */
  private settle(uuid: string, from: MappingState, next: MappingState): void {
    this.later(() => {
      const current = this.mappings.get(uuid);
      if (!current || current.state !== from) return;
      this.mappings.set(uuid, { ...current, state: next, lastModified: Date.now() / 1000 });
      if (next === "Enabled") this.startPoller(uuid);
    });
  }

  create(input: NewMapping): MappingRecord {
    const record: MappingRecord = {
      ...input,
      uuid: randomUUID(),
      state: "Creating",
      stateTransitionReason: "USER_INITIATED",
      lastModified: Date.now() / 1000,
      lastProcessingResult: "No records processed",
    };
    this.mappings.set(record.uuid, record);
    this.settle(record.uuid, "Creating", record.enabled ? "Enabled" : "Disabled");
    return record;
  }

  update(record: MappingRecord, changes: MappingChanges): MappingRecord {
    const toggled = changes.enabled !== record.enabled;
    const state: MappingState = toggled ? (changes.enabled ? "Enabling" : "Disabling") : "Updating";
    const updated: MappingRecord = { ...record, ...changes, state, stateTransitionReason: "USER_INITIATED", lastModified: Date.now() / 1000 };
    this.mappings.set(record.uuid, updated);
    // A running poller picks up new settings on its next batch; disabling stops it now.
    if (!changes.enabled) this.stopPoller(record.uuid);
    this.settle(record.uuid, state, changes.enabled ? "Enabled" : "Disabled");
    return updated;
  }

  remove(record: MappingRecord): MappingRecord {
    this.stopPoller(record.uuid);
    const deleting: MappingRecord = { ...record, state: "Deleting", stateTransitionReason: "USER_INITIATED", lastModified: Date.now() / 1000 };
    this.mappings.set(record.uuid, deleting);
    this.later(() => {
      if (this.mappings.get(record.uuid)?.state === "Deleting") this.mappings.delete(record.uuid);
    });
    return deleting;
  }

  /**
   * AWS keeps a mapping whose function is deleted (DeleteFunction leaves them;
   * DeleteEventSourceMapping removes them); its poller idles with
   * "PROBLEM: Function not found." until a function of that name exists again.
   */
  onFunctionDeleted(functionArn: string): void {
    for (const record of this.mappings.values()) {
      if (record.functionArn === functionArn) this.mappings.set(record.uuid, { ...record, lastProcessingResult: "PROBLEM: Function not found." });
    }
  }

  private stopAll(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const running = [...this.pollers.values()];
    for (const poller of running) poller.stop();
    this.pollers.clear();
    // Pollers end as soon as their long poll is aborted; one caught inside an invocation
    // ends when it returns. Wait for that, but never longer than CLOSE_WAIT_MS: a stopped
    // poller writes nothing afterwards, and Lambda's own close stops the invocation.
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    return Promise.race([Promise.allSettled(running.map((p) => p.done)), cap]).then(() => clearTimeout(timer));
  }

  reset(): void {
    void this.stopAll();
  }

  close(): Promise<void> {
    return this.stopAll();
  }
}
