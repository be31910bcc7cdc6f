/**
 * Lab 07 — when things go wrong. The guided steps build the order pipeline
 * (versioned bucket → function → balances table; failure queue; ops topic),
 * apply the learner's async configuration and alarms, then show at-least-once
 * delivery on purpose: an order applied, the same event delivered again
 * (the local cloud's fault switch duplicates it), a poison order retried and
 * parked with Lambda's invocation record. The learner writes handler.ts,
 * async-config.ts and alarms.ts; grade.ts checks them under injected faults.
 */
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { putMetricAlarm } from "../../src/kit/resources/cloudwatch.js";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { packageHandler } from "../../src/kit/packaging.js";
import { faultsApiFor } from "../../src/kit/faults.js";
import { pollUntil, sleep } from "../../src/kit/wait.js";
import grader from "./grade.js";
import { connectTrigger, createExecutionRole, createPipeline, deployFunction, logEvents, peekFailures, readBalances, type Pipeline } from "./support.js";
import { body, POISON } from "./test-data.js";
import type * as AsyncConfigModule from "./async-config.js";
import type * as AlarmsModule from "./alarms.js";

interface RunState {
  pipeline: Pipeline;
  role: { name: string; arn: string };
  fn: { name: string; arn: string };
}
const st = (ctx: GuidedContext) => ctx.state as unknown as RunState;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");

async function balanceOf(ctx: GuidedContext, customer: string, atLeast: number): Promise<number> {
  return pollUntil(
    async () => {
      const b = (await readBalances(ctx, st(ctx).pipeline.table.name)).get(customer)?.balanceCents ?? 0;
      return b >= atLeast ? b : undefined;
    },
    { timeoutMs: ctx.target.kind === "aws" ? 60_000 : 15_000, intervalMs: 200, what: `the balance of ${customer}` },
  );
}

async function structuredLines(ctx: GuidedContext, since: number): Promise<string[]> {
  return (await logEvents(ctx, st(ctx).fn.name, { startTime: since })).map((e) => (e.message ?? "").trim()).filter((m) => m.includes('"outcome"'));
}

