/**
 * Message move tasks — DLQ redrive (aws-behavior.md §14): StartMessageMoveTask,
 * ListMessageMoveTasks, CancelMessageMoveTask. A task moves the visible
 * messages of a dead-letter queue, at MaxNumberOfMessagesPerSecond (1–500;
 * unset: as fast as a tick allows), to DestinationArn or, without one, back to
 * the queue each message was dead-lettered from (recorded when the redrive
 * policy moved it). Statuses RUNNING → COMPLETED | CANCELLED | FAILED; one
 * RUNNING task per source queue; the ten newest tasks per source are kept,
 * persisted in "sqs.move-tasks", and a task RUNNING at shutdown resumes after
 * a restart.
 *
 * Error codes and texts are AWS's as recorded against real SQS (LocalStack's
 * snapshot tests/aws/services/sqs/test_sqs_move_task.snapshot.json):
 * "Source queue must be configured as a Dead Letter Queue." (not a DLQ of any
 * queue), ResourceNotFoundException for a missing SourceArn/DestinationArn
 * ("The resource that you specified for the SourceArn parameter doesn't
 * exist."), "There is already a task running. Only one active task is allowed
 * for a source queue arn at a given time.", "Value for parameter TaskHandle is
 * invalid.", "Task does not exist.", and a destination deleted while running
 * ends the task FAILED with FailureReason AWS.SimpleQueueService.NonExistentQueue.
 * The MaxNumberOfMessagesPerSecond range message is UNCERTAIN (an emulator's
 * wording). The task handle is base64 of {"taskId","sourceArn"}, as AWS's is.
 *
 * Gap: IAM checks only the operation's own action (sqs:StartMessageMoveTask
 * on the source queue); AWS also wants the caller to hold sqs:ReceiveMessage,
 * DeleteMessage and GetQueueAttributes on the source and sqs:SendMessage on
 * the destination.
 */
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/context.js";
import type { Table } from "../../core/store.js";
import { AwsError } from "../../core/aws-error.js";
import type { SqsService } from "./service-context.js";
import type { MessageRecord, QueueRecord } from "./state.js";
import { invalidParameterValue, missingParameter } from "./errors.js";
import { parseQueueArn } from "./queue-urls.js";
import { redrivePolicyOf } from "./queue-attributes.js";

type Input = Record<string, unknown>;
export type MoveTaskStatus = "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";

export interface MoveTaskRecord {
  taskId: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: MoveTaskStatus;
  moved: number;
  toMove: number;
  failureReason?: string;
  /** ms epoch (ListMessageMoveTasks reports StartedTimestamp in ms). */
  startedTimestamp: number;
}

/** How often a running task moves its next slice. */
const TICK_MS = 50;
/** Unset rate: what one tick may move (AWS "optimizes the rate"; 10,000/s here). */
const UNLIMITED_PER_TICK = 500;
const KEEP_PER_SOURCE = 10;

const notFound = (parameter: "SourceArn" | "DestinationArn") =>
  new AwsError("ResourceNotFoundException", `The resource that you specified for the ${parameter} parameter doesn't exist.`, { queryCode: "ResourceNotFoundException", status: 404 });
const taskNotFound = () => new AwsError("ResourceNotFoundException", "Task does not exist.", { queryCode: "ResourceNotFoundException", status: 404 });

export function encodeTaskHandle(task: Pick<MoveTaskRecord, "taskId" | "sourceArn">): string {
  return Buffer.from(JSON.stringify({ taskId: task.taskId, sourceArn: task.sourceArn }), "utf8").toString("base64");
}

function decodeTaskHandle(handle: string): { taskId: string; sourceArn: string } | undefined {
  if (!/^[A-Za-z0-9+/]+=*$/.test(handle)) return undefined;
  try {
    const doc = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as { taskId?: unknown; sourceArn?: unknown };
    return typeof doc.taskId === "string" && typeof doc.sourceArn === "string" ? { taskId: doc.taskId, sourceArn: doc.sourceArn } : undefined;
  } catch {
    return undefined;
  }
}

export class MoveTasks {
  readonly tasks: Table<MoveTaskRecord>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Fractional messages owed to a rate-limited task between ticks. */
  private readonly credit = new Map<string, number>();

  constructor(private readonly svc: SqsService) {
    this.tasks = svc.cloud.store.table<MoveTaskRecord>("sqs.move-tasks");
    for (const task of this.tasks.values()) if (task.status === "RUNNING") this.schedule(task.taskId);
  }

  private queue(arn: string): QueueRecord | undefined {
    return this.svc.engine.queueByArn(arn);
  }

