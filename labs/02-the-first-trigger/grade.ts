/**
 * Lab 02 — the grader. Builds the learner's role, function (their handler,
 * bundled), permission and notification in a fresh namespace, then uploads
 * CSV files that must be summarised (including nested and encoded keys) and
 * files that must not trigger anything, and checks the summaries.
 */
import { GetPolicyCommand, InvokeCommand, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutObjectCommand, UploadPartCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";
import { CheckFailed, defineGrader, type GradeContext } from "../../src/kit/grader/types.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage, pollUntil, TimeoutError } from "../../src/kit/wait.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { invokePermissionTable, s3AccessTable, trustPolicyTable } from "./policy-requests.js";
import { createExecutionRole, deployFunction, packageLearnerHandler, recentLogLines, reportKeyFor, type Summary } from "./support.js";
import { BATCH, EVERY_NEW, multipartCsv, NEGATIVES, REUPLOAD, SAMPLES, type Sample } from "./test-data.js";
import { describeFailure, functionActivity, waitForEvidence } from "../../src/kit/grader/evidence.js";
import { s3ObjectCreatedRecord } from "../../src/kit/grader/s3-records.js";
import type * as RoleModule from "./role.js";
import type * as PermissionModule from "./permission.js";
import type * as NotificationModule from "./notification.js";

interface State {
  role: typeof RoleModule;
  permission: typeof PermissionModule;
  notification: typeof NotificationModule;
  pkg: PackagedFunction;
  bucket: { name: string; arn: string };
  roleArn?: string;
  fn?: { name: string; arn: string };
  config?: NotificationConfiguration;
  /** The first check whose wait ended on a failed invocation: later ones say "probably the same cause". */
  functionFailedIn?: string;
  /** The first check that found each kind of wrong summary field (source, rows, columns). */
  wrongField: Map<string, string>;
}

type Statement = Record<string, any>;

const SUMMARY = "a CSV upload is summarised in reports/";

/** Local results appear in well under a second; AWS takes seconds (cold start, log delivery). */
const patience = (ctx: GradeContext) => (ctx.target.kind === "aws" ? 60_000 : 10_000);

async function readReport(ctx: GradeContext, st: State, key: string): Promise<string | undefined> {
  try {
    const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: st.bucket.name, Key: key }));
    return await out.Body!.transformToString();
  } catch (err) {
    if (errorCode(err) === "NoSuchKey" || errorCode(err) === "NotFound") return undefined;
    throw err;
  }
}

/**
 * Wait for the reports of `samples` (uploaded from `since` on) and compare them with the truth. Ends
 * as soon as the evidence is conclusive: all reports there, the function's log shows a failed
 * invocation, or as many invocations as uploads finished without writing them. A check after the
 * first one that failed this way says it is probably the same cause.
 */