export default defineLab({
  id: "07",
  slug: "when-things-go-wrong",
  title: "When things go wrong: duplicates, retries, failure destinations and alarms",
  summary: "Orders uploaded to S3 update balances exactly once, failures are retried and parked in a queue, and two CloudWatch alarms tell the ops topic.",
  learnerFiles: ["handler.ts", "async-config.ts", "alarms.ts"],
  creates: ["1 versioned S3 bucket", "1 DynamoDB table", "2 SQS queues", "1 SNS topic and its subscription", "1 IAM role", "1 Lambda function and its log group", "2 CloudWatch alarms"],
  grader,
  steps: [
    {
      title: "Create the pipeline",
      explain: "A versioned bucket for orders (every upload is a new version, so every order has its own versionId), a table of balances, a failure queue for orders that could not be applied, and an ops topic — read here through a queue, as a pager service would subscribe.",
      cli: ["aws s3api create-bucket --bucket <ns>-orders && aws s3api put-bucket-versioning --bucket <ns>-orders --versioning-configuration Status=Enabled", "aws dynamodb create-table --table-name <ns>-balances --attribute-definitions AttributeName=customer,AttributeType=S --key-schema AttributeName=customer,KeyType=HASH --billing-mode PAY_PER_REQUEST", "aws sqs create-queue --queue-name <ns>-failed-orders", "aws sns create-topic --name <ns>-ops"],
      async run(ctx) {
        const pipeline = await createPipeline(ctx);
        Object.assign(ctx.state, { pipeline });
        return { created: [["bucket", pipeline.bucket.name], ["table", pipeline.table.name], ["failure queue", pipeline.failureQueue.url], ["ops topic", pipeline.topic.arn]] };
      },
    },
    {
      title: "The function and its trigger",
      explain: "The execution role may read orders, update balances and send to the failure queue (Lambda's on-failure destination sends with the function's role). Every new .json under orders/ invokes the function asynchronously.",
      cli: ["aws lambda create-function --function-name <ns>-apply-orders --runtime nodejs20.x --handler index.handler --role <role-arn> --zip-file fileb://function.zip --environment Variables={TABLE_NAME=<ns>-balances}"],
      async run(ctx) {
        const role = await createExecutionRole(ctx, st(ctx).pipeline);
        const pkg = await packageHandler({ entry: ctx.pieceSource("handler.ts") });
        const fn = await deployFunction(ctx, role.arn, pkg, st(ctx).pipeline);
        await connectTrigger(ctx, st(ctx).pipeline, fn);
        Object.assign(ctx.state, { role, fn });
        return { created: [["role", role.arn], ["function", fn.arn], ["trigger", "orders/*.json → function"]] };
      },
    },
    {
      title: "Retries and the on-failure destination",
      explain: "Lambda queues S3's events and retries a failed one (twice by default, about 1 and 2 minutes later — seconds on the local cloud's time scale). Your configuration decides how often, for how long, and where an event goes when it still failed.",
      cli: ["aws lambda put-function-event-invoke-config --function-name <fn> --maximum-retry-attempts 1 --maximum-event-age-in-seconds 3600 --destination-config OnFailure={Destination=<failure-queue-arn>}"],
      async run(ctx) {
        const { asyncInvokeConfig } = await ctx.importPiece<typeof AsyncConfigModule>("async-config.ts");
        const input = asyncInvokeConfig({ functionName: st(ctx).fn.name, failureQueueArn: st(ctx).pipeline.failureQueue.arn });
        await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ ...input, FunctionName: st(ctx).fn.name }));
        return { notes: [json(input)] };
      },
    },
    {
      title: "Two alarms on the ops topic",
      explain: "One alarm on the function's Errors, one on the failure queue's depth. Each tells the topic when it goes to ALARM and when it is OK again.",
      cli: ["aws cloudwatch put-metric-alarm --cli-input-json file://errors-alarm.json", "aws cloudwatch put-metric-alarm --cli-input-json file://queue-alarm.json"],
      async run(ctx) {
        const { errorsAlarm, failureQueueAlarm } = await ctx.importPiece<typeof AlarmsModule>("alarms.ts");
        const p = st(ctx).pipeline;
        const a = errorsAlarm({ alarmName: ctx.names.resource("orders-errors"), functionName: st(ctx).fn.name, topicArn: p.topic.arn });
        const b = failureQueueAlarm({ alarmName: ctx.names.resource("failed-orders-depth"), queueName: p.failureQueue.name, topicArn: p.topic.arn });
        await putMetricAlarm(ctx, { ...a, AlarmName: a.AlarmName! });
        await putMetricAlarm(ctx, { ...b, AlarmName: b.AlarmName! });
        return { created: [["alarm", a.AlarmName!], ["alarm", b.AlarmName!]], notes: [json(a), json(b)] };
      },
    },
    {
      title: "An order, then the same event again",
      explain: "S3 delivers at least once. On the local cloud the fault switch duplicates the next delivery (the same record, same sequencer); your handler should apply it once and log the second as a duplicate. On AWS duplicates are rare — the grader makes them.",
      cli: ["npm run faults -- add duplicate --prefix <ns> --max 1", "aws s3 cp order.json s3://<ns>-orders/orders/c01/first.json"],
      async run(ctx) {
        const faults = faultsApiFor(ctx.target);
        const prefix = ctx.names.namespace;
        const rule = await faults?.add({ kind: "duplicate", service: "s3", prefix, max: 1 }).catch(() => undefined);
        const since = Date.now();
        try {
          await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st(ctx).pipeline.bucket.name, Key: "orders/c01/first.json", Body: body({ amountCents: 1250 }) }));
          const balance = await balanceOf(ctx, "c01", 1250);
          await sleep(1000);
          const lines = await structuredLines(ctx, since);
          return { notes: [`c01's balance: ${balance} cents${rule ? " (the delivery was duplicated)" : ""}`, pc.bold("the function's structured log lines:"), ...lines.map((l) => pc.dim(l))] };
        } finally {
          if (rule) await faults?.remove(rule.id).catch(() => {});
        }
      },
    },
    {
      title: "A poison order",
      explain: "An order that can never be applied. The handler throws, Lambda retries it, then sends its invocation record — requestContext, requestPayload, responseContext, responsePayload — to the failure queue.",
      cli: ["aws s3 cp poison.json s3://<ns>-orders/orders/poison-c00/order-0001.json", "aws sqs receive-message --queue-url <failure-queue-url>"],
      async run(ctx) {
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st(ctx).pipeline.bucket.name, Key: POISON.key, Body: POISON.body }));
        const records = await pollUntil(async () => {
          const found = await peekFailures(ctx, st(ctx).pipeline.failureQueue.url);
          return found.length ? found : undefined;
        }, { timeoutMs: ctx.target.kind === "aws" ? 300_000 : 20_000, intervalMs: 300, what: "a record in the failure queue" });
        return { notes: [json(records[0]!.body)] };
      },
    },
  ],
});
