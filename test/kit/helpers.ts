/**
 * Helpers for the kit's tests: a kit session on a test cloud (real SDK
 * clients, a ledger in a temporary file), and a probe that says which cloud
 * features answer — so a test that needs a service the local cloud does not
 * serve yet is skipped with a printed reason instead of failing or passing
 * silently.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, DeleteBucketCommand, ListBucketsCommand, PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, SetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListArchivesCommand, ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { ListStateMachinesCommand } from "@aws-sdk/client-sfn";
import { createClients, type Clients } from "../../src/kit/clients.js";
import { Ledger } from "../../src/kit/ledger.js";
import { localTargetAt, type Target } from "../../src/kit/target.js";
import { repoRoot } from "../../src/kit/paths.js";
import { afterAll } from "vitest";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";

export interface KitTestSession {
  target: Target;
  clients: Clients;
  ledger: Ledger;
  ledgerFile: string;
  interactive: false;
  close(): void;
}

export function kitSession(endpoint: string): KitTestSession {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-ledger-"));
  const ledgerFile = path.join(dir, "ledger.json");
  const target = localTargetAt(endpoint);
  const clients = createClients(target);
  return { target, clients, ledger: new Ledger(ledgerFile), ledgerFile, interactive: false, close: () => (clients.destroy(), fs.rmSync(dir, { recursive: true, force: true })) };
}

export interface Features {
  s3: boolean;
  sqs: boolean;
  notifications: boolean;
  sns: boolean;
  dynamodb: boolean;
  iam: boolean;
  lambda: boolean;
  logs: boolean;
  events: boolean;
  /** Step Functions (lab 06). */
  stepfunctions: boolean;
  /** EventBridge archives and replays (lab 06). */
  archives: boolean;
}

const ok = async (p: Promise<unknown>) => p.then(() => true, () => false);

/** Which services answer on this cloud (a stub answers NotImplemented). */
export async function probeFeatures(clients: Clients): Promise<Features> {
  const [s3, sqs, sns, dynamodb, iam, lambda, logs] = await Promise.all([
    ok(clients.s3.send(new ListBucketsCommand({}))),
    ok(clients.sqs.send(new ListQueuesCommand({}))),
    ok(clients.sns.send(new ListTopicsCommand({}))),
    ok(clients.dynamodb.send(new ListTablesCommand({}))),
    ok(clients.iam.send(new ListRolesCommand({}))),
    ok(clients.lambda.send(new ListFunctionsCommand({}))),
    ok(clients.logs.send(new DescribeLogGroupsCommand({}))),
  ]);
  let notifications = false;
  if (s3 && sqs) {
    // S3 → SQS notifications: a configuration S3 accepts after checking the queue policy.
    const name = `probe-${Date.now().toString(36)}`;
    try {
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
      const q = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
      const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl!, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.QueueUrl!, Attributes: { Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: arn }] }) } }));
      notifications = await ok(clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: name, NotificationConfiguration: { QueueConfigurations: [{ QueueArn: arn, Events: ["s3:ObjectCreated:*"] }] } })));
      await clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: name, NotificationConfiguration: {} })).catch(() => {});
      await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: q.QueueUrl! }));
      await clients.s3.send(new DeleteBucketCommand({ Bucket: name }));
    } catch {
      notifications = false;
    }
  }
  const [events, stepfunctions, archives] = await Promise.all([ok(clients.events.send(new ListRulesCommand({}))), ok(clients.sfn.send(new ListStateMachinesCommand({}))), ok(clients.events.send(new ListArchivesCommand({})))]);
  return { s3, sqs, notifications, sns, dynamodb, iam, lambda, logs, events, stepfunctions, archives };
}

/** Print why a group of tests is skipped (vitest's skipIf alone says nothing). */
export function explainSkip(what: string, features: Features, needed: Array<keyof Features>): boolean {
  const missing = needed.filter((f) => !features[f]);
  if (missing.length) console.warn(`SKIPPED ${what}: the local cloud does not serve ${missing.join(", ")} yet (probed at test start). Re-run once those land.`);
  return missing.length > 0;
}

export interface KitTestBed {
  cloud: TestCloud;
  session: KitTestSession;
  features: Features;
  /** A private S3_EVENT_LABS_HOME (state dir) for kit processes, when asked for. */
  home: string;
  /** A scratch folder inside the repository (learner files must live under it to be graded), when asked for. */
  root: string;
}

/**
 * One test cloud, kit session and feature probe for a kit test file, with its
 * scratch folders; everything is closed and removed after the file's last test
 * (`onClose` runs first, e.g. to kill child processes).
 */
export async function kitTestBed(options: { name: string; home?: boolean; root?: boolean; setHomeEnv?: boolean; onClose?: () => void }): Promise<KitTestBed> {
  const home = options.home ? fs.mkdtempSync(path.join(os.tmpdir(), `kit-${options.name}-home-`)) : "";
  if (options.setHomeEnv) process.env.S3_EVENT_LABS_HOME = home; // in-process calls share the CLI's state
  const root = options.root ? fs.mkdtempSync(path.join(repoRoot, `.s3-event-labs-tmp-${options.name}-`)) : "";
  const cloud = await startTestCloud();
  const session = kitSession(cloud.endpoint);
  const features = await probeFeatures(session.clients);
  afterAll(async () => {
    options.onClose?.();
    session.close();
    await cloud.close();
    for (const dir of [root, home]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return { cloud, session, features, home, root };
}
