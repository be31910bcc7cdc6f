/**
 * Lab 02 — the first trigger. The guided steps build an execution role, a
 * Lambda function from handler.ts, the invoke permission and a notification
 * for uploads/ + .csv; they also run into the two classic errors on purpose
 * ("Unable to validate the following destination configurations" without the
 * permission, "Configuration is ambiguously defined") and fix them. The learner writes
 * role.ts, permission.ts, notification.ts and handler.ts; grade.ts checks them.
 */
import * as path from "node:path";
import { ListObjectsV2Command, PutBucketNotificationConfigurationCommand, PutObjectCommand, type NotificationConfiguration } from "@aws-sdk/client-s3";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage } from "../../src/kit/wait.js";
import grader from "./grade.js";
import { createExecutionRole, deployFunction, NEGATIVES, recentLogLines, reportKeyFor, SAMPLES, waitForObject } from "./support.js";
import type * as RoleModule from "./role.js";
import type * as PermissionModule from "./permission.js";
import type * as NotificationModule from "./notification.js";

interface RunState {
  bucket: { name: string; arn: string };
  role: { name: string; arn: string };
  pkg: PackagedFunction;
  fn: { name: string; arn: string };
  config: NotificationConfiguration;
}
const st = (ctx: GuidedContext) => ctx.state as unknown as RunState;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");

/** Try to save a configuration that must fail; report AWS's answer. */
async function expectRejected(ctx: GuidedContext, config: NotificationConfiguration): Promise<string[]> {
  try {
    await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: st(ctx).bucket.name, NotificationConfiguration: config }));
  } catch (err) {
    const details = (err as { ArgumentName1?: string; ArgumentValue1?: string; ArgumentName?: string; ArgumentValue?: string });
    return [
      `${pc.red(errorCode(err) ?? "Error")}: ${errorMessage(err)}`,
      ...(details.ArgumentName1 ? [pc.dim(`  ${details.ArgumentName1} → ${details.ArgumentValue1}`)] : []),
      ...(details.ArgumentName ? [pc.dim(`  ${details.ArgumentName} → ${details.ArgumentValue}`)] : []),
    ];
  }
  throw new Error("S3 accepted a configuration that AWS rejects — this cloud is not validating notification destinations like AWS does.");
}

