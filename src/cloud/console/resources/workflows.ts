/**
 * Step Functions (lab 06): state machines with their definition drawn as a
 * graph (the page draws it from the ASL JSON, web/asl-graph.js), their
 * executions, and one execution's status, history events and the same
 * graph with the states it entered and the one it failed in highlighted.
 * Read through the SDK's SFN client like any other caller; nothing is kept.
 */
import type { ResourceKind, Section } from "./types.js";
import { failure } from "./types.js";

const HISTORY_LIMIT = 1000;

interface HistoryEventLike {
  id?: number;
  type?: string;
  timestamp?: Date;
  stateEnteredEventDetails?: { name?: string };
  stateExitedEventDetails?: { name?: string };
  executionFailedEventDetails?: { error?: string; cause?: string };
  [key: string]: unknown;
}

/** The error and cause an event carries (TaskFailed, LambdaFunctionFailed, ExecutionFailed…). */
function errorOf(e: HistoryEventLike): string {
  for (const [k, v] of Object.entries(e)) {
    if (!k.endsWith("EventDetails") || !v || typeof v !== "object") continue;
    const d = v as { error?: string; cause?: string };
    if (d.error || d.cause) return [d.error, d.cause].filter(Boolean).join(": ");
  }
  return "";
}

function parseDefinition(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return undefined;
  }
}

export const stateMachines: ResourceKind = {
  kind: "state-machines",
  title: "State machines",
  async list({ sfn, sdk }) {
    const out = await sfn.send(new sdk.sfn.ListStateMachinesCommand({ maxResults: 1000 }));
    return {
      columns: ["state machine", "type", "created"],
      items: (out.stateMachines ?? []).map((m) => ({ id: m.stateMachineArn!, name: m.name!, cells: [m.name, m.type, m.creationDate?.toISOString()] })),
    };
  },
  async detail({ sfn, sdk }, arn) {
    const m = await sfn.send(new sdk.sfn.DescribeStateMachineCommand({ stateMachineArn: arn }));
    const definition = parseDefinition(m.definition);
    const sections: Section[] = [
      { type: "kv", title: "State machine", rows: [["ARN", m.stateMachineArn], ["type", m.type], ["status", m.status], ["role", m.roleArn], ["created", m.creationDate?.toISOString()]] },
      definition ? { type: "graph", title: "Definition", definition } : { type: "text", title: "Definition", text: m.definition ?? "", pre: true },
    ];
    try {
      const out = await sfn.send(new sdk.sfn.ListExecutionsCommand({ stateMachineArn: arn, maxResults: 100 }));
      sections.push({
        type: "table",
        title: "Executions (newest first)",
        columns: ["execution", "status", "started", "stopped"],
        rows: (out.executions ?? []).map((e) => ({ cells: [e.name, e.status, e.startDate?.toISOString(), e.stopDate?.toISOString()], open: { kind: "executions", id: e.executionArn! } })),
        note: out.executions?.length ? undefined : "No executions yet (aws stepfunctions start-execution).",
      });
    } catch (err) {
      sections.push(failure("Executions", err));
    }
    sections.push({ type: "text", title: "Definition (JSON)", text: definition ? JSON.stringify(definition, null, 2) : (m.definition ?? ""), pre: true });
    return { title: `state machine ${m.name}`, sections };
  },
};

/** One execution, reached from its state machine's list. */
export const executions: ResourceKind = {
  kind: "executions",
  title: "Executions",
  hidden: true,
  async detail({ sfn, sdk }, arn) {
    const e = await sfn.send(new sdk.sfn.DescribeExecutionCommand({ executionArn: arn }));
    const sections: Section[] = [
      {
        type: "kv",
        title: "Execution",
        rows: [["ARN", e.executionArn], ["state machine", e.stateMachineArn], ["status", e.status], ["started", e.startDate?.toISOString()], ["stopped", e.stopDate?.toISOString()], ["error", e.error], ["cause", e.cause]],
      },
    ];
    const [history, machine] = await Promise.all([
      sfn.send(new sdk.sfn.GetExecutionHistoryCommand({ executionArn: arn, maxResults: HISTORY_LIMIT })).catch((err: unknown) => err as Error),
      sfn.send(new sdk.sfn.DescribeStateMachineCommand({ stateMachineArn: e.stateMachineArn! })).catch(() => undefined),
    ]);
    if (history instanceof Error) sections.push(failure("History", history));
    const events = (history instanceof Error ? [] : (history.events ?? [])) as HistoryEventLike[];
    const entered = events.map((ev) => ev.stateEnteredEventDetails?.name).filter((n): n is string => !!n);
    // The failed state: the last one entered before the execution failed (a Fail state, or a task whose error nothing caught).
    const failed = e.status === "FAILED" || e.status === "TIMED_OUT" || e.status === "ABORTED" ? entered.at(-1) : undefined;
    const definition = parseDefinition(machine?.definition);
    if (definition) sections.push({ type: "graph", title: failed ? `Graph (failed in ${failed})` : "Graph", definition, visited: [...new Set(entered)], failed });
    sections.push({
      type: "table",
      title: `History (${events.length} events)`,
      columns: ["id", "type", "time", "state", "error"],
      rows: events.map((ev) => ({ cells: [ev.id, ev.type, ev.timestamp?.toISOString(), ev.stateEnteredEventDetails?.name ?? ev.stateExitedEventDetails?.name ?? "", errorOf(ev)] })),
    });
    if (e.input !== undefined) sections.push({ type: "text", title: "Input", text: e.input, pre: true });
    if (e.output !== undefined) sections.push({ type: "text", title: "Output", text: e.output, pre: true });
    return { title: `execution ${e.name}`, sections };
  },
};
