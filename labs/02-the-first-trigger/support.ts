/**
 * Lab 02 — the kit's side of the lab (not a learner file): creating the
 * execution role and the function from the learner's pieces, the sample CSV
 * files, the summary the handler must write, and waiting for an object.
 */
import * as path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { KitContext } from "../../src/kit/context.js";
import { pace } from "../../src/kit/context.js";
import { attachRolePolicy, BASIC_EXECUTION_POLICY_ARN, createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { createFunction } from "../../src/kit/resources/lambda.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, pollUntil } from "../../src/kit/wait.js";

export const functionPurpose = "csv-summary";

export async function createExecutionRole(ctx: KitContext, trust: unknown, access: unknown): Promise<{ name: string; arn: string }> {
  const role = await createRole(ctx, ctx.names.resource("csv-role"), trust, "S3 Event Labs lab 02: execution role of the CSV summary function");
  await attachRolePolicy(ctx, role.name, BASIC_EXECUTION_POLICY_ARN);
  await putRolePolicy(ctx, role.name, "s3-access", access);
  return role;
}

export async function packageLearnerHandler(sourceDir: string): Promise<PackagedFunction> {
  return packageHandler({ entry: path.join(sourceDir, "handler.ts") });
}

export async function deployFunction(ctx: KitContext, roleArn: string, pkg: PackagedFunction): Promise<{ name: string; arn: string }> {
  return createFunction(ctx, { name: ctx.names.resource(functionPurpose), roleArn, zip: pkg.zip, handler: pkg.handler, timeoutSeconds: 10, memoryMb: 256 });
}

/** Where the handler must write the summary of an upload. */
export function reportKeyFor(uploadKey: string): string {
  return `reports/${uploadKey.slice("uploads/".length).replace(/\.csv$/, "")}.json`;
}

export interface Summary {
  source: string;
  rows: number;
  columns: string[];
}

export { NEGATIVES, SAMPLES } from "./test-data.js";

/** Wait until an object exists and return its body (polling; no fixed sleep). */
export async function waitForObject(ctx: KitContext, bucket: string, key: string, timeoutMs = ctx.target.kind === "aws" ? 60_000 : 10_000): Promise<string> {
  const p = pace(ctx);
  return pollUntil(
    async () => {
      try {
        const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await out.Body!.transformToString();
      } catch (err) {
        if (errorCode(err) === "NoSuchKey" || errorCode(err) === "NotFound") return undefined;
        throw err;
      }
    },
    { timeoutMs, intervalMs: p.intervalMs * 2, maxIntervalMs: p.maxIntervalMs, what: `s3://${bucket}/${key}`, onWait: () => ctx.status(`waiting for ${key}…`) },
  );
}

/** The function's recent log lines (for explanations and for hints when a summary is missing). */
export async function recentLogLines(ctx: KitContext, functionName: string, limit = 12): Promise<string[]> {
  try {
    const out = await ctx.clients.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}`, limit: 200 }));
    return (out.events ?? []).map((e) => (e.message ?? "").trimEnd()).filter((m) => m && !m.startsWith("REPORT") && !m.startsWith("END")).slice(-limit);
  } catch {
    return [];
  }
}
