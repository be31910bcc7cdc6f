/**
 * What a Task state does when it runs (resources.ts lists the forms): Lambda
 * through Lambda's internal API (`cloud.use<LambdaInternalApi>("lambda")`,
 * a synchronous invoke as an AWS service makes it), SNS, SQS and DynamoDB
 * through the cloud's own endpoint with the role session's credentials
 * (roles.ts), so IAM enforcement and every service rule apply as for any
 * caller. Each call's Scheduled/Started/Succeeded|Failed history events are
 * recorded here, since only the task knows them.
 *
 * Results and errors in AWS's shapes (aws-behavior.md §10): lambda:invoke
 * wraps the response (`Payload` parsed from JSON, `StatusCode`,
 * `SdkHttpMetadata`…); the function-ARN form returns the raw result. A
 * function error fails the task with the function's errorType and the error
 * payload as cause; time-outs and crashes are `Lambda.Unknown`; a denied or
 * failed service call is `<Service>.<Exception>` with the Java-SDK style cause
 * "<message> (Service: …; Status Code: …; Error Code: …; Request ID: …; Proxy: null)".
 */
import { randomUUID } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import { isAwsError } from "../../core/aws-error.js";
import type { LambdaInternalApi } from "../../core/internal-apis.js";
import type { TaskKind } from "./resources.js";
import type { MachineRoles } from "./roles.js";
import { dataDetails, jsonText, type HistoryWriter } from "./history.js";
import { callService } from "./service-calls.js";

/** An error a task fails with: `name` is what Retry/Catch match, `message` the cause. */
export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }

  /** Read by the engine: States.Runtime can be neither retried nor caught, as on AWS. */
  get isRetryable(): boolean {
    return this.name !== "States.Runtime";
  }

  get isCatchable(): boolean {
    return this.name !== "States.Runtime";
  }
}

export interface TaskRun {
  cloud: Cloud;
  roles: MachineRoles;
  roleArn: string;
  region: string;
  account: string;
  history: HistoryWriter;
  correlationId: string;
  executionArn: string;
  /** The latest attempt of each Task state; the engine's TimeoutSeconds marks it timed out (executor.ts). */
  attempts: Map<string, { timedOut: boolean }>;
}

/** How long a task waits for the local Lambda pool to have room before it is throttled (By design in index.ts). */
const LOCAL_CAPACITY_WAIT_MS = 120_000;

const SERVICE_LABEL: Record<string, string> = { lambda: "AWSLambda", sns: "AmazonSNS", sqs: "AmazonSQS", dynamodb: "AmazonDynamoDBv2" };

function javaCause(service: string, message: string, status: number, code: string, requestId: string = randomUUID()): string {
  return `${message} (Service: ${SERVICE_LABEL[service] ?? service}; Status Code: ${status}; Error Code: ${code}; Request ID: ${requestId}; Proxy: null)`;
}

function sdkHttpMetadata(requestId: string, status = 200): Record<string, unknown> {
  const headers = { "Content-Type": "application/json", "x-amzn-RequestId": requestId, Date: new Date().toUTCString() };
  return {
    SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])), HttpHeaders: headers, HttpStatusCode: status },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

function functionArnOf(name: unknown, run: TaskRun): string {
  const text = String(name ?? "");
  if (text.startsWith("arn:")) return text;
  if (/^\d{12}:function:/.test(text)) return `arn:aws:lambda:${run.region}:${text}`;
  return `arn:aws:lambda:${run.region}:${run.account}:function:${text}`;
}

/** Invoke a function synchronously the way Step Functions does; throws TaskError. */
async function invokeLambda(run: TaskRun, functionArn: string, payload: string): Promise<{ payload: string; requestId: string }> {
  const session = run.roles.credentials(run.roleArn).sessionName;
  const permission = run.roles.allows(run.roleArn, session, "lambda:InvokeFunction", functionArn);
  if (permission.decision !== "Allow") {
    run.cloud.trace.record({ correlationId: run.correlationId, kind: "states→lambda", source: run.executionArn, target: functionArn, status: "failed", detail: `denied: ${permission.explanation}` });
    throw new TaskError("Lambda.AWSLambdaException", javaCause("lambda", permission.message!, 403, "AccessDeniedException"));
  }
  const lambda = run.cloud.use<LambdaInternalApi>("lambda");
  if (!lambda) throw new TaskError("Lambda.ServiceException", "The local cloud runs no Lambda service.");
  const requestId = randomUUID();
  let result;
  for (let waited = 0; ; ) {
    try {
      result = await lambda.invokeSync(functionArn, payload, { correlationId: run.correlationId, source: { principal: "states.amazonaws.com", arn: run.executionArn, account: run.account } });
      break;
    } catch (err) {
      // The local pool of execution environments is far smaller than AWS's account concurrency (1000): a
      // burst of executions waits for a free environment instead of failing. Reserved concurrency throttles as on AWS.
      if (isAwsError(err) && err.code === "TooManyRequestsException" && err.fields.Reason === "ConcurrentInvocationLimitExceeded" && waited < LOCAL_CAPACITY_WAIT_MS) {
        const pause = 50 + Math.random() * 200;
        waited += pause;
        await new Promise((r) => setTimeout(r, pause));
        continue;
      }
      if (isAwsError(err)) throw new TaskError(`Lambda.${err.code}`, javaCause("lambda", err.message, err.status, err.code, requestId));
      throw new TaskError("Lambda.ServiceException", String((err as Error)?.message ?? err));
    }
  }
  run.cloud.trace.record({ correlationId: run.correlationId, kind: "states→lambda", source: run.executionArn, target: functionArn, status: result.functionError ? "failed" : "ok", detail: result.functionError ? `function error: ${result.payload.slice(0, 300)}` : undefined });
  if (result.functionError) {
    let errorType: string | undefined;
    try {
      errorType = JSON.parse(result.payload)?.errorType;
    } catch {
      errorType = undefined;
    }
    // Time-outs and crashed runtimes are not the function's own errors: Step Functions reports them as Lambda.Unknown.
    if (!errorType || errorType === "Sandbox.Timedout" || errorType === "Runtime.ExitError" || errorType === "Function.ResponseSizeTooLarge") {
      throw new TaskError("Lambda.Unknown", `The cause could not be determined because Lambda did not return an error type. Returned payload: ${result.payload}`);
    }
    throw new TaskError(errorType, result.payload);
  }
  return { payload: result.payload, requestId };
}