export default defineLab({
  id: "02",
  slug: "the-first-trigger",
  title: "The first trigger: S3 → Lambda",
  summary: "New CSV files under uploads/ invoke a Lambda function that writes a summary to reports/.",
  learnerFiles: ["role.ts", "permission.ts", "notification.ts", "handler.ts"],
  creates: ["1 S3 bucket", "1 IAM role with an inline policy and AWSLambdaBasicExecutionRole", "1 Lambda function (Node.js 20) and its log group", "a resource-policy statement and a bucket notification configuration"],
  grader,
  steps: [
    {
      title: "Create the bucket",
      explain: "The bucket receives CSV files under uploads/ and, from the function, summaries under reports/.",
      cli: ["aws s3api create-bucket --bucket <namespace>-data"],
      async run(ctx) {
        const bucket = await createBucket(ctx, ctx.names.resource("data"));
        Object.assign(ctx.state, { bucket });
        return { created: [["bucket", bucket.name]] };
      },
    },
    {
      title: "Create the execution role",
      explain:
        "A function acts with its execution role's permissions. The trust policy lets lambda.amazonaws.com assume the role; AWSLambdaBasicExecutionRole lets it write logs; the inline policy lets it read uploads/ and write reports/ — and nothing else, so it cannot write where it is triggered.\nOn AWS a new role takes a few seconds to be usable by Lambda; the kit retries, it never sleeps blindly.",
      cli: [
        "aws iam create-role --role-name <namespace>-csv-role --assume-role-policy-document file://trust.json",
        "aws iam attach-role-policy --role-name <namespace>-csv-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "aws iam put-role-policy --role-name <namespace>-csv-role --policy-name s3-access --policy-document file://s3-access.json",
      ],
      async run(ctx) {
        const role = await ctx.importPiece<typeof RoleModule>("role.ts");
        const trust = role.trustPolicy();
        const access = role.s3AccessPolicy({ bucketName: st(ctx).bucket.name });
        const created = await createExecutionRole(ctx, trust, access);
        Object.assign(ctx.state, { role: created });
        return { created: [["role", created.arn]], notes: [json(trust), json(access)] };
      },
    },
    {
      title: "Bundle the handler",
      explain: "esbuild bundles handler.ts and what it imports into one ES module, index.mjs, zipped. @aws-sdk/* is left out: the Lambda Node.js runtime already has SDK v3.",
      cli: ["npx esbuild handler.ts --bundle --platform=node --format=esm --external:@aws-sdk/* --outfile=dist/index.mjs && (cd dist && zip ../function.zip index.mjs)"],
      async run(ctx) {
        const pkg = await packageHandler({ entry: ctx.pieceSource("handler.ts") });
        Object.assign(ctx.state, { pkg });
        return { created: [["zip", `${(pkg.zip.length / 1024).toFixed(1)} KiB, handler ${pkg.handler}`]] };
      },
    },
    {
      title: "Create the function",
      explain: "CreateFunction returns while the function is still Pending; it can be invoked once it is Active.",
      cli: ["aws lambda create-function --function-name <namespace>-csv-summary --runtime nodejs20.x --handler index.handler --role <role-arn> --zip-file fileb://function.zip", "aws lambda wait function-active-v2 --function-name <namespace>-csv-summary"],
      async run(ctx) {
        const fn = await deployFunction(ctx, st(ctx).role.arn, st(ctx).pkg);
        Object.assign(ctx.state, { fn });
        return { created: [["function", fn.arn], ["log group", `/aws/lambda/${fn.name}`]] };
      },
    },
    {
      title: "Classic failure 1: the trigger without the permission",
      explain: "Saving a notification configuration makes S3 check that it may invoke the function. Nothing allows it yet — so S3 refuses, and nothing is saved.",
      cli: ["aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration file://notification.json"],
      async run(ctx) {
        const { notificationConfiguration } = await ctx.importPiece<typeof NotificationModule>("notification.ts");
        const config = notificationConfiguration({ functionArn: st(ctx).fn.arn });
        Object.assign(ctx.state, { config });
        return { notes: [...(await expectRejected(ctx, config)), "The fix: a resource-policy statement on the function that lets S3 invoke it (next step)."] };
      },
    },
    {
      title: "Let S3 invoke the function (AddPermission)",
      explain: "The function's resource-based policy says who may invoke it. SourceArn and SourceAccount limit the grant to this bucket in this account.",
      cli: ["aws lambda add-permission --function-name <fn> --statement-id allow-s3-invoke --action lambda:InvokeFunction --principal s3.amazonaws.com --source-arn arn:aws:s3:::<bucket> --source-account <account>"],
      async run(ctx) {
        const { invokePermission } = await ctx.importPiece<typeof PermissionModule>("permission.ts");
        const statement = await addPermission(ctx, invokePermission({ functionName: st(ctx).fn.name, bucketName: st(ctx).bucket.name, accountId: ctx.target.account }));
        return { created: [["permission", `statement on ${st(ctx).fn.name}`]], notes: [json(JSON.parse(statement || "{}"))] };
      },
    },
    {
      title: "Save the trigger: uploads/ + .csv",
      explain: "Now S3 validates the destination and saves the configuration. Only keys that start with uploads/ AND end with .csv invoke the function.",
      cli: ["aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration file://notification.json"],
      async run(ctx) {
        await putNotifications(ctx, st(ctx).bucket.name, st(ctx).config);
        return { created: [["notification", `${st(ctx).bucket.name}: uploads/*.csv → ${st(ctx).fn.name}`]], notes: [json(st(ctx).config)] };
      },
    },
    {
      title: "Classic failure 2: overlapping configurations",
      explain: 'Two configurations on one bucket may not match the same event for the same key — S3 would not know which to use. A second "uploads/ + .csv" configuration (say, for an audit function) is refused. Fan-out to several consumers goes through one SNS topic or EventBridge instead.',
      async run(ctx) {
        const first = st(ctx).config.LambdaFunctionConfigurations![0]!;
        const overlapping: NotificationConfiguration = { LambdaFunctionConfigurations: [first, { ...first, Id: "audit-copy", Events: ["s3:ObjectCreated:Put"] }] };
        return { notes: [...(await expectRejected(ctx, overlapping)), "Nothing changed: a rejected PUT never replaces the saved configuration."] };
      },
    },
    {
      title: "Upload a CSV file and read the summary",
      explain: "S3 invokes the function asynchronously with the event; the function fetches the object (events carry metadata, not content), counts the rows and writes reports/sales.json.",
      cli: ["aws s3 cp sales.csv s3://<bucket>/uploads/sales.csv", "aws s3 cp s3://<bucket>/reports/sales.json -", "aws logs tail /aws/lambda/<fn>"],
      async run(ctx) {
        const sample = SAMPLES[0]!;
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st(ctx).bucket.name, Key: sample.key, Body: sample.body }));
        const body = await waitForObject(ctx, st(ctx).bucket.name, reportKeyFor(sample.key));
        const logs = await recentLogLines(ctx, st(ctx).fn.name);
        return { created: [["report", reportKeyFor(sample.key)]], notes: [json(JSON.parse(body)), pc.bold("the function's log:"), ...logs.map((l) => pc.dim(l))] };
      },
    },
    {
      title: "Uploads the filter ignores",
      explain: "uploads/notes.txt (wrong suffix), other/sales.csv (wrong prefix), uploads/sales.csv.bak (suffix not at the end) and Uploads/capital.csv (filters are case-sensitive) invoke nothing. One more matching upload afterwards shows the trigger still works.",
      async run(ctx) {
        const Bucket = st(ctx).bucket.name;
        for (const Key of NEGATIVES) await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key, Body: "a,b\n1,2\n" }));
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket, Key: "uploads/after.csv", Body: "a\n1\n" }));
        await waitForObject(ctx, Bucket, "reports/after.json");
        const reports = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket, Prefix: "reports/" }));
        return { notes: [`reports/ now holds: ${(reports.Contents ?? []).map((o) => path.basename(o.Key!)).join(", ")}`] };
      },
    },
  ],
});
