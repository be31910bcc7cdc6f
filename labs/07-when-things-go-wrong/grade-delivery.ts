/**
 * Lab 07 — the grader's delivery checks: the async configuration, exactly
 * once under injected duplicates and reordering, the poison order and its
 * failure record, and transient errors that must lose nothing. Duplicates,
 * reordering, throttles and transient errors come from the local cloud's
 * fault switch (src/kit/faults.ts), scoped to the grader's namespace; on a
 * target without one (AWS) the rounds run on AWS's own at-least-once
 * delivery and say so.
 * Failing fast: a balance above the sum of its orders cannot be undone by a
 * later delivery (amounts are positive), so the exactly-once check fails on
 * it at once — a one-order duplicate probe before the 200, and during the
 * round's wait — while a balance short of its orders still waits for every
 * invocation.
 */
import { GetFunctionEventInvokeConfigCommand, PutFunctionEventInvokeConfigCommand, type PutFunctionEventInvokeConfigCommandInput } from "@aws-sdk/client-lambda";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { CheckFailed, type Check, type GradeContext } from "../../src/kit/grader/types.js";
import { describeFailure, functionActivity } from "../../src/kit/grader/evidence.js";
import { encodeEventKey } from "../../src/kit/grader/s3-records.js";
import { errorCode, errorMessage, sleep } from "../../src/kit/wait.js";
import { peekFailures, readBalances, readReports, type FailureRecord } from "./support.js";
import { EXACTLY_ONCE, expectedBalances, orderBatch, POISON as POISON_ORDER, TRANSIENT as TRANSIENT_ROUND, type Order } from "./test-data.js";
import { ASYNC, ONCE, patience, POISON, sameCause, TRANSIENT, uploadOrders, type State } from "./grade-state.js";

const cents = (n: number) => `${(n / 100).toFixed(2)}`;

/** Compare balances with the orders; a message per wrong customer, saying which way it is off. */
function balanceProblems(expected: Map<string, number>, actual: Map<string, { balanceCents: number }>): string[] {
  const problems: string[] = [];
  for (const [customer, want] of expected) {
    const got = actual.get(customer)?.balanceCents ?? 0;
    if (got === want) continue;
    const why = got > want ? "more than its orders: a repeated delivery was applied again" : "less than its orders: an order was not applied (taken for a duplicate, or lost)";
    problems.push(`${customer}: balance ${cents(got)}, expected ${cents(want)} — ${why}`);
  }
  return problems;
}

/** Customers whose balance already exceeds the sum of their orders: conclusive before the round is over (amounts are positive, balances only grow). */
function overshoots(expected: Map<string, number>, actual: Map<string, { balanceCents: number }>): string[] {
  return balanceProblems(expected, actual).filter((_, i, all) => all[i]!.includes("more than its orders"));
}

/**
 * Wait until `expected` invocations finished since `since` (REPORT lines), or the time is up: then the balances are final.
 * Ends early, returning the finished count, once a balance exceeds its orders: no later delivery can undo that,
 * so the check fails now instead of waiting for every remaining invocation (a failing check reports within about a
 * second of the evidence). A balance still short of its orders proves nothing before the end: that wait stays.
 */
async function settle(ctx: GradeContext, st: State, since: number, expected: number, balances: Map<string, number>): Promise<number | undefined> {
  const deadline = Date.now() + patience(ctx);
  while (Date.now() < deadline) {
    const reports = await readReports(ctx, st.fn.name, since);
    if (reports.total >= expected) return undefined;
    if (overshoots(balances, await readBalances(ctx, st.pipeline.table.name)).length) return reports.total;
    ctx.status(`waiting for the function (${reports.total} of ${expected} invocations)…`);
    await sleep(ctx.target.kind === "aws" ? 3000 : 300);
  }
  return undefined;
}