function parsePayload(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Run one Task state attempt with its effective input; returns the task result. */
export async function runTask(run: TaskRun, task: TaskKind, stateName: string, input: unknown, timeoutSeconds?: number): Promise<unknown> {
  const attempt = { timedOut: false };
  run.attempts.set(stateName, attempt);
  // An attempt that outlived its TimeoutSeconds already has its TimedOut event: its late result is not history.
  const history = {
    add: (type: string, details?: Record<string, unknown>) => (type.endsWith("Scheduled") || type.endsWith("Started") || !attempt.timedOut ? run.history.add(type, details) : 0),
  };
  if (task.kind === "lambda-function") {
    history.add("LambdaFunctionScheduled", { resource: task.functionArn, ...dataDetails("input", input), ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}) });
    history.add("LambdaFunctionStarted");
    try {
      const { payload } = await invokeLambda(run, task.functionArn, jsonText(input));
      const output = parsePayload(payload);
      history.add("LambdaFunctionSucceeded", dataDetails("output", output));
      return output;
    } catch (err) {
      const e = err instanceof TaskError ? err : new TaskError("States.TaskFailed", String(err));
      history.add("LambdaFunctionFailed", { error: e.name, cause: e.message });
      throw e;
    }
  }
  const resourceType = task.service;
  const resource = task.action;
  history.add("TaskScheduled", { resourceType, resource, region: run.region, parameters: jsonText(input), ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}) });
  history.add("TaskStarted", { resourceType, resource });
  try {
    const output = await runIntegration(run, task, input);
    history.add("TaskSucceeded", { resourceType, resource, ...dataDetails("output", output) });
    return output;
  } catch (err) {
    const e = err instanceof TaskError ? err : new TaskError("States.TaskFailed", String((err as Error)?.message ?? err));
    history.add("TaskFailed", { resourceType, resource, error: e.name, cause: e.message });
    throw e;
  }
}

async function runIntegration(run: TaskRun, task: Extract<TaskKind, { kind: "integration" }>, input: unknown): Promise<unknown> {
  const params = (input && typeof input === "object" && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
  if (task.service === "lambda") {
    if (params.FunctionName === undefined) throw new TaskError("States.Runtime", "The field 'FunctionName' is required by lambda:invoke (set it in Parameters).");
    const arn = functionArnOf(params.FunctionName, run) + (params.Qualifier ? `:${String(params.Qualifier)}` : "");
    const payload = params.Payload === undefined ? "{}" : typeof params.Payload === "string" ? params.Payload : JSON.stringify(params.Payload);
    if (params.InvocationType === "Event" || params.InvocationType === "DryRun") {
      const requestId = randomUUID();
      if (params.InvocationType === "Event") {
        await run.cloud.destinations.deliver(arn, { body: payload, source: { principal: run.roleArn, arn: run.executionArn, account: run.account }, correlationId: run.correlationId }, { kind: "states→lambda", attempts: 1 });
      }
      const status = params.InvocationType === "Event" ? 202 : 204;
      return { Payload: "", ...sdkHttpMetadata(requestId, status), StatusCode: status };
    }
    const result = await invokeLambda(run, arn, payload);
    return { ExecutedVersion: "$LATEST", Payload: parsePayload(result.payload), ...sdkHttpMetadata(result.requestId), StatusCode: 200 };
  }
  const out = await callService(run, task.service, task.action, params);
  const requestId = out.requestId;
  return { ...out.result, ...sdkHttpMetadata(requestId) };
}

export { javaCause };
