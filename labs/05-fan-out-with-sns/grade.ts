/**
 * Lab 05 — the grader. In a fresh namespace: a bucket that notifies a topic
 * (the learner's topic policy), an audit queue with raw delivery and a
 * dead-letter queue (the learner's queue policy on both), an email
 * subscription with the learner's filter policy, the learner's catalog
 * handler subscribed as a function, and the grader's own extra subscriber
 * that fails for one key. Then one round of uploads (mixed sizes, prefixes,
 * awkward keys, a re-upload, a copy) and checks of each subscriber's result
 * through the AWS APIs — and, locally, the email outbox (on AWS the email
 * checks ask the learner to confirm from their inbox, and are skipped —
 * never passed — when they could not see it). Checks poll; absence is proven by the audit
 * queue's complete round, which all subscribers get from the same publishes.
 */
import { SubscribeCommand } from "@aws-sdk/client-sns";
import { CopyObjectCommand, PutObjectCommand, PutBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CheckFailed, defineGrader, type GradeContext } from "../../src/kit/grader/types.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { createTopic, setTopicPolicy, subscribe } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage, pollUntil, TimeoutError } from "../../src/kit/wait.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { describeFailure, functionActivity, waitForEvidence } from "../../src/kit/grader/evidence.js";
import { pace, recordResource } from "../../src/kit/context.js";
import { queuePolicyTable, topicPolicyTable } from "./policy-requests.js";
import { bodyOf, COPY, isLarge, LARGE_BYTES, POISON, REUPLOAD, roundEvents, UPLOADS } from "./test-data.js";
import { awaitConfirmation, checkMails, type EmailState } from "./grade-email.js";
import {
  catalogStatements, CATALOG_PURPOSE, deploy, functionRole, opsAddress, packageCatalog, packageGraderSubscriber, QueueReader, s3Records, s3TestEvent, scanItems, snsLambdaEvent, subscribeFunction, type Item,
} from "./support.js";
import type * as TopicPolicyModule from "./topic-policy.js";
import type * as QueuePolicyModule from "./queue-policy.js";
import type * as FilterModule from "./filter-policy.js";

export interface State extends EmailState {
  topicPolicy: typeof TopicPolicyModule;
  queuePolicy: typeof QueuePolicyModule;
  filter: typeof FilterModule;
  pkg: PackagedFunction;
  bucket: { name: string; arn: string };
  topic: { name: string; arn: string };
  table: { name: string; arn: string };
  audit: Queue;
  auditDlq: Queue;
  flakyDlq: Queue;
  auditReader: QueueReader;
  flakyReader: QueueReader;
  catalogRoleArn: string;
  /** The grader's own subscriber: its finished invocations tell when a round's publishes have all fanned out. */
  flaky: { name: string; arn: string };
  catalog?: { name: string; arn: string; subscriptionArn: string };
  round?: Promise<void>;
  roundStarted?: number;
  poisonRound?: Promise<void>;
}

export const TOPIC = "topic policy lets S3 publish, only for this bucket and account";
export const QUEUE = "audit queue policy lets only this topic send";
export const FILTER = "the email subscription accepts your filter policy";
export const CONFIRM = "the email subscription is confirmed (locally from the outbox; on AWS from your inbox)";
export const FUNCTION = "catalog function (your handler) is created and subscribed";
export const CATALOG = "catalog: every upload once — mixed sizes, prefixes, awkward keys, a re-upload, a copy";
export const AUDIT = "audit queue: one raw S3 event per upload";
export const EMAIL = "email: exactly the large uploads (and the confirmation)";
export const TEST_EVENT = "the catalog handler copes with SNS's envelope around S3's s3:TestEvent";
export const ISOLATION = "a subscriber failing for one key retries, ends in its DLQ, and the others still get that key";
export const OTHER_BUCKET = "the topic policy refuses another bucket";

export const patience = (ctx: GradeContext) => (ctx.target.kind === "aws" ? 90_000 : 15_000);

async function put(ctx: GradeContext, st: State, key: string, size: number): Promise<void> {
  await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: key, Body: bodyOf(size) }));
}

/**
 * Locally every execution environment is a Node process on this machine: a round of uploads would start
 * one per concurrent invocation, for each of two functions. Two environments each take the round in turn,
 * faster on a small machine. (Not on AWS: a new account's concurrency quota does not allow reservations.)
 */
async function limitLocalConcurrency(ctx: GradeContext, functionName: string): Promise<void> {
  if (ctx.target.kind !== "aws") await ctx.clients.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: functionName, ReservedConcurrentExecutions: 2 }));
}