async function failureSummary(ctx: GradeContext, st: State, since: number): Promise<string | undefined> {
  const { failures } = await functionActivity(ctx, st.fn.name, since);
  if (!failures.length) return undefined;
  return `${failures.length} invocation(s) failed, e.g. ${describeFailure(failures[failures.length - 1]!, ctx.verbose)}`;
}

/**
 * Before the big round: one order (a customer of its own), its delivery duplicated for sure. A handler that applies
 * it twice fails here within a second of the second invocation, instead of after 200 orders' worth of invocations
 * on a busy machine (20–25 s for the starter in the self-check). Any other handler goes on to the round, which
 * proves the rest; the probe is over (both invocations logged) before the round's log window starts. Local cloud only.
 */
async function duplicateProbe(ctx: GradeContext, st: State, faults: NonNullable<State["faults"]>): Promise<void> {
  const ns = ctx.names.namespace;
  const probe: Order = { key: "orders/once-probe/order-0000.json", customer: "once-probe", amountCents: 500 };
  await faults.add({ id: `${ns}-probe-dup`, kind: "duplicate", service: "s3", prefix: ns, probability: 1, seed: EXACTLY_ONCE.seed });
  const since = Date.now();
  let deliveries = 1;
  try {
    await uploadOrders(ctx, st, [probe]);
    deliveries += (await faults.list()).find((r) => r.id === `${ns}-probe-dup`)?.injected ?? 0;
  } finally {
    await faults.clear(ns);
  }
  const expected = expectedBalances([probe]);
  const deadline = Date.now() + patience(ctx);
  for (;;) {
    const done = (await readReports(ctx, st.fn.name, since)).total >= deliveries;
    // Only a balance past the order is conclusive here: one short of it (a failed attempt Lambda will retry) is the round's to judge.
    const problems = overshoots(expected, await readBalances(ctx, st.pipeline.table.name));
    if (problems.length) {
      const failed = await failureSummary(ctx, st, since);
      if (failed) st.functionFailedIn ??= ONCE;
      throw new CheckFailed(`one order delivered ${deliveries} times (before the ${EXACTLY_ONCE.count}-order round): ${problems[0]}${failed ? `\n    ${failed}` : ""}`);
    }
    if (done || Date.now() > deadline) return; // the round's own wait and message take it from here
    ctx.status("waiting for the function (one order delivered twice)…");
    await sleep(300);
  }
}

