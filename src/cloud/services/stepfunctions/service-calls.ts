/**
 * The SNS, SQS and DynamoDB optimized integrations, called the way Step
 * Functions calls them: as the state machine's role, through the service's
 * public API — here the cloud's own endpoint, signed with credentials minted
 * for a session of the role (roles.ts), so IAM enforcement and the services'
 * own validation answer exactly as they answer anyone. (Service folders never
 * import each other; this goes over the wire like any client.)
 *
 * Parameters are the API's own (PascalCase): sns:publish {TopicArn, Message,
 * Subject, MessageAttributes…}, sqs:sendMessage {QueueUrl, MessageBody…},
 * dynamodb:putItem/getItem/updateItem/deleteItem {TableName, Item/Key…}. A
 * Message or MessageBody that is not a string is sent as its JSON text, as
 * AWS does. The SDK clients are loaded on first use and retry nothing
 * (maxAttempts 1): Retry in the definition is what retries.
 */
import { randomUUID } from "node:crypto";
import { TaskError, javaCause, type TaskRun } from "./tasks.js";

type Params = Record<string, unknown>;

const ERROR_PREFIX: Record<string, string> = { sns: "SNS", sqs: "SQS", dynamodb: "DynamoDB" };
/** Access-denied answers come back under the Java SDK's generic exception name (UNCERTAIN for SQS and DynamoDB). */
const DENIED_NAME: Record<string, string> = { sqs: "AmazonSQSException", dynamodb: "AmazonDynamoDBException" };

const clients = new Map<string, { send(command: unknown): Promise<any>; destroy(): void }>();

async function client(run: TaskRun, service: string) {
  const creds = run.roles.credentials(run.roleArn);
  const key = `${service}|${run.cloud.endpoint}|${creds.accessKeyId}|${run.region}`;
  let c = clients.get(key);
  if (c) return c;
  const config = {
    endpoint: run.cloud.endpoint,
    region: run.region,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    maxAttempts: 1,
  };
  if (service === "sns") c = new (await import("@aws-sdk/client-sns")).SNSClient(config);
  else if (service === "sqs") c = new (await import("@aws-sdk/client-sqs")).SQSClient(config);
  else c = new (await import("@aws-sdk/client-dynamodb")).DynamoDBClient(config);
  if (clients.size > 50) {
    for (const old of clients.values()) old.destroy();
    clients.clear();
  }
  clients.set(key, c);
  return c;
}

async function command(service: string, action: string, params: Params): Promise<unknown> {
  if (service === "sns") {
    const { PublishCommand } = await import("@aws-sdk/client-sns");
    const Message = typeof params.Message === "string" ? params.Message : JSON.stringify(params.Message ?? null);
    return new PublishCommand({ ...params, Message } as never);
  }
  if (service === "sqs") {
    const { SendMessageCommand } = await import("@aws-sdk/client-sqs");
    const MessageBody = typeof params.MessageBody === "string" ? params.MessageBody : JSON.stringify(params.MessageBody ?? null);
    return new SendMessageCommand({ ...params, MessageBody } as never);
  }
  const ddb = await import("@aws-sdk/client-dynamodb");
  const byAction: Record<string, new (input: never) => unknown> = {
    putItem: ddb.PutItemCommand,
    getItem: ddb.GetItemCommand,
    updateItem: ddb.UpdateItemCommand,
    deleteItem: ddb.DeleteItemCommand,
  };
  return new byAction[action]!(params as never);
}

export async function callService(run: TaskRun, service: "sns" | "sqs" | "dynamodb", action: string, params: Params): Promise<{ result: Params; requestId: string }> {
  const c = await client(run, service);
  const target = String(params.TopicArn ?? params.QueueUrl ?? params.TableName ?? "");
  try {
    const out = await c.send(await command(service, action, params));
    const { $metadata, ...result } = out as { $metadata?: { requestId?: string } } & Params;
    run.cloud.trace.record({ correlationId: run.correlationId, kind: `states→${service}`, source: run.executionArn, target, status: "ok" });
    return { result, requestId: $metadata?.requestId ?? randomUUID() };
  } catch (err) {
    const e = err as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    const status = e.$metadata?.httpStatusCode ?? 500;
    const code = e.Code ?? e.name ?? "InternalFailure";
    const denied = status === 403 || /AccessDenied|AuthorizationError/.test(code);
    const name = denied && DENIED_NAME[service] ? DENIED_NAME[service] : (e.name ?? "ServiceException");
    run.cloud.trace.record({ correlationId: run.correlationId, kind: `states→${service}`, source: run.executionArn, target, status: "failed", detail: `${code}: ${e.message}` });
    if (!e.$metadata) throw new TaskError("States.TaskFailed", `The ${service} call could not be made: ${e.message ?? String(err)}`);
    throw new TaskError(`${ERROR_PREFIX[service]}.${name}`, javaCause(service, e.message ?? "", status, code, e.$metadata?.requestId));
  }
}

/** Drop the cached clients (reset / close). */
export function closeServiceClients(): void {
  for (const c of clients.values()) c.destroy();
  clients.clear();
}
