/**
 * Issue 17's workflow figure: S3 → EventBridge → Step Functions for 100
 * uploads. The bucket sends its events to EventBridge; a rule on the
 * uploads' prefix starts a STANDARD state machine (target RoleArn allowing
 * states:StartExecution) whose two Lambda tasks (lambda:invoke, then a plain
 * function ARN) run in the local Lambda service. Counted through the API:
 * executions started (one per upload, matched by key), finished SUCCEEDED,
 * lost (uploads without an execution); latency is PutObject response →
 * the execution's stopDate (one machine, one clock).
 */
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type ExecutionListItem } from "@aws-sdk/client-sfn";
import { zipSync, strToU8 } from "fflate";
import { DEFAULT_ACCOUNT as ACCOUNT } from "../../src/cloud/core/constants.js";
import { clientConfig, percentile, runConcurrent, sleep, type Row } from "../lib.js";

const UPLOADS = 100;
const STEP1 = `export const handler = async (event) => ({ key: event.detail.object.key, size: event.detail.object.size });`;
const STEP2 = `export const handler = async (input) => ({ ...input, done: true });`;

const trust = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });

async function role(iam: IAMClient, name: string, service: string, statement: Record<string, unknown>): Promise<string> {
  const out = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(service) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) }));
  return out.Role!.Arn!;
}

export async function sfnScenario(endpoint: string): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const s3 = new S3Client(cfg);
  const lambda = new LambdaClient(cfg);
  const iam = new IAMClient(cfg);
  const events = new EventBridgeClient(cfg);
  const sfn = new SFNClient(cfg);
  const stamp = Date.now();
  const bucket = `bench-sfn-${stamp}`;
  try {
    const fnRole = await role(iam, `bench-sfn-fn-${stamp}`, "lambda.amazonaws.com", { Effect: "Allow", Action: "logs:*", Resource: "*" });
    const names = [`bench-sfn-a-${stamp}`, `bench-sfn-b-${stamp}`];
    for (const [i, source] of [STEP1, STEP2].entries()) {
      await lambda.send(new CreateFunctionCommand({ FunctionName: names[i], Runtime: "nodejs20.x", Handler: "index.handler", Role: fnRole, Code: { ZipFile: zipSync({ "index.mjs": strToU8(source) }) } }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: names[i] });
    }
    const fnArn = (n: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${n}`;
    const machineRole = await role(iam, `bench-sfn-machine-${stamp}`, "states.amazonaws.com", { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: names.map(fnArn) });
    const definition = {
      StartAt: "Describe",
      States: {
        Describe: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: names[0], "Payload.$": "$" }, OutputPath: "$.Payload", Next: "Finish" },
        Finish: { Type: "Task", Resource: fnArn(names[1]!), End: true },
      },
    };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: `bench-sfn-${stamp}`, definition: JSON.stringify(definition), roleArn: machineRole }));
    const ebRole = await role(iam, `bench-sfn-eb-${stamp}`, "events.amazonaws.com", { Effect: "Allow", Action: "states:StartExecution", Resource: stateMachineArn });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await events.send(new PutRuleCommand({ Name: `bench-sfn-${stamp}`, EventPattern: JSON.stringify({ source: ["aws.s3"], "detail-type": ["Object Created"], detail: { bucket: { name: [bucket] }, object: { key: [{ prefix: "up/" }] } } }) }));
    await events.send(new PutTargetsCommand({ Rule: `bench-sfn-${stamp}`, Targets: [{ Id: "sfn", Arn: stateMachineArn, RoleArn: ebRole }] }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { EventBridgeConfiguration: {} } }));

    const uploadedAt = new Map<string, number>();
    await runConcurrent(UPLOADS, 8, async (i) => {
      const key = `up/${String(i).padStart(3, "0")}.png`;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "x".repeat(100) }));
      uploadedAt.set(key, Date.now());
    });

    // Wait until every execution has ended (or a minute has passed), then read each one's key and stop time.
    const deadline = Date.now() + 60_000;
    let executions: ExecutionListItem[] = [];
    while (Date.now() < deadline) {
      executions = [];
      let nextToken: string | undefined;
      do {
        const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, nextToken }));
        executions.push(...(page.executions ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      if (executions.length >= UPLOADS && executions.every((e) => e.status !== "RUNNING")) break;
      await sleep(100);
    }
    const latencies: number[] = [];
    const keys = new Set<string>();
    let succeeded = 0;
    const failures = new Map<string, number>();
    for (const e of executions) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      const key = JSON.parse(d.input ?? "{}")?.detail?.object?.key as string | undefined;
      if (key) keys.add(key);
      if (d.status !== "SUCCEEDED") {
        const why = `${d.status} ${d.error ?? ""}`.trim();
        failures.set(why, (failures.get(why) ?? 0) + 1);
        continue;
      }
      succeeded++;
      const at = key ? uploadedAt.get(key) : undefined;
      if (at && d.stopDate) latencies.push(d.stopDate.getTime() - at);
    }
    const lost = [...uploadedAt.keys()].filter((k) => !keys.has(k)).length;
    return [
      { figure: `executions started (of ${UPLOADS} uploads)`, value: keys.size, unit: "", target: `${UPLOADS}`, met: keys.size === UPLOADS, note: `${executions.length - keys.size} extra` },
      { figure: "executions finished SUCCEEDED", value: succeeded, unit: "", target: `${UPLOADS}`, met: succeeded === UPLOADS, note: [...failures].map(([why, n]) => `${n}× ${why}`).join(", ") },
      { figure: "uploads lost (no execution)", value: lost, unit: "lost", target: "0 lost", met: lost === 0 },
      { figure: "upload → execution end p50", value: percentile(latencies, 50), unit: "ms" },
      { figure: "upload → execution end p95", value: percentile(latencies, 95), unit: "ms" },
    ];
  } finally {
    for (const c of [s3, lambda, iam, events, sfn]) c.destroy();
  }
}
