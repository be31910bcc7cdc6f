/**
 * Executions: StartExecution (STANDARD: names unique per state machine, the
 * same name and input while RUNNING answer the same execution, as AWS does),
 * StartSyncExecution (EXPRESS only), DescribeExecution, ListExecutions
 * (newest first, statusFilter), StopExecution and GetExecutionHistory.
 * STANDARD executions and their history are stored and survive a restart;
 * EXPRESS ones live in memory only (AWS keeps no history for them either).
 */
import { randomUUID } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { jsonDepthExceeds } from "../../core/json-depth.js";
import { executionArn, type ExecutionRecord, type MachineRecord, type SfnState } from "./state.js";
import { constraint, executionNotFound, invalidArn } from "./errors.js";
import { epoch, page, requireMachine, validName } from "./machines.js";
import { historyPage } from "./history.js";
import type { Executor } from "./executor.js";

const MAX_INPUT_BYTES = 262_144;
const MAX_INPUT_DEPTH = 500;
const EXECUTION_ARN = /^arn:aws:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+(:[^:]+)?$/;
const STATUSES = new Set(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]);

export class Executions {
  /** EXPRESS executions (not stored). */
  private readonly express = new Map<string, ExecutionRecord>();

  constructor(
    private readonly cloud: Cloud,
    private readonly state: SfnState,
    private readonly executor: Executor,
  ) {}

  /** Forget the in-memory EXPRESS executions (reset). */
  clear(): void {
    this.express.clear();
  }

  get(arn: string): ExecutionRecord | undefined {
    return this.state.executions.get(arn) ?? this.express.get(arn);
  }

  private save(record: ExecutionRecord): void {
    if (record.type === "EXPRESS") {
      this.express.set(record.arn, record);
      if (this.express.size > 1000) {
        // The oldest goes, and its in-memory history with it (EXPRESS history lives nowhere else).
        const oldest = this.express.keys().next().value!;
        this.express.delete(oldest);
        this.state.history.delete(oldest);
      }
    } else {
      this.state.executions.set(record.arn, record);
      this.emitStatus(record);
    }
  }

