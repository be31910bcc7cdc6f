/**
 * Lab 06 — the grader's view of the workflow through the Step Functions API:
 * list the state machine's executions, and read each
 * one's story from GetExecutionHistory (the states it entered, the task
 * failures with their error names, how it ended) — the same API on AWS.
 */
import { DescribeExecutionCommand, type HistoryEvent } from "@aws-sdk/client-sfn";
import { executionHistory, listExecutions } from "../../src/kit/resources/stepfunctions.js";
import type { KitContext } from "../../src/kit/context.js";

const sfn = (ctx: KitContext) => ctx.clients.sfn;

export interface Run {
  executionArn: string;
  status: string;
  /** The object key of the event that started it (input.detail.object.key, or object.key when the target passed $.detail). */
  key?: string;
  /** The states entered, in order. */
  entered: string[];
  /** Task failures, in order: the state they happened in and the error name. */
  failures: Array<{ state: string; error: string; cause?: string }>;
  error?: string;
}

function keyOf(input: string | undefined): string | undefined {
  try {
    const v = JSON.parse(input ?? "null") as Record<string, any> | null;
    return v?.detail?.object?.key ?? v?.object?.key ?? v?.key;
  } catch {
    return undefined;
  }
}

/** Read one execution: its input's key, status, and the story its history tells. */
export async function readRun(ctx: KitContext, executionArn: string): Promise<Run> {
  const d = await sfn(ctx).send(new DescribeExecutionCommand({ executionArn }));
  const run: Run = { executionArn, status: d.status ?? "UNKNOWN", key: keyOf(d.input), entered: [], failures: [], error: d.error };
  if (run.status === "RUNNING") return run;
  let state = "";
  for (const e of await executionHistory(ctx, executionArn)) {
    const entered = e.stateEnteredEventDetails?.name;
    if (entered && /StateEntered$/.test(e.type ?? "")) {
      state = entered;
      run.entered.push(entered);
    }
    const failed = e.taskFailedEventDetails ?? e.lambdaFunctionFailedEventDetails;
    if (failed && (e.type === "TaskFailed" || e.type === "LambdaFunctionFailed")) run.failures.push({ state, error: failed.error ?? "", cause: failed.cause });
    if (e.type === "TaskTimedOut" || e.type === "LambdaFunctionTimedOut") run.failures.push({ state, error: "States.Timeout" });
  }
  return run;
}

/** Every execution of the state machine so far (newest first, as ListExecutions gives them). */
export async function listRuns(ctx: KitContext, stateMachineArn: string): Promise<Array<{ executionArn: string; status: string }>> {
  return (await listExecutions(ctx, stateMachineArn)).map((e) => ({ executionArn: e.executionArn!, status: e.status! }));
}

/** Executions read once finished (cached: a finished execution does not change). */
export class RunBook {
  private readonly done = new Map<string, Run>();
  constructor(private readonly ctx: KitContext, private readonly stateMachineArn: string) {}

  /** All executions; finished ones with their story, running ones with status RUNNING. */
  async all(): Promise<Run[]> {
    const out: Run[] = [];
    for (const e of await listRuns(this.ctx, this.stateMachineArn)) {
      const cached = this.done.get(e.executionArn);
      if (cached) {
        out.push(cached);
        continue;
      }
      const run = e.status === "RUNNING" ? { executionArn: e.executionArn, status: "RUNNING", entered: [], failures: [] } : await readRun(this.ctx, e.executionArn);
      if (run.status !== "RUNNING") this.done.set(e.executionArn, run);
      out.push(run);
    }
    return out;
  }

  /** Executions started by events about `key`. A running one's key is read from DescribeExecution too. */
  async about(key: string): Promise<Run[]> {
    const runs = await this.all();
    for (const r of runs) if (r.status === "RUNNING" && r.key === undefined) r.key = (await readRun(this.ctx, r.executionArn)).key;
    return runs.filter((r) => r.key === key);
  }
}