  /** The queues whose RedrivePolicy points at this one (none: it is no dead-letter queue). */
  private sourcesOf(dlq: QueueRecord): QueueRecord[] {
    return [...this.svc.engine.queues.values()].filter((q) => redrivePolicyOf(q)?.deadLetterTargetArn === dlq.arn);
  }

  private forSource(sourceArn: string): MoveTaskRecord[] {
    return [...this.tasks.values()].filter((t) => t.sourceArn === sourceArn).sort((a, b) => b.startedTimestamp - a.startedTimestamp || (b.taskId < a.taskId ? -1 : 1));
  }

  start(input: Input): { TaskHandle: string } {
    const sourceArn = sourceArnOf(input);
    const destinationArn = input.DestinationArn === undefined || input.DestinationArn === null || input.DestinationArn === "" ? undefined : input.DestinationArn;
    if (destinationArn !== undefined && (typeof destinationArn !== "string" || !parseQueueArn(destinationArn))) {
      throw invalidParameterValue(`Value ${String(destinationArn)} for parameter DestinationArn is invalid. Reason: Must be a valid queue ARN.`);
    }
    const rate = numeric(input.MaxNumberOfMessagesPerSecond);
    if (rate !== undefined && rate !== null && (typeof rate !== "number" || !Number.isInteger(rate) || rate < 1 || rate > 500)) {
      throw invalidParameterValue("Value for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: You must enter a number that's between 1 and 500.");
    }
    const source = this.queue(sourceArn);
    if (!source) throw notFound("SourceArn");
    if (this.sourcesOf(source).length === 0) throw invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
    if (destinationArn !== undefined && !this.queue(destinationArn as string)) throw notFound("DestinationArn");
    if (this.forSource(sourceArn).some((t) => t.status === "RUNNING")) {
      throw invalidParameterValue("There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    }
    const task: MoveTaskRecord = {
      taskId: randomUUID(),
      sourceArn,
      ...(destinationArn !== undefined ? { destinationArn: destinationArn as string } : {}),
      ...(typeof rate === "number" ? { maxPerSecond: rate } : {}),
      status: "RUNNING",
      moved: 0,
      toMove: this.svc.engine.counts(source).visible,
      startedTimestamp: Date.now(),
    };
    this.tasks.set(task.taskId, task);
    // Only the ten newest tasks of a source are listed; older ones are forgotten.
    for (const old of this.forSource(sourceArn).slice(KEEP_PER_SOURCE)) this.tasks.delete(old.taskId);
    this.schedule(task.taskId);
    return { TaskHandle: encodeTaskHandle(task) };
  }

  list(input: Input): { Results: Record<string, unknown>[] } {
    const sourceArn = sourceArnOf(input);
    const max = numeric(input.MaxResults) ?? 1;
    if (typeof max !== "number" || !Number.isInteger(max) || max < 1 || max > 10) throw invalidParameterValue("Value for parameter MaxResults is invalid. Reason: You must enter a number that's between 1 and 10.");
    if (!this.queue(sourceArn)) throw notFound("SourceArn");
    return { Results: this.forSource(sourceArn).slice(0, max).map(toWire) };
  }

  cancel(input: Input): { ApproximateNumberOfMessagesMoved: number } {
    const handle = input.TaskHandle;
    if (handle === undefined || handle === null) throw missingParameter("TaskHandle");
    const decoded = typeof handle === "string" ? decodeTaskHandle(handle) : undefined;
    if (!decoded) throw invalidParameterValue("Value for parameter TaskHandle is invalid.");
    if (!parseQueueArn(decoded.sourceArn) || !this.queue(decoded.sourceArn)) throw notFound("SourceArn");
    const task = this.tasks.get(decoded.taskId);
    if (!task || task.sourceArn !== decoded.sourceArn) throw taskNotFound();
    // Only a RUNNING task can be cancelled (AWS); a finished one is no longer "active" (UNCERTAIN code).
    if (task.status !== "RUNNING") throw taskNotFound();
    this.stopTimer(task.taskId);
    // Moved messages stay moved; the rest stay in the dead-letter queue.
    this.tasks.set(task.taskId, { ...task, status: "CANCELLED" });
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  private schedule(taskId: string): void {
    if (this.timers.has(taskId)) return;
    const timer = setInterval(() => this.tick(taskId), TICK_MS);
    timer.unref?.();
    this.timers.set(taskId, timer);
  }

  private stopTimer(taskId: string): void {
    const timer = this.timers.get(taskId);
    if (timer) clearInterval(timer);
    this.timers.delete(taskId);
    this.credit.delete(taskId);
  }

  private finish(task: MoveTaskRecord, status: MoveTaskStatus, failureReason?: string): void {
    this.stopTimer(task.taskId);
    this.tasks.set(task.taskId, { ...task, status, ...(failureReason ? { failureReason } : {}) });
  }

  /** How many messages this tick may move (the rate spread over ticks, fractions carried over). */
  private allowance(task: MoveTaskRecord): number {
    if (task.maxPerSecond === undefined) return UNLIMITED_PER_TICK;
    const owed = (this.credit.get(task.taskId) ?? 0) + (task.maxPerSecond * TICK_MS) / 1000;
    const whole = Math.floor(owed);
    this.credit.set(task.taskId, owed - whole);
    return whole;
  }

  private tick(taskId: string): void {
    const task = this.tasks.get(taskId);
    if (!task || task.status !== "RUNNING") return this.stopTimer(taskId);
    const source = this.queue(task.sourceArn);
    if (!source) return this.finish(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
    const fixed = task.destinationArn !== undefined ? this.queue(task.destinationArn) : undefined;
    if (task.destinationArn !== undefined && !fixed) return this.finish(task, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
    const left = task.toMove - task.moved;
    if (left <= 0) return this.finish(task, "COMPLETED");
    const allowed = Math.min(left, this.allowance(task));
    if (allowed === 0) return;
    const taken = this.svc.engine.takeVisible(source, allowed);
    let moved = 0;
    for (const [i, message] of taken.entries()) {
      const destination = fixed ?? this.originalQueueOf(message, source);
      if (!destination) {
        // Nowhere to send it back to (sent straight to the DLQ, or its queue is gone): it and the rest stay, the task fails.
        for (const rest of taken.slice(i)) this.svc.engine.enqueueMoved(source, rest, { keepDeadLetterSource: true });
        return this.finish({ ...task, moved: task.moved + moved }, "FAILED", "AWS.SimpleQueueService.NonExistentQueue");
      }
      this.svc.engine.enqueueMoved(destination, message);
      moved++;
      this.svc.cloud.trace.record({ correlationId: message.messageId, kind: "sqs→redrive", source: task.sourceArn, target: destination.arn, status: "info", detail: `message move task ${task.taskId} moved message ${message.messageId}` });
    }
    const updated = { ...task, moved: task.moved + moved };
    // Nothing visible left to move (others received or deleted them meanwhile): done.
    if (updated.moved >= updated.toMove || taken.length < allowed) return this.finish(updated, "COMPLETED");
    this.tasks.set(task.taskId, updated);
  }

  /**
   * The queue a message was dead-lettered from; for one sent to the DLQ directly, the DLQ's only
   * source queue if it has exactly one (UNCERTAIN what AWS does then).
   */
  private originalQueueOf(message: MessageRecord, dlq: QueueRecord): QueueRecord | undefined {
    if (message.deadLetterSourceArn) return this.queue(message.deadLetterSourceArn);
    const sources = this.sourcesOf(dlq);
    return sources.length === 1 ? sources[0] : undefined;
  }

  reset(): void {
    for (const id of [...this.timers.keys()]) this.stopTimer(id);
  }

  close(): void {
    this.reset();
  }
}

/** The request's SourceArn, present and a queue ARN. */
function sourceArnOf(input: Input): string {
  const sourceArn = input.SourceArn;
  if (sourceArn === undefined || sourceArn === null) throw missingParameter("SourceArn");
  if (typeof sourceArn !== "string" || !parseQueueArn(sourceArn)) throw invalidParameterValue(`Value ${String(sourceArn)} for parameter SourceArn is invalid. Reason: Must be a valid queue ARN.`);
  return sourceArn;
}

/** awsQuery forms carry numbers as text. */
function numeric(value: unknown): unknown {
  return typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
}

function toWire(task: MoveTaskRecord): Record<string, unknown> {
  return {
    ...(task.status === "RUNNING" ? { TaskHandle: encodeTaskHandle(task) } : {}),
    Status: task.status,
    SourceArn: task.sourceArn,
    ...(task.destinationArn !== undefined ? { DestinationArn: task.destinationArn } : {}),
    ...(task.maxPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: task.maxPerSecond } : {}),
    ApproximateNumberOfMessagesMoved: task.moved,
    ApproximateNumberOfMessagesToMove: task.toMove,
    ...(task.failureReason ? { FailureReason: task.failureReason } : {}),
    StartedTimestamp: task.startedTimestamp,
  };
}

export function moveTaskHandlers(tasks: MoveTasks) {
  return {
    StartMessageMoveTask: (_ctx: RequestContext, input: Input) => tasks.start(input),
    ListMessageMoveTasks: (_ctx: RequestContext, input: Input) => tasks.list(input),
    CancelMessageMoveTask: (_ctx: RequestContext, input: Input) => tasks.cancel(input),
  };
}