  /**
   * STANDARD executions tell the account's default bus about every status
   * change (RUNNING, then SUCCEEDED / FAILED / TIMED_OUT / ABORTED), as AWS
   * does: "Step Functions Execution Status Change" from aws.states, dates in
   * epoch milliseconds. A rule whose pattern is too broad sees these too.
   */
  private emitStatus(r: ExecutionRecord): void {
    const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : null);
    const event = {
      version: "0",
      id: randomUUID(),
      "detail-type": "Step Functions Execution Status Change",
      source: "aws.states",
      account: r.account,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      region: r.region,
      resources: [r.arn],
      detail: {
        executionArn: r.arn,
        stateMachineArn: r.machineArn,
        name: r.name,
        status: r.status,
        startDate: ms(r.startDate),
        stopDate: ms(r.stopDate),
        input: r.input,
        output: r.output ?? null,
        inputDetails: { included: true },
        outputDetails: r.output !== undefined ? { included: true } : null,
        ...(r.error !== undefined ? { error: r.error } : {}),
        ...(r.cause !== undefined ? { cause: r.cause } : {}),
      },
    };
    const bus = `arn:aws:events:${r.region}:${r.account}:event-bus/default`;
    if (!this.cloud.destinations.exists(bus)) return;
    void this.cloud.destinations.deliver(bus, { body: JSON.stringify(event), source: { principal: "states.amazonaws.com", arn: r.machineArn, account: r.account }, correlationId: this.cloud.trace.newCorrelationId() }, { kind: "states→events", attempts: 1 });
  }

  /** Start an execution (the API and EventBridge targets); returns at once with the record and a promise of its end. */
  start(machine: MachineRecord, input: { name?: unknown; input?: unknown; traceHeader?: string; correlationId?: string }): { record: ExecutionRecord; done: Promise<ExecutionRecord> } {
    if (input.name !== undefined && !validName(input.name)) throw new AwsError("InvalidName", `Invalid Name: '${String(input.name)}'`);
    const text = input.input === undefined || input.input === null ? "{}" : input.input;
    if (typeof text !== "string") throw constraint(text, "input", "Member must be a string");
    if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw constraint("<input>", "input", `Member must have length less than or equal to ${MAX_INPUT_BYTES}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new AwsError("InvalidExecutionInput", `Invalid State Machine Execution Input: '${(err as Error).message}'`);
    }
    // The engine copies data recursively; a pathologically deep input is refused instead of overflowing its stack (By design).
    if (jsonDepthExceeds(parsed, MAX_INPUT_DEPTH)) throw new AwsError("InvalidExecutionInput", `Invalid State Machine Execution Input: 'the input nests deeper than ${MAX_INPUT_DEPTH} levels'`);
    const name = (input.name as string | undefined) ?? randomUUID();
    const arn = executionArn(machine, machine.type === "EXPRESS" ? `${name}:${randomUUID()}` : name);
    const existing = this.state.executions.get(arn);
    if (existing) {
      if (existing.status === "RUNNING" && existing.input === text) return { record: existing, done: Promise.resolve(existing) };
      throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
    }
    const record: ExecutionRecord = {
      arn,
      name,
      machineArn: machine.arn,
      account: machine.account,
      region: machine.region,
      type: machine.type,
      status: "RUNNING",
      input: text,
      startDate: new Date().toISOString(),
      definition: machine.definition,
      roleArn: machine.roleArn,
      traceHeader: input.traceHeader,
    };
    this.save(record);
    const correlationId = input.correlationId ?? this.cloud.trace.newCorrelationId();
    this.cloud.trace.record({ correlationId, kind: "states.execution", source: machine.arn, target: arn, status: "info", detail: "started" });
    const done = this.executor.start(record, { persist: machine.type === "STANDARD", correlationId, save: (r) => this.save(r) });
    return { record, done };
  }

  /** Executions the cloud was running when it stopped cannot resume: they end FAILED at the next start. */
  failInterrupted(note: (record: ExecutionRecord) => void): void {
    for (const record of this.state.executions.values()) {
      if (record.status !== "RUNNING") continue;
      const updated: ExecutionRecord = {
        ...record,
        status: "FAILED",
        error: "States.Runtime",
        cause: "The local cloud stopped while this execution was running; executions do not resume after a restart. Start it again.",
        stopDate: new Date().toISOString(),
      };
      this.state.executions.set(record.arn, updated);
      note(updated);
    }
  }

  private require(arn: unknown): ExecutionRecord {
    if (typeof arn !== "string" || !arn) throw constraint(arn, "executionArn", "Member must not be null");
    if (!EXECUTION_ARN.test(arn)) throw invalidArn(arn);
    const record = this.get(arn);
    if (!record) throw executionNotFound(arn);
    return record;
  }

  handlers() {
    const describe = (r: ExecutionRecord) => ({
      executionArn: r.arn,
      stateMachineArn: r.machineArn,
      name: r.name,
      status: r.status,
      startDate: epoch(r.startDate),
      stopDate: epoch(r.stopDate),
      input: r.input,
      inputDetails: { included: true },
      ...(r.output !== undefined ? { output: r.output, outputDetails: { included: true } } : {}),
      error: r.error,
      cause: r.cause,
      traceHeader: r.traceHeader,
      redriveCount: 0,
      redriveStatus: "NOT_REDRIVABLE",
    });
    return {
      StartExecution: (_ctx: RequestContext, input: { stateMachineArn?: string; name?: string; input?: string; traceHeader?: string }) => {
        const machine = requireMachine(this.state, input.stateMachineArn);
        const { record } = this.start(machine, input);
        return { executionArn: record.arn, startDate: epoch(record.startDate) };
      },

      StartSyncExecution: async (_ctx: RequestContext, input: { stateMachineArn?: string; name?: string; input?: string; traceHeader?: string }) => {
        const machine = requireMachine(this.state, input.stateMachineArn);
        if (machine.type !== "EXPRESS") throw new AwsError("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
        const { done } = this.start(machine, input);
        const r = await done;
        const ms = Date.parse(r.stopDate ?? r.startDate) - Date.parse(r.startDate);
        return { ...describe(r), redriveCount: undefined, redriveStatus: undefined, billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil(ms / 100) * 100) } };
      },

      DescribeExecution: (_ctx: RequestContext, input: { executionArn?: string }) => describe(this.require(input.executionArn)),

      ListExecutions: (_ctx: RequestContext, input: { stateMachineArn?: string; statusFilter?: string; maxResults?: number; nextToken?: string }) => {
        const machine = requireMachine(this.state, input.stateMachineArn);
        if (input.statusFilter !== undefined && !STATUSES.has(input.statusFilter)) throw constraint(input.statusFilter, "statusFilter", "Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]");
        const source = machine.type === "EXPRESS" ? this.express.values() : this.state.executions.values();
        const all = [...source]
          .filter((r) => r.machineArn === machine.arn && (!input.statusFilter || r.status === input.statusFilter))
          .sort((a, b) => (a.startDate < b.startDate ? 1 : a.startDate > b.startDate ? -1 : 0))
          .map((r) => ({ executionArn: r.arn, stateMachineArn: r.machineArn, name: r.name, status: r.status, startDate: epoch(r.startDate), stopDate: epoch(r.stopDate), redriveCount: 0 }));
        return page(all, input.maxResults, input.nextToken, "executions");
      },

      StopExecution: async (_ctx: RequestContext, input: { executionArn?: string; error?: string; cause?: string }) => {
        const record = this.require(input.executionArn);
        if (input.error !== undefined && (typeof input.error !== "string" || input.error.length > 256)) throw constraint("<error>", "error", "Member must have length less than or equal to 256");
        if (input.cause !== undefined && (typeof input.cause !== "string" || input.cause.length > 32768)) throw constraint("<cause>", "cause", "Member must have length less than or equal to 32768");
        if (record.status !== "RUNNING" || !this.executor.isRunning(record.arn)) return { stopDate: epoch(record.stopDate ?? new Date().toISOString()) };
        const done = this.executor.done(record.arn);
        this.executor.stop(record.arn, input.error, input.cause);
        const final = await done;
        return { stopDate: epoch(final?.stopDate ?? new Date().toISOString()) };
      },

      GetExecutionHistory: (_ctx: RequestContext, input: { executionArn?: string; maxResults?: number; reverseOrder?: boolean; nextToken?: string; includeExecutionData?: boolean }) => {
        const record = this.require(input.executionArn);
        if (input.maxResults !== undefined && (input.maxResults < 0 || input.maxResults > 1000)) throw constraint(input.maxResults, "maxResults", "Member must have value less than or equal to 1000");
        const events = this.state.history.get(record.arn) ?? [];
        const out = historyPage(events, input);
        return { events: out.events.map((e) => ({ ...e, timestamp: epoch(e.timestamp) })), nextToken: out.nextToken };
      },
    };
  }
}
