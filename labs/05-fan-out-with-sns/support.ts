/**
 * Lab 05 — the kit's side of the lab (not a learner file): the catalog
 * table, the catalog function's role (the kit's: least privilege is lab 03's
 * lesson), deploying and subscribing a function, the email address, and
 * reading results back through the AWS APIs (the table, the queues) and,
 * locally, the cloud's email outbox (the admin API: on AWS the inbox is the
 * learner's own).
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { QueueReader as KitQueueReader } from "../../src/kit/queue-reader.js";
import type { KitContext } from "../../src/kit/context.js";
import { attachRolePolicy, BASIC_EXECUTION_POLICY_ARN, createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { addPermission, createFunction } from "../../src/kit/resources/lambda.js";
import { subscribe } from "../../src/kit/resources/sns.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { readOutbox, type OutboxMail } from "../../src/kit/local-admin.js";

export const CATALOG_PURPOSE = "catalog";
const labDir = path.dirname(fileURLToPath(import.meta.url));

const LAMBDA_TRUST = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };

/** A role for one function: logs, plus the statements given. */
export async function functionRole(ctx: KitContext, purpose: string, statements: Array<Record<string, unknown>>, description: string): Promise<{ name: string; arn: string }> {
  const role = await createRole(ctx, ctx.names.resource(`${purpose}-role`), LAMBDA_TRUST, description);
  await attachRolePolicy(ctx, role.name, BASIC_EXECUTION_POLICY_ARN);
  await putRolePolicy(ctx, role.name, purpose, { Version: "2012-10-17", Statement: statements });
  return role;
}

export const catalogStatements = (tableArn: string) => [{ Effect: "Allow", Action: "dynamodb:PutItem", Resource: tableArn }];

export function packageCatalog(sourceDir: string): Promise<PackagedFunction> {
  return packageHandler({ entry: path.join(sourceDir, "handler.ts") });
}

/** The grader's own extra subscriber (grader-subscriber.ts), which fails for the poison key. */
export function packageGraderSubscriber(): Promise<PackagedFunction> {
  return packageHandler({ entry: path.join(labDir, "grader-subscriber.ts") });
}

export async function deploy(ctx: KitContext, purpose: string, roleArn: string, pkg: PackagedFunction, environment: Record<string, string> = {}): Promise<{ name: string; arn: string }> {
  return createFunction(ctx, { name: ctx.names.resource(purpose), roleArn, zip: pkg.zip, handler: pkg.handler, timeoutSeconds: 10, memoryMb: 256, environment });
}

/** Let SNS invoke the function (this topic only) and subscribe it. */
export async function subscribeFunction(ctx: KitContext, topicArn: string, fn: { name: string; arn: string }): Promise<string> {
  await addPermission(ctx, { FunctionName: fn.name, StatementId: "allow-sns-invoke", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: topicArn });
  return subscribe(ctx, topicArn, "lambda", fn.arn);
}

/** The ops team's address: locally a made-up one (nothing is mailed); on AWS LABS_EMAIL, your own. */
export function opsAddress(ctx: KitContext): string {
  if (ctx.target.kind === "aws" && process.env.LABS_EMAIL) return process.env.LABS_EMAIL;
  return `ops+${ctx.names.namespace}@example.com`;
}

export const hasOutbox = (ctx: KitContext) => ctx.target.kind !== "aws";

/** The outbox's mails for one address (local and endpoint targets only). */
export async function mailsTo(ctx: KitContext, address: string): Promise<OutboxMail[]> {
  return (await readOutbox(ctx.target, { address })).messages;
}

/** The message a plain-text notification mail carries (the text before SNS's footer). */
export function mailMessage(mail: OutboxMail): string {
  if (mail.protocol === "email-json") return (JSON.parse(mail.body) as { Message?: string }).Message ?? "";
  const cut = mail.body.indexOf("\n\n--\n");
  return cut >= 0 ? mail.body.slice(0, cut) : mail.body;
}

import { scanItems, type Item } from "../../src/kit/resources/dynamodb.js";
export { scanItems, type Item };



/** A message as lab 05 reads it: the body and its string message attributes. */
export interface ReadMessage {
  body: string;
  attributes: Record<string, string>;
}

/** Reads a queue into a growing list (messages are deleted once read). */
export class QueueReader extends KitQueueReader<ReadMessage> {
  constructor(ctx: KitContext, url: string) {
    super(ctx, url, (m) => ({ body: m.Body ?? "", attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ""])) }));
  }
}

/** Decode S3's event key ("+" is a space, then %XX). */
export const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));

/** The S3 records of a raw S3 event body, or undefined when the body is not one. */
export function s3Records(body: string): Array<{ key: string; size: number; eventName: string }> | undefined {
  try {
    const parsed = JSON.parse(body) as { Records?: Array<{ eventName: string; s3: { object: { key: string; size: number } } }> };
    if (!Array.isArray(parsed.Records)) return undefined;
    return parsed.Records.map((r) => ({ key: decodeKey(r.s3.object.key), size: r.s3.object.size, eventName: r.eventName }));
  } catch {
    return undefined;
  }
}

/** SNS's Lambda event around a message, as SNS invokes a subscribed function (aws-behavior.md §4). */
export function snsLambdaEvent(topicArn: string, subscriptionArn: string, message: string, subject = "Amazon S3 Notification") {
  return {
    Records: [
      {
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        EventSource: "aws:sns",
        Sns: {
          Type: "Notification",
          MessageId: "00000000-0000-4000-8000-000000000005",
          TopicArn: topicArn,
          Subject: subject,
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: "1",
          Signature: "grader",
          SigningCertUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-grader.pem",
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}

/** S3's test message, published when a bucket's notification configuration is saved. */
export function s3TestEvent(bucket: string): string {
  return JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: new Date().toISOString(), Bucket: bucket, RequestId: "GRADERTESTEVENT", HostId: "grader/test-event" });
}