/** The main round of uploads, once (the first check that needs it starts it). */
function ensureRound(ctx: GradeContext, st: State): Promise<void> {
  st.round ??= (async () => {
    st.roundStarted = Date.now();
    await Promise.all(UPLOADS.map((u) => put(ctx, st, u.key, u.size)));
    await put(ctx, st, REUPLOAD.key, REUPLOAD.first);
    await put(ctx, st, REUPLOAD.key, REUPLOAD.second);
    await ctx.clients.s3.send(new CopyObjectCommand({ Bucket: st.bucket.name, Key: COPY.key, CopySource: `${st.bucket.name}/${encodeURIComponent(COPY.source)}` }));
  })();
  return st.round;
}

/**
 * Wait until the round's publishes have all been fanned out: the grader's own subscriber has
 * finished one invocation per upload (its REPORT lines) — whatever the learner's pieces do.
 */
async function roundFannedOut(ctx: GradeContext, st: State): Promise<void> {
  const p = pace(ctx);
  const n = roundEvents().length;
  await pollUntil(async () => ((await functionActivity(ctx, st.flaky.name, st.roundStarted!)).completed >= n ? true : undefined), {
    timeoutMs: patience(ctx), intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs, what: "the round to fan out",
  }).catch(() => undefined);
}

/** Audit events per key (raw bodies that are S3 events); `others` counts bodies that are not. */
function auditByKey(st: State): { byKey: Map<string, number>; others: string[] } {
  const byKey = new Map<string, number>();
  const others: string[] = [];
  for (const { body } of st.auditReader.seen) {
    const records = s3Records(body);
    if (!records) {
      others.push(body);
      continue;
    }
    for (const r of records) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
  }
  return { byKey, others };
}

const expectedCounts = (events: Array<{ key: string; size: number }>) => {
  const m = new Map<string, number>();
  for (const e of events) m.set(e.key, (m.get(e.key) ?? 0) + 1);
  return m;
};

async function catalogItems(ctx: GradeContext, st: State): Promise<Item[]> {
  return scanItems(ctx, st.table.name);
}