export const deliveryChecks: Array<Check<State>> = [
  {
    name: ASYNC,
    async run(ctx, st) {
      const input = await ctx.callLearner("asyncInvokeConfig", () => st.asyncConfig.asyncInvokeConfig({ functionName: st.fn.name, failureQueueArn: st.pipeline.failureQueue.arn }));
      try {
        await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ ...(input as PutFunctionEventInvokeConfigCommandInput), FunctionName: st.fn.name }));
      } catch (err) {
        throw new CheckFailed(`Lambda refused the configuration: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      const saved = await ctx.clients.lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: st.fn.name }));
      const problems: string[] = [];
      if (saved.MaximumRetryAttempts === undefined || saved.MaximumRetryAttempts < 1) {
        problems.push(`MaximumRetryAttempts is ${saved.MaximumRetryAttempts ?? "not set (Lambda's default 2 is fine, but say what you want)"}: ${saved.MaximumRetryAttempts === 0 ? "an order that failed on a passing glitch would never be tried again" : "set it explicitly"}`);
      }
      if (saved.MaximumEventAgeInSeconds === undefined) problems.push("MaximumEventAgeInSeconds is not set: an event throttled for hours would still be applied (Lambda keeps it up to 6 hours)");
      const onFailure = saved.DestinationConfig?.OnFailure?.Destination;
      if (onFailure !== st.pipeline.failureQueue.arn) problems.push(`the on-failure destination is ${onFailure ?? "not set"}, expected the failure queue ${st.pipeline.failureQueue.arn}: without it a failed event is dropped for good`);
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      st.retries = saved.MaximumRetryAttempts!;
      return `MaximumRetryAttempts ${saved.MaximumRetryAttempts}, MaximumEventAgeInSeconds ${saved.MaximumEventAgeInSeconds}, on failure → ${st.pipeline.failureQueue.name}`;
    },
  },
  {
    name: ONCE,
    async run(ctx, st) {
      const orders = orderBatch("once", EXACTLY_ONCE.count, EXACTLY_ONCE.customers, EXACTLY_ONCE.seed);
      const ns = ctx.names.namespace;
      if (st.faults) await duplicateProbe(ctx, st, st.faults);
      if (st.faults) {
        await st.faults.add({ id: `${ns}-dup`, kind: "duplicate", service: "s3", prefix: ns, probability: EXACTLY_ONCE.duplicateProbability, seed: EXACTLY_ONCE.seed });
        await st.faults.add({ id: `${ns}-reorder`, kind: "reorder", service: "s3", prefix: ns, windowMs: EXACTLY_ONCE.reorderWindowMs, seed: EXACTLY_ONCE.seed + 1 });
      }
      const since = Date.now();
      const duplicates = async () => (st.faults ? ((await st.faults.list()).find((r) => r.id === `${ns}-dup`)?.injected ?? 0) : 0);
      const expected = expectedBalances(orders);
      let injected = 0;
      let cutShort: number | undefined;
      try {
        await uploadOrders(ctx, st, orders);
        // Every delivery was decided (and any duplicate made) as S3 routed the upload: the count is final now.
        injected = await duplicates();
        cutShort = await settle(ctx, st, since, orders.length + injected, expected);
      } finally {
        await st.faults?.clear(ns);
      }
      st.onceRound = { since, until: Date.now(), duplicates: injected, orders: orders.length };
      const balances = await readBalances(ctx, st.pipeline.table.name);
      // Cut short, only the balances already past their orders are wrong for sure: the others may still be on their way.
      const problems = cutShort === undefined ? balanceProblems(expected, balances) : overshoots(expected, balances);
      if (problems.length) {
        const failed = await failureSummary(ctx, st, since);
        if (failed) st.functionFailedIn ??= ONCE;
        const when = cutShort === undefined ? `after ${orders.length} orders` : `with ${cutShort} of ${orders.length + injected} deliveries handled so far (${orders.length} orders)`;
        throw new CheckFailed(`${problems.length} of ${expected.size} balances are wrong ${when}${st.faults ? ` (${injected} deliveries duplicated, all reordered)` : ""}:\n    ${problems.slice(0, 6).join("\n    ")}${failed ? `\n    ${failed}` : ""}`);
      }
      return `${expected.size} balances exact after ${orders.length} orders${st.faults ? `, ${injected} duplicate deliveries and random reordering` : " (no fault switch on this target: AWS's own duplicates only)"}`;
    },
  },
  {
    name: POISON,
    needs: [ASYNC],
    async run(ctx, st) {
      const since = Date.now();
      st.poisonAt = since;
      await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.pipeline.bucket.name, Key: POISON_ORDER.key, Body: POISON_ORDER.body }));
      const encoded = encodeEventKey(POISON_ORDER.key);
      const isPoison = (r: FailureRecord) => r.body?.requestPayload?.Records?.[0]?.s3?.object?.key === encoded;
      const attempts = 1 + st.retries!;
      // Lambda waits about 1 minute before the 2nd attempt and 2 before the 3rd (time-scaled locally).
      const deadline = Date.now() + (st.retries! * 120_000 + 30_000) * st.timeScale + patience(ctx) / 3;
      let record: FailureRecord | undefined;
      while (!record && Date.now() < deadline) {
        record = (await peekFailures(ctx, st.pipeline.failureQueue.url)).find(isPoison);
        if (record) break;
        const reports = await readReports(ctx, st.fn.name, since);
        if (reports.total >= 1 && reports.failedInvocations === 0) {
          await sleep(500); // its REPORT may precede the error lines of a slow log flush
          if ((await readReports(ctx, st.fn.name, since)).failedInvocations === 0) {
            throw new CheckFailed(`the function returned normally for ${POISON_ORDER.key} (amountCents "twelve"): it caught the error, so Lambda saw a success — nothing was retried and nothing reached the failure queue`);
          }
        }
        ctx.status(`waiting for the poison order's failure record (${reports.total} attempts so far)…`);
        await sleep(ctx.target.kind === "aws" ? 3000 : 250);
      }
      if (!record) {
        const reports = await readReports(ctx, st.fn.name, since);
        throw new CheckFailed(`no failure record for ${POISON_ORDER.key} reached the failure queue (${reports.total} attempt(s) logged, ${reports.failedInvocations} failed)`);
      }
      const r = record.body;
      const problems: string[] = [];
      const rc = r.requestContext ?? {};
      if (rc.condition !== "RetriesExhausted") problems.push(`requestContext.condition is ${JSON.stringify(rc.condition)}, expected "RetriesExhausted"`);
      if (rc.approximateInvokeCount !== attempts) problems.push(`requestContext.approximateInvokeCount is ${rc.approximateInvokeCount}, expected ${attempts} (1 + MaximumRetryAttempts ${st.retries})`);
      if (rc.functionArn !== `${st.fn.arn}:$LATEST`) problems.push(`requestContext.functionArn is ${rc.functionArn}`);
      if (r.responseContext?.functionError !== "Unhandled") problems.push(`responseContext.functionError is ${JSON.stringify(r.responseContext?.functionError)}, expected "Unhandled" (the handler threw)`);
      if (typeof r.responsePayload?.errorMessage !== "string") problems.push("responsePayload has no errorMessage: the record should carry the error the handler threw");
      const logged = (await readReports(ctx, st.fn.name, since)).byRequest.get(rc.requestId) ?? 0;
      if (logged !== attempts) problems.push(`the function's log shows ${logged} invocation(s) of request ${rc.requestId}, expected ${attempts}`);
      // Exactly one: a second record would mean the event was parked twice.
      await sleep(ctx.target.kind === "aws" ? 10_000 : 1000);
      const records = (await peekFailures(ctx, st.pipeline.failureQueue.url)).filter(isPoison);
      if (records.length !== 1) problems.push(`${records.length} failure records for the poison order, expected exactly one`);
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      return `${attempts} attempts, then one record: ${rc.condition}, ${r.responsePayload.errorType}: ${String(r.responsePayload.errorMessage).slice(0, 80)}`;
    },
  },
];

