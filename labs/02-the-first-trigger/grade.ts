/**
 * Lab 02 — the grader. Builds the learner's role, function (their handler,
 * bundled), permission and notification in a fresh namespace, then uploads
 * CSV files that must be summarised (including nested and encoded keys) and
 * files that must not trigger anything, and checks the summaries.
 */
import { GetPolicyCommand } from "@aws-sdk/client-lambda";
import { ListObjectsV2Command, PutObjectCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import type { AddPermissionCommandInput } from "@aws-sdk/client-lambda";
import { CheckFailed, defineGrader, type GradeContext } from "../../src/kit/grader/types.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage, TimeoutError } from "../../src/kit/wait.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { invokePermissionTable, s3AccessTable, trustPolicyTable } from "./policy-requests.js";
import { createExecutionRole, deployFunction, NEGATIVES, packageLearnerHandler, recentLogLines, reportKeyFor, SAMPLES, waitForObject, type Summary } from "./support.js";
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
}

type Statement = Record<string, any>;

async function checkSummary(ctx: GradeContext, st: State, sample: (typeof SAMPLES)[number]): Promise<void> {
  const key = reportKeyFor(sample.key);
  let body: string;
  try {
    body = await waitForObject(ctx, st.bucket.name, key);
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    const logs = await recentLogLines(ctx, st.fn!.name, 6);
    throw new CheckFailed(`no ${key} appeared after uploading "${sample.key}"${logs.length ? `; the function's last log lines:\n      ${logs.join("\n      ")}` : ""}`);
  }
  let summary: Summary;
  try {
    summary = JSON.parse(body) as Summary;
  } catch {
    throw new CheckFailed(`${key} is not JSON: ${body.slice(0, 80)}`);
  }
  const problems: string[] = [];
  if (summary.source !== sample.key) problems.push(`source ${JSON.stringify(summary.source)}, expected ${JSON.stringify(sample.key)}`);
  if (summary.rows !== sample.rows) problems.push(`rows ${JSON.stringify(summary.rows)}, expected ${sample.rows}`);
  if (JSON.stringify(summary.columns) !== JSON.stringify(sample.columns)) problems.push(`columns ${JSON.stringify(summary.columns)}, expected ${JSON.stringify(sample.columns)}`);
  if (problems.length) throw new CheckFailed(`${key}: ${problems.join("; ")}`);
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
    return { role, permission, notification, pkg, bucket };
  },
  checks: [
    {
      name: ROLE,
      hint: 'role.ts: trustPolicy() needs { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }; s3AccessPolicy() needs s3:GetObject on arn:aws:s3:::<bucket>/uploads/* and s3:PutObject on arn:aws:s3:::<bucket>/reports/* (not the whole bucket).',
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
      hint: "handler.ts must export `handler`; the function is created with your role — if Lambda says the role cannot be assumed, fix trustPolicy().",
      needs: [ROLE],
      async run(ctx, st) {
        try {
          st.fn = await deployFunction(ctx, st.roleArn!, st.pkg);
        } catch (err) {
          throw new CheckFailed(`Lambda refused the function: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return `${st.fn.name} (${(st.pkg.zip.length / 1024).toFixed(1)} KiB zip)`;
      },
    },
    {
      name: PERMISSION,
      hint: 'permission.ts: Action "lambda:InvokeFunction", Principal "s3.amazonaws.com", SourceArn "arn:aws:s3:::<bucket>", SourceAccount "<account id>".',
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
      hint: 'notification.ts: Events ["s3:ObjectCreated:*"] with Filter { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }, { Name: "suffix", Value: ".csv" }] } }.',
      needs: [PERMISSION],
      async run(ctx, st) {
        const config = await ctx.callLearner("notificationConfiguration", () => st.notification.notificationConfiguration({ functionArn: st.fn!.arn }));
        const mine = (config.LambdaFunctionConfigurations ?? []).filter((c) => c.LambdaFunctionArn === st.fn!.arn);
        if (mine.length !== 1) throw new CheckFailed(`expected one LambdaFunctionConfiguration for ${st.fn!.arn}, found ${mine.length}`);
        const c = mine[0]!;
        const rules = Object.fromEntries((c.Filter?.Key?.FilterRules ?? []).map((r) => [String(r.Name).toLowerCase(), r.Value]));
        if (rules.prefix !== "uploads/") throw new CheckFailed(`the prefix rule is ${JSON.stringify(rules.prefix)}, expected "uploads/"`);
        if (rules.suffix !== ".csv") throw new CheckFailed(`the suffix rule is ${JSON.stringify(rules.suffix)}, expected ".csv"`);
        if (!(c.Events ?? []).some((e) => e === "s3:ObjectCreated:*" || e === "s3:ObjectCreated:Put")) throw new CheckFailed(`Events ${JSON.stringify(c.Events)} do not include new uploads`);
        try {
          await putNotifications(ctx, st.bucket.name, config as NotificationConfiguration);
        } catch (err) {
          throw new CheckFailed(`S3 rejected the configuration: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        return "S3 validated the destination and saved it";
      },
    },
    {
      name: "a CSV upload is summarised in reports/",
      hint: "handler.ts: fetch the object with GetObjectCommand (the event has no content), count the non-empty lines after the header, and PutObject reports/<path>.json with { source, rows, columns }.",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const sample = SAMPLES[0]!;
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: sample.key, Body: sample.body }));
        await checkSummary(ctx, st, sample);
        return `${reportKeyFor(sample.key)}: ${sample.rows} rows`;
      },
    },
    {
      name: "nested and encoded keys, CRLF and missing final newline",
      hint: 'handler.ts: decode the key with decodeURIComponent(key.replace(/\\+/g, " ")) before GetObject; split lines on /\\r?\\n/ and ignore empty lines; keep the folders under uploads/ in the report key.',
      needs: [NOTIFICATION],
      async run(ctx, st) {
        const rest = SAMPLES.slice(1);
        await Promise.all(rest.map((s) => ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: s.key, Body: s.body }))));
        for (const s of rest) await checkSummary(ctx, st, s);
        return `${rest.length} summaries correct`;
      },
    },
    {
      name: "uploads outside uploads/*.csv trigger nothing",
      hint: "notification.ts: the prefix and suffix rules decide what invokes the function — uploads/notes.txt, other/sales.csv, uploads/sales.csv.bak and Uploads/capital.csv must not (S3 filters are case-sensitive).",
      needs: [NOTIFICATION],
      async run(ctx, st) {
        for (const key of NEGATIVES) await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: key, Body: "a,b\n1,2\n" }));
        // A qualifying upload after the negatives: once its summary exists, the negatives have had their chance.
        const sentinel = { key: "uploads/zz-sentinel.csv", body: "x\n1\n", rows: 1, columns: ["x"] };
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: sentinel.key, Body: sentinel.body }));
        await checkSummary(ctx, st, sentinel);
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