export default defineGrader<State>({
  async setup(ctx) {
    const topicPolicy = await ctx.importCode<typeof TopicPolicyModule>("topic-policy.ts");
    const queuePolicy = await ctx.importCode<typeof QueuePolicyModule>("queue-policy.ts");
    const filter = await ctx.importCode<typeof FilterModule>("filter-policy.ts");
    let pkg: PackagedFunction;
    let graderPkg: PackagedFunction;
    try {
      [pkg, graderPkg] = await Promise.all([packageCatalog(ctx.sourceDir), packageGraderSubscriber()]);
    } catch (err) {
      throw new CheckFailed(errorMessage(err), "Fix handler.ts so it compiles (npm run typecheck).");
    }
    const [bucket, topic, table, audit, auditDlq, flakyDlq] = await Promise.all([
      createBucket(ctx, ctx.names.resource("files")),
      createTopic(ctx, ctx.names.resource("uploads")),
      createTable(ctx, ctx.names.resource("catalog"), { partition: { AttributeName: "id", AttributeType: "S" } }),
      createQueue(ctx, ctx.names.resource("audit")),
      createQueue(ctx, ctx.names.resource("audit-dlq")),
      createQueue(ctx, ctx.names.resource("flaky-dlq")),
    ]);
    const [catalogRole, flakyRole] = await Promise.all([
      functionRole(ctx, CATALOG_PURPOSE, catalogStatements(table.arn), "S3 Event Labs lab 05: the catalog function (writes one table)"),
      functionRole(ctx, "flaky", [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: flakyDlq.arn }], "S3 Event Labs lab 05: the grader's failing subscriber (its DLQ only)"),
    ]);
    // The grader's own subscriber: fails for the poison key; one retry (a minute on AWS, time-scaled locally), then its DLQ.
    const flaky = await deploy(ctx, "flaky", flakyRole.arn, graderPkg);
    await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: flaky.name, MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: flakyDlq.arn } } }));
    await limitLocalConcurrency(ctx, flaky.name);
    await subscribeFunction(ctx, topic.arn, flaky);
    return {
      topicPolicy, queuePolicy, filter, pkg, bucket, topic, table, audit, auditDlq, flakyDlq,
      auditReader: new QueueReader(ctx, audit.url), flakyReader: new QueueReader(ctx, flakyDlq.url),
      catalogRoleArn: catalogRole.arn, flaky, address: opsAddress(ctx),
    };
  },
  checks: [
    {
      name: TOPIC,
      async run(ctx, st) {
        const input = { topicArn: st.topic.arn, bucketName: st.bucket.name, accountId: ctx.target.account };
        const doc = await ctx.callLearner("topicPolicy", () => st.topicPolicy.topicPolicy(input));
        const problems = policyProblems(doc, topicPolicyTable(input));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        await setTopicPolicy(ctx, st.topic.arn, doc);
        try {
          await putNotifications(ctx, st.bucket.name, { TopicConfigurations: [{ Id: "fan-out", TopicArn: st.topic.arn, Events: ["s3:ObjectCreated:*"] }] });
        } catch (err) {
          throw new CheckFailed(`S3 could not use the topic: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return "the policy allows exactly S3 for this bucket and account (evaluated against the request table); S3 validated the topic";
      },
    },
    {
      name: QUEUE,
      async run(ctx, st) {
        const problems = policyProblems(await ctx.callLearner("queuePolicy", () => st.queuePolicy.queuePolicy({ queueArn: st.audit.arn, topicArn: st.topic.arn })), queuePolicyTable({ queueArn: st.audit.arn, topicArn: st.topic.arn, accountId: ctx.target.account }));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        for (const q of [st.audit, st.auditDlq]) await setQueuePolicy(ctx, q, await ctx.callLearner("queuePolicy", () => st.queuePolicy.queuePolicy({ queueArn: q.arn, topicArn: st.topic.arn })));
        await subscribe(ctx, st.topic.arn, "sqs", st.audit.arn, { RawMessageDelivery: "true", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: st.auditDlq.arn }) });
        return "only this topic may send (evaluated against the request table); subscribed with raw message delivery and a dead-letter queue";
      },
    },
    {
      name: FILTER,
      async run(ctx, st) {
        const settings = await ctx.callLearner("largeUploadsFilter", () => st.filter.largeUploadsFilter({ minBytes: LARGE_BYTES }));
        const attributes = { FilterPolicyScope: String(settings?.FilterPolicyScope), FilterPolicy: JSON.stringify(settings?.FilterPolicy ?? {}) };
        try {
          const out = await ctx.clients.sns.send(new SubscribeCommand({ TopicArn: st.topic.arn, Protocol: "email", Endpoint: st.address, Attributes: attributes, ReturnSubscriptionArn: true }));
          recordResource(ctx, "sns-subscription", out.SubscriptionArn!, { arn: out.SubscriptionArn!, parent: st.topic.arn });
          st.emailSubscriptionArn = out.SubscriptionArn!;
          st.emailSubscribedAt = new Date(Date.now() - 1000).toISOString();
        } catch (err) {
          throw new CheckFailed(`SNS refused the subscription: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return `${st.address} subscribed, ${attributes.FilterPolicyScope} ${attributes.FilterPolicy}`;
      },
    },
    {
      name: CONFIRM,
      needs: [FILTER],
      async run(ctx, st) {
        return awaitConfirmation(ctx, st);
      },
    },
    {
      name: FUNCTION,
      async run(ctx, st) {
        try {
          const fn = await deploy(ctx, CATALOG_PURPOSE, st.catalogRoleArn, st.pkg, { TABLE_NAME: st.table.name });
          // No automatic retries: a failed invocation is evidence for the check that caused it.
          await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn.name, MaximumRetryAttempts: 0 }));
          await limitLocalConcurrency(ctx, fn.name);
          st.catalog = { ...fn, subscriptionArn: await subscribeFunction(ctx, st.topic.arn, fn) };
        } catch (err) {
          throw new CheckFailed(`Lambda refused the function: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return `${st.catalog.name} (${(st.pkg.zip.length / 1024).toFixed(1)} KiB zip), subscribed`;
      },
    },
    {
      name: CATALOG,
      needs: [TOPIC, FUNCTION],
      async run(ctx, st) {
        await ensureRound(ctx, st);
        const events = roundEvents();
        const keys = [...new Set(events.map((e) => e.key))];
        let items: Item[] = [];
        try {
          await waitForEvidence(ctx, {
            functionName: st.catalog!.name, since: st.roundStarted!, timeoutMs: patience(ctx), what: "the catalog items", invocations: events.length, verbose: ctx.verbose,
            async result() {
              items = await catalogItems(ctx, st);
              return keys.every((k) => items.some((i) => i.key === k)) ? true : undefined;
            },
            failed: (f) => `the catalog function failed on the uploads: ${describeFailure(f, ctx.verbose)}`,
            notProduced: () => {
              const missing = keys.filter((k) => !items.some((i) => i.key === k));
              const held = items.filter((i) => !keys.includes(String(i.key))).slice(0, 3).map((i) => JSON.stringify(i.key ?? i.id));
              return `the catalog function finished ${events.length} invocations, but items are missing for ${missing.slice(0, 4).map((k) => JSON.stringify(k)).join(", ")}${missing.length > 4 ? ` and ${missing.length - 4} more` : ""}${held.length ? `; the catalog holds ${held.join(", ")} instead — the key as uploaded is decoded ("+" is a space, then %XX) and stored in "key"` : ""}`;
            },
          });
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          throw new CheckFailed(`after ${patience(ctx) / 1000} s the catalog has ${items.length} item(s) for ${keys.length} keys — was the function invoked? (its log: /aws/lambda/${st.catalog!.name})`);
        }
        const problems: string[] = [];
        for (const key of keys) {
          const mine = items.filter((i) => i.key === key);
          const sizes = events.filter((e) => e.key === key).map((e) => e.size);
          if (mine.length > 1) problems.push(`${mine.length} items for ${JSON.stringify(key)}: one per key (id "<bucket>/<key>")`);
          const item = mine[0]!;
          if (item.id !== `${st.bucket.name}/${key}`) problems.push(`${JSON.stringify(key)}: id is ${JSON.stringify(item.id)}, expected ${JSON.stringify(`${st.bucket.name}/${key}`)}`);
          if (item.bucket !== st.bucket.name) problems.push(`${JSON.stringify(key)}: bucket is ${JSON.stringify(item.bucket)}`);
          if (!sizes.includes(item.size as number)) problems.push(`${JSON.stringify(key)}: size is ${JSON.stringify(item.size)}, expected ${sizes.join(" or ")} (a number)`);
          if (typeof item.eventTime !== "string" || Number.isNaN(Date.parse(item.eventTime))) problems.push(`${JSON.stringify(key)}: eventTime is ${JSON.stringify(item.eventTime)}, expected S3's eventTime`);
        }
        const strangers = items.filter((i) => !keys.includes(String(i.key)) && i.key !== POISON.key);
        if (strangers.length) problems.push(`items that match no upload: ${strangers.slice(0, 3).map((i) => JSON.stringify(i.key ?? i.id)).join(", ")} — decode the key ("+" is a space, then decodeURIComponent)`);
        if (problems.length) throw new CheckFailed(problems.slice(0, 8).join("\n    "));
        return `${keys.length} items for ${events.length} uploads`;
      },
    },
    {
      name: AUDIT,
      needs: [TOPIC, QUEUE],
      async run(ctx, st) {
        await ensureRound(ctx, st);
        const want = expectedCounts(roundEvents());
        const total = [...want.values()].reduce((a, b) => a + b, 0);
        const p = pace(ctx);
        await pollUntil(async () => {
          await st.auditReader.receiveOnce(ctx.target.kind === "aws" ? 2 : 0);
          return auditByKey(st).byKey.size >= want.size && [...want].every(([k, n]) => (auditByKey(st).byKey.get(k) ?? 0) >= n) ? true : undefined;
        }, { timeoutMs: patience(ctx), intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs, what: "the audit events" }).catch(() => undefined);
        const { byKey, others } = auditByKey(st);
        const problems: string[] = [];
        const envelopes = others.filter((b) => b.includes('"Type":"Notification"'));
        if (envelopes.length) problems.push(`${envelopes.length} message(s) are SNS envelopes ({"Type":"Notification",…}), not S3's event: the subscription needs raw message delivery`);
        for (const [key, n] of want) {
          const got = byKey.get(key) ?? 0;
          if (got !== n) problems.push(`${got} audit event(s) for ${JSON.stringify(key)}, expected ${n}`);
        }
        for (const [key, n] of byKey) if (!want.has(key) && key !== POISON.key) problems.push(`${n} audit event(s) for ${JSON.stringify(key)}, which was not uploaded`);
        if (problems.length) {
          const dlq = new QueueReader(ctx, st.auditDlq.url);
          await dlq.receiveOnce(0);
          if (dlq.seen.length) problems.push(`${dlq.seen.length} message(s) went to the audit subscription's dead-letter queue: SNS could not deliver them (the queue policy?)`);
          throw new CheckFailed(problems.slice(0, 8).join("\n    "));
        }
        return `${total} raw S3 events for ${total} uploads`;
      },
    },
    {
      name: EMAIL,
      needs: [TOPIC, CONFIRM],
      async run(ctx, st) {
        await ensureRound(ctx, st);
        // All subscribers get the same publishes: once the grader's own subscriber has had the round, the mails have had their chance.
        return checkMails(ctx, st, roundEvents().filter((e) => isLarge(e.size)), () => roundFannedOut(ctx, st));
      },
    },
    {
      name: TEST_EVENT,
      // After the catalog works: a handler that does nothing would "cope" trivially.
      needs: [CATALOG],
      async run(ctx, st) {
        const before = (await catalogItems(ctx, st)).length;
        const event = snsLambdaEvent(st.topic.arn, st.catalog!.subscriptionArn, s3TestEvent(st.bucket.name));
        const out = await ctx.clients.lambda.send(new InvokeCommand({ FunctionName: st.catalog!.name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
        const payload = out.Payload ? new TextDecoder().decode(out.Payload) : "";
        if (out.FunctionError) throw new CheckFailed(`the function failed on SNS's envelope around S3's s3:TestEvent: ${payload.slice(0, 240)}`);
        const after = (await catalogItems(ctx, st)).length;
        if (after > before) throw new CheckFailed(`the test event added ${after - before} catalog item(s): it is not an upload`);
        return "returned quietly, no item";
      },
    },
    {
      name: ISOLATION,
      needs: [CATALOG, AUDIT],
      async run(ctx, st) {
        await put(ctx, st, POISON.key, POISON.size);
        const p = pace(ctx);
        // Lambda retries the failing subscriber once (a minute on AWS; time-scaled locally), then sends the event to its DLQ.
        const dead = await pollUntil(async () => {
          await st.flakyReader.receiveOnce(ctx.target.kind === "aws" ? 5 : 0);
          return st.flakyReader.seen.find((b) => b.body.includes("bad+apple") || b.body.includes("bad%20apple") || b.body.includes("poison"));
        }, { timeoutMs: ctx.target.kind === "aws" ? 240_000 : 20_000, intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs * 2, what: "the failing subscriber's dead-letter record", onWait: () => ctx.status("waiting for the failing subscriber's retry and its dead-letter queue…") }).catch(() => undefined);
        if (!dead) throw new CheckFailed(`the grader's failing subscriber never reached its dead-letter queue — this is the cloud's part, not yours: is Lambda's asynchronous retry working on this target?`);
        const record = JSON.parse(dead.body) as { requestContext?: { approximateInvokeCount?: number; condition?: string } };
        const attempts = record.requestContext?.approximateInvokeCount;
        const problems: string[] = [];
        await pollUntil(async () => {
          await st.auditReader.receiveOnce(0);
          const items = await catalogItems(ctx, st);
          return (auditByKey(st).byKey.get(POISON.key) ?? 0) >= 1 && items.some((i) => i.key === POISON.key) ? true : undefined;
        }, { timeoutMs: patience(ctx), intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs, what: "the poison key at the other subscribers" }).catch(() => undefined);
        await st.auditReader.receiveOnce(0);
        const audit = auditByKey(st).byKey.get(POISON.key) ?? 0;
        const catalogued = (await catalogItems(ctx, st)).filter((i) => i.key === POISON.key).length;
        if (audit !== 1) problems.push(`the audit queue has ${audit} event(s) for ${JSON.stringify(POISON.key)}, expected 1 — another subscriber's retries must not reach it`);
        if (catalogued !== 1) problems.push(`the catalog has ${catalogued} item(s) for ${JSON.stringify(POISON.key)}, expected 1`);
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return `the failing subscriber was invoked ${attempts ?? "?"} times (${record.requestContext?.condition ?? "failed"}), then dead-lettered; catalog and audit got the key once`;
      },
    },
    {
      name: OTHER_BUCKET,
      needs: [TOPIC],
      async run(ctx, st) {
        const other = await createBucket(ctx, ctx.names.resource("other"));
        try {
          await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: other.name, NotificationConfiguration: { TopicConfigurations: [{ TopicArn: st.topic.arn, Events: ["s3:ObjectCreated:*"] }] } }));
        } catch (err) {
          if (errorCode(err) === "InvalidArgument") return `S3 refused ${other.name}: ${errorMessage(err)}`;
          throw err;
        }
        throw new CheckFailed(`S3 accepted ${other.name} as a source for the topic: the topic policy lets another bucket publish`);
      },
    },
  ],
});
