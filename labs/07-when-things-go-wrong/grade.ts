/**
 * Lab 07 — the grader. Builds the pipeline (versioned orders bucket,
 * balances table, failure queue, ops topic read through a queue) and the
 * learner's function in a fresh namespace, applies the learner's async
 * configuration and alarms, then breaks things on purpose: 200 orders with
 * duplicated and reordered deliveries, a poison order, transient S3/DynamoDB
 * errors and throttles (the local cloud's fault switch, scoped to this
 * namespace). It checks outcomes only through the AWS APIs: balances, the
 * failure queue's records, alarm notifications, metrics and logs.
 * Check order matters: the alarms exist before the poison order fails, and
 * the failure queue is drained again before the 200-order round.
 */
import { PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import { CheckFailed, defineGrader } from "../../src/kit/grader/types.js";
import { faultsApiFor, type FaultsApi } from "../../src/kit/faults.js";
import { errorMessage } from "../../src/kit/wait.js";
import { connectTrigger, createExecutionRole, createPipeline, deployFunction, OpsInbox, packageOrderHandler, timeScaleOf } from "./support.js";
import { deliveryChecks, transientCheck } from "./grade-delivery.js";
import { observabilityChecks } from "./grade-observability.js";
import type { State } from "./grade-state.js";
import type * as AsyncConfigModule from "./async-config.js";
import type * as AlarmsModule from "./alarms.js";

/** The local cloud's fault switch, if this target has one (AWS has none; another emulator answers 404). */
async function faultSwitch(ctx: { target: Parameters<typeof faultsApiFor>[0] }): Promise<FaultsApi | undefined> {
  const api = faultsApiFor(ctx.target);
  if (!api) return undefined;
  try {
    await api.list();
    return api;
  } catch {
    return undefined;
  }
}

const [asyncCheck, onceCheck, poisonCheck] = deliveryChecks;
const [alarmsCheck, errorsAlarmCheck, depthAlarmCheck, metricsCheck, logsCheck] = observabilityChecks;

export default defineGrader<State>({
  async setup(ctx) {
    const asyncConfig = await ctx.importCode<typeof AsyncConfigModule>("async-config.ts");
    const alarms = await ctx.importCode<typeof AlarmsModule>("alarms.ts");
    let pkg;
    try {
      pkg = await packageOrderHandler(ctx.sourceDir);
    } catch (err) {
      throw new CheckFailed(errorMessage(err), "Fix handler.ts so it compiles (npm run typecheck).");
    }
    const startedAt = Date.now();
    const pipeline = await createPipeline(ctx);
    const role = await createExecutionRole(ctx, pipeline);
    const fn = await deployFunction(ctx, role.arn, pkg, pipeline);
    await connectTrigger(ctx, pipeline, fn);
    // Locally every execution environment is a process on this machine: four warm ones beat ten cold starts on
    // two busy cores (events beyond them are throttled and retried by Lambda's queue, as on AWS). Not on AWS: a
    // new account's concurrency quota does not allow reservations.
    if (ctx.target.kind !== "aws") await ctx.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: fn.name, ReservedConcurrentExecutions: 4 }));
    return {
      asyncConfig,
      alarms,
      pkg,
      pipeline,
      fn,
      cloudwatch: ctx.clients.cloudwatch,
      faults: await faultSwitch(ctx),
      timeScale: await timeScaleOf(ctx),
      inbox: new OpsInbox(ctx, pipeline.opsQueue.url),
      startedAt,
      errorsAlarmName: ctx.names.resource("orders-errors"),
      depthAlarmName: ctx.names.resource("failed-orders-depth"),
    };
  },
  // The alarms exist before the poison order fails, and their cycle is over before the big round starts.
  checks: [asyncCheck!, alarmsCheck!, poisonCheck!, errorsAlarmCheck!, depthAlarmCheck!, onceCheck!, metricsCheck!, logsCheck!, transientCheck],
  async teardown(ctx, st) {
    if (!st) return;
    // The alarms are in the ledger (resources/cloudwatch.ts): the harness's cleanup deletes them.
    await st.faults?.clear(ctx.names.namespace).catch(() => {});
  },
});