export const transientCheck: Check<State> = {
  name: TRANSIENT,
  needs: [ASYNC],
  async run(ctx, st) {
    const orders: Order[] = orderBatch("glitch", TRANSIENT_ROUND.count, TRANSIENT_ROUND.customers, TRANSIENT_ROUND.seed);
    const ns = ctx.names.namespace;
    if (st.faults) {
      // Throttling errors (SlowDown, throughput exceeded) make the SDK back off from 500 ms, 5xx from 100 ms: a mix of both.
      const s3 = TRANSIENT_ROUND.s3ErrorProbability;
      const ddb = TRANSIENT_ROUND.dynamodbErrorProbability;
      await st.faults.add({ id: `${ns}-s3slow`, kind: "error", service: "s3", errorCode: "SlowDown", prefix: ns, operations: ["GetObject"], probability: s3 / 3, seed: TRANSIENT_ROUND.seed });
      await st.faults.add({ id: `${ns}-s3err`, kind: "error", service: "s3", errorCode: "InternalError", prefix: ns, operations: ["GetObject"], probability: (s3 * 2) / 3 / (1 - s3 / 3), seed: TRANSIENT_ROUND.seed + 3 });
      await st.faults.add({ id: `${ns}-ddbpte`, kind: "error", service: "dynamodb", errorCode: "ProvisionedThroughputExceededException", prefix: ns, probability: ddb / 3, seed: TRANSIENT_ROUND.seed + 1 });
      await st.faults.add({ id: `${ns}-ddberr`, kind: "error", service: "dynamodb", errorCode: "InternalServerError", prefix: ns, probability: (ddb * 2) / 3 / (1 - ddb / 3), seed: TRANSIENT_ROUND.seed + 4 });
      await st.faults.add({ id: `${ns}-throttle`, kind: "throttle", prefix: ns, probability: TRANSIENT_ROUND.throttleProbability, seed: TRANSIENT_ROUND.seed + 2 });
    }
    const since = Date.now();
    const expected = expectedBalances(orders);
    const parked = async () => new Set((await peekFailures(ctx, st.pipeline.failureQueue.url)).map((r) => {
      const o = r.body?.requestPayload?.Records?.[0]?.s3?.object;
      return `${o?.key}#${o?.versionId}`;
    }));
    let injected = 0;
    let versions: Array<string | undefined> = [];
    try {
      versions = await uploadOrders(ctx, st, orders);
      // Done when the balances are right, or when they stopped changing for longer than a retry takes.
      const quietMs = (ctx.target.kind === "aws" ? 30_000 : 3000) + (st.retries ?? 1) * 120_000 * st.timeScale;
      const deadline = Date.now() + patience(ctx) + (st.retries ?? 1) * 120_000 * st.timeScale;
      let last = "";
      let changedAt = Date.now();
      while (Date.now() < deadline) {
        const balances = await readBalances(ctx, st.pipeline.table.name);
        if (balanceProblems(expected, balances).length === 0) break;
        // Every order applied or parked for good (its retries are over): nothing more will change.
        const waiting = await parked();
        if (balanceProblems(expectedBalances(orders.filter((o, i) => !waiting.has(`${encodeEventKey(o.key)}#${versions[i]}`))), balances).length === 0) break;
        const now = JSON.stringify([...balances]);
        if (now !== last) [last, changedAt] = [now, Date.now()];
        else if (Date.now() - changedAt > quietMs && (await readReports(ctx, st.fn.name, since)).total >= orders.length) break;
        ctx.status("waiting for every order of the glitchy round…");
        await sleep(ctx.target.kind === "aws" ? 3000 : 300);
      }
      injected = st.faults ? (await st.faults.list()).filter((r) => r.id.startsWith(`${ns}-`)).reduce((n, r) => n + (r.injected ?? 0), 0) : 0;
    } finally {
      await st.faults?.clear(ns);
    }
    const balances = await readBalances(ctx, st.pipeline.table.name);
    const problems = balanceProblems(expected, balances);
    if (problems.length) {
      // An order that failed every attempt is not lost if it waits in the failure queue: that is what it is for.
      const waiting = await parked();
      const isParked = (o: Order, i: number) => waiting.has(`${encodeEventKey(o.key)}#${versions[i]}`);
      const parkedOrders = orders.filter(isParked);
      if (parkedOrders.length && balanceProblems(expectedBalances(orders.filter((o, i) => !isParked(o, i))), balances).length === 0) {
        return `balances exact for every applied order; ${parkedOrders.length} order(s) failed every attempt and wait in the failure queue (nothing lost)`;
      }
      const failed = await failureSummary(ctx, st, since);
      throw new CheckFailed(`${problems.length} of ${expected.size} balances are wrong after ${orders.length} orders with ${injected} injected errors and throttles, and no failure record explains them:\n    ${problems.slice(0, 6).join("\n    ")}${failed ? `\n    ${failed}` : ""}${sameCause(st, TRANSIENT)}`);
    }
    return `${expected.size} balances exact after ${orders.length} orders${st.faults ? ` and ${injected} injected SlowDown / throughput errors / throttles` : " (no fault switch on this target)"}`;
  },
};