async function checkSummaries(ctx: GradeContext, st: State, samples: Sample[], since: number, accept: (s: Summary, sample: Sample) => boolean = () => true, invocations = samples.length): Promise<void> {
  const keys = samples.map((s) => reportKeyFor(s.key));
  const same = () => (st.functionFailedIn ? ` — probably the same cause as "${st.functionFailedIn}"` : "");
  const found = new Map<string, string>();
  try {
    await waitForEvidence(ctx, {
      functionName: st.fn!.name,
      since,
      timeoutMs: patience(ctx),
      what: keys.join(", "),
      invocations,
      verbose: ctx.verbose,
      async result() {
        for (const [i, key] of keys.entries()) {
          if (found.has(key)) continue;
          const body = await readReport(ctx, st, key);
          if (body === undefined) continue;
          try {
            if (!accept(JSON.parse(body) as Summary, samples[i]!)) continue;
          } catch {
            /* not JSON: reported below */
          }
          found.set(key, body);
        }
        return found.size === keys.length ? true : undefined;
      },
      failed: (f) => `the function failed after "${samples.map((s) => s.key).join('", "')}" ${samples.length > 1 ? "were" : "was"} uploaded: ${describeFailure(f, ctx.verbose)}${same()}`,
      notProduced: () => `the function finished without writing ${keys.filter((k) => !found.has(k)).join(", ")}${same()}`,
    });
  } catch (err) {
    if (err instanceof CheckFailed) {
      st.functionFailedIn ??= ctx.currentCheck;
      throw err;
    }
    if (!(err instanceof TimeoutError)) throw err;
    const missing = samples.filter((s) => !found.has(reportKeyFor(s.key)));
    // A report that exists but never became right is a wrong summary, not a missing one.
    for (const s of missing) {
      const body = await readReport(ctx, st, reportKeyFor(s.key));
      if (body !== undefined) found.set(reportKeyFor(s.key), body);
    }
    const still = samples.filter((s) => !found.has(reportKeyFor(s.key)));
    if (still.length) {
      const logs = await recentLogLines(ctx, st.fn!.name, 6);
      throw new CheckFailed(`no ${still.map((s) => reportKeyFor(s.key)).join(", ")} appeared after uploading "${still.map((s) => s.key).join('", "')}"${logs.length ? `; the function's last log lines:\n      ${logs.join("\n      ")}` : " and the function logged nothing: was it invoked? (notification.ts)"}`);
    }
  }
  const problems: string[] = [];
  for (const sample of samples) {
    const key = reportKeyFor(sample.key);
    const body = found.get(key)!;
    let summary: Summary;
    try {
      summary = JSON.parse(body) as Summary;
    } catch {
      problems.push(`${key} is not JSON: ${body.slice(0, 80)}`);
      continue;
    }
    const p: string[] = [];
    if (summary.source !== sample.key) p.push(`source ${JSON.stringify(summary.source)}, expected ${JSON.stringify(sample.key)}`);
    if (summary.rows !== sample.rows) p.push(`rows ${JSON.stringify(summary.rows)}, expected ${sample.rows}`);
    if (JSON.stringify(summary.columns) !== JSON.stringify(sample.columns)) p.push(`columns ${JSON.stringify(summary.columns)}, expected ${JSON.stringify(sample.columns)}`);
    if (p.length) problems.push(`${key}: ${p.join("; ")}`);
  }
  if (problems.length) {
    // The same kind of wrong field in an earlier check is most likely the same mistake (one cause, one failing check).
    const kinds = ["source", "rows", "columns"].filter((k) => problems.some((p) => p.includes(`: ${k} `) || p.includes(`; ${k} `)));
    const earlier = kinds.map((k) => st.wrongField.get(k)).find((c) => c && c !== ctx.currentCheck);
    for (const k of kinds) if (!st.wrongField.has(k)) st.wrongField.set(k, ctx.currentCheck);
    throw new CheckFailed(problems.join("\n    ") + (earlier ? `\n    — probably the same cause as "${earlier}"` : ""));
  }
}

async function upload(ctx: GradeContext, st: State, samples: Sample[]): Promise<number> {
  const since = Date.now();
  await Promise.all(samples.map((s) => ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: s.key, Body: s.body }))));
  return since;
}

const ROLE = "execution role: Lambda may assume it; read uploads/, write reports/ only";
const FUNCTION = "function (your handler, bundled) is created and Active";
const PERMISSION = "permission lets S3 invoke it, only for this bucket and account";
const NOTIFICATION = "notification sends new uploads/*.csv to the function";

export default defineGrader<State>({
  async setup(ctx) {
    const role = await ctx.importCode<typeof RoleModule>("role.ts");
    const permission = await ctx.importCode<typeof PermissionModule>("permission.ts");
    const notification = await ctx.importCode<typeof NotificationModule>("notification.ts");
    let pkg: PackagedFunction;
    try {
      pkg = await packageLearnerHandler(ctx.sourceDir);
    } catch (err) {
      throw new CheckFailed(errorMessage(err), "Fix handler.ts so it compiles (npm run typecheck).");
    }
    const bucket = await createBucket(ctx, ctx.names.resource("data"));
    return { role, permission, notification, pkg, bucket, wrongField: new Map() };
  },
  checks: [
    {
      name: ROLE,
      async run(ctx, st) {
        const trust = await ctx.callLearner("trustPolicy", () => st.role.trustPolicy());
        const roleArn = `arn:aws:iam::${ctx.target.account}:role/${ctx.names.resource("csv-role")}`;
        const trustProblems = policyProblems(trust, trustPolicyTable({ roleArn, account: ctx.target.account, service: "lambda.amazonaws.com", why: "Lambda runs the function as this role" }));
        if (trustProblems.length) throw new CheckFailed(trustProblems.join("\n    "));
        const access = await ctx.callLearner("s3AccessPolicy", () => st.role.s3AccessPolicy({ bucketName: st.bucket.name }));
        const accessProblems = policyProblems(access, s3AccessTable({ bucketName: st.bucket.name, accountId: ctx.target.account }));
        if (accessProblems.length) throw new CheckFailed(accessProblems.join("\n    "));
        try {
          const role = await createExecutionRole(ctx, trust, access);
          st.roleArn = role.arn;
          return role.arn;
        } catch (err) {
          throw new CheckFailed(`IAM refused the role: ${errorCode(err)}: ${errorMessage(err)}`);
        }
      },
    },
    {
      name: FUNCTION,
      needs: [ROLE],
      async run(ctx, st) {
        try {
          st.fn = await deployFunction(ctx, st.roleArn!, st.pkg);
          // No automatic retries for the grader's function: a failed invocation is evidence for the check that caused
          // it, and a retry a minute later would look like a failure of whichever check is running then.
          await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: st.fn.name, MaximumRetryAttempts: 0 }));
        } catch (err) {
          throw new CheckFailed(`Lambda refused the function: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return `${st.fn.name} (${(st.pkg.zip.length / 1024).toFixed(1)} KiB zip)`;
      },
    },
    {
      name: PERMISSION,
      needs: [FUNCTION],
      async run(ctx, st) {
        const input = await ctx.callLearner("invokePermission", () => st.permission.invokePermission({ functionName: st.fn!.name, bucketName: st.bucket.name, accountId: ctx.target.account }));
        try {
          await addPermission(ctx, { ...(input as AddPermissionCommandInput), FunctionName: st.fn!.name });
        } catch (err) {
          throw new CheckFailed(`Lambda refused the permission: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        // Read it back: the resource policy is what S3 is checked against.
        const policy = JSON.parse((await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: st.fn!.name }))).Policy!) as { Statement: Statement[] };
        const problems = policyProblems(policy, invokePermissionTable({ functionArn: st.fn!.arn, bucketName: st.bucket.name, accountId: ctx.target.account }));
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return "the saved resource policy allows exactly S3 for this bucket and account (evaluated against the request table)";
      },
    },
    {
      name: NOTIFICATION,
      needs: [PERMISSION],
      async run(ctx, st) {
        const config = await ctx.callLearner("notificationConfiguration", () => st.notification.notificationConfiguration({ functionArn: st.fn!.arn }));
        const mine = (config.LambdaFunctionConfigurations ?? []).filter((c) => c.LambdaFunctionArn === st.fn!.arn);
        if (mine.length !== 1) throw new CheckFailed(`expected one LambdaFunctionConfiguration for ${st.fn!.arn}, found ${mine.length}`);
        const c = mine[0]!;
        const rules = Object.fromEntries((c.Filter?.Key?.FilterRules ?? []).map((r) => [String(r.Name).toLowerCase(), r.Value]));
        if (rules.prefix !== "uploads/") throw new CheckFailed(`the prefix rule is ${JSON.stringify(rules.prefix)}, expected "uploads/"`);
        if (rules.suffix !== ".csv") throw new CheckFailed(`the suffix rule is ${JSON.stringify(rules.suffix)}, expected ".csv"`);
        const events: string[] = c.Events ?? [];
        const created = ["Put", "Post", "Copy", "CompleteMultipartUpload"].filter((e) => !events.includes(`s3:ObjectCreated:${e}`));
        if (!events.includes("s3:ObjectCreated:*") && created.length) throw new CheckFailed(`Events ${JSON.stringify(events)} miss ${created.map((e) => `s3:ObjectCreated:${e}`).join(", ")}: every new CSV counts — copies and multipart uploads (aws s3 cp switches to multipart above 8 MB) too`);
        try {
          await putNotifications(ctx, st.bucket.name, config as NotificationConfiguration);
        } catch (err) {
          throw new CheckFailed(`S3 rejected the configuration: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        st.config = config as NotificationConfiguration;
        return "S3 validated the destination and saved it";
      },
    },
    {
      name: SUMMARY,
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const sample = SAMPLES[0]!;
        await checkSummaries(ctx, st, [sample], await upload(ctx, st, [sample]));
        return `${reportKeyFor(sample.key)}: ${sample.rows} rows`;
      },
    },
    {
      name: "nested and encoded keys, CRLF and missing final newline",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const rest = SAMPLES.slice(1);
        await checkSummaries(ctx, st, rest, await upload(ctx, st, rest));
        return `${rest.length} summaries correct`;
      },
    },
    {
      name: "every new CSV counts: a copy and a multipart upload are summarised too",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const Bucket = st.bucket.name;
        const { copySource, copy, multipart } = EVERY_NEW;
        // The copy's source is written while the trigger is off, so only the copy invokes the function.
        await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} }));
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key: copySource, Body: copy.body }));
        await putNotifications(ctx, Bucket, st.config!);
        const since = Date.now();
        await ctx.clients.s3.send(new CopyObjectCommand({ Bucket, Key: copy.key, CopySource: `${Bucket}/${encodeURIComponent(copySource)}` }));
        const [part1, part2, rows] = multipartCsv();
        const up = await ctx.clients.s3.send(new CreateMultipartUploadCommand({ Bucket, Key: multipart.key }));
        const p1 = await ctx.clients.s3.send(new UploadPartCommand({ Bucket, Key: multipart.key, UploadId: up.UploadId!, PartNumber: 1, Body: part1 }));
        const p2 = await ctx.clients.s3.send(new UploadPartCommand({ Bucket, Key: multipart.key, UploadId: up.UploadId!, PartNumber: 2, Body: part2 }));
        await ctx.clients.s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: multipart.key, UploadId: up.UploadId!, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }));
        await checkSummaries(ctx, st, [{ ...copy }, { key: multipart.key, body: "", rows, columns: multipart.columns }], since);
        return `ObjectCreated:Copy and ObjectCreated:CompleteMultipartUpload (${rows} rows) summarised`;
      },
    },
    {
      name: "a re-upload replaces the summary",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const { key, first, second, columns } = REUPLOAD;
        const firstSince = await upload(ctx, st, [{ key, body: first.body, rows: first.rows, columns }]);
        await checkSummaries(ctx, st, [{ key, body: first.body, rows: first.rows, columns }], firstSince);
        // Upload again only once the first invocation has ended (its REPORT line): its environment is then
        // free and warm, so a handler that remembers keys in memory meets its memory, as a warm start would.
        await pollUntil(async () => ((await functionActivity(ctx, st.fn!.name, firstSince)).completed >= 1 ? true : undefined), { timeoutMs: patience(ctx), what: "the first invocation's REPORT line" }).catch(() => undefined);
        const sample = { key, body: second.body, rows: second.rows, columns };
        // Only invocations that start after this upload count (evidence.ts), so the first one's late REPORT line is not mistaken for it.
        const since = await upload(ctx, st, [sample]);
        await checkSummaries(ctx, st, [sample], since, (s) => s.rows === second.rows).catch((err) => {
          throw err instanceof CheckFailed && /without writing/.test(err.message) ? new CheckFailed(`${reportKeyFor(key)} still summarises the first upload (${first.rows} rows) after the key was uploaded again with ${second.rows} rows`) : err;
        });
        return `${reportKeyFor(key)}: ${first.rows} → ${second.rows} rows`;
      },
    },
    {
      name: "every record of an event is summarised",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const Bucket = st.bucket.name;
        // Written while the trigger is off: only the grader's two-record event invokes the function.
        await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: {} }));
        try {
          for (const s of BATCH) await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key: s.key, Body: s.body }));
          const records = BATCH.map((s, i) => s3ObjectCreatedRecord({ region: ctx.target.region, account: ctx.target.account, bucket: Bucket, key: s.key, size: Buffer.byteLength(s.body), sequencer: `00A${i}` }));
          const since = Date.now();
          const out = await ctx.clients.lambda.send(new InvokeCommand({ FunctionName: st.fn!.name, Payload: new TextEncoder().encode(JSON.stringify({ Records: records })) }));
          if (out.FunctionError) throw new CheckFailed(`the function failed on an event with ${records.length} records: ${new TextDecoder().decode(out.Payload).slice(0, 200)}`);
          await checkSummaries(ctx, st, BATCH, since, undefined, 1);
        } finally {
          await putNotifications(ctx, Bucket, st.config!).catch(() => {});
        }
        return `${BATCH.length} records in one event, ${BATCH.length} summaries`;
      },
    },
    {
      name: "uploads outside uploads/*.csv trigger nothing",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        for (const key of NEGATIVES) await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: key, Body: "a,b\n1,2\n" }));
        // A qualifying upload after the negatives: once its summary exists, the negatives have had their chance.
        const sentinel = { key: "uploads/zz-sentinel.csv", body: "x\n1\n", rows: 1, columns: ["x"] };
        await checkSummaries(ctx, st, [sentinel], await upload(ctx, st, [sentinel]));
        const listed = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: st.bucket.name, Prefix: "reports/" }));
        const expected = new Set([...SAMPLES.map((s) => s.key), sentinel.key].map(reportKeyFor));
        // Only reports that stem from a negative upload count: a misnamed positive report is the other checks' business.
        const stems = ["notes", "other", ".bak", "capital"];
        const extra = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => !expected.has(k) && stems.some((s) => k.includes(s)));
        if (extra.length) throw new CheckFailed(`unexpected reports: ${extra.join(", ")} — something outside uploads/*.csv invoked the function`);
        return `${NEGATIVES.length} non-matching uploads ignored`;
      },
    },
  ],
});
