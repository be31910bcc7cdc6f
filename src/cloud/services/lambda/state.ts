/**
 * Lambda records kept in the cloud's store (they survive a restart; execution
 * environments do not): one FunctionRecord per function, keyed by
 * `account:region:name`, holding its configuration, code reference, resource
 * policy, async-invoke configuration, reserved concurrency and recursion
 * setting. Code bytes (the uploaded zip) live in the blob store.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal: { Service: string } | { AWS: string } | "*";
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface DestinationConfig {
  OnSuccess?: { Destination?: string };
  OnFailure?: { Destination?: string };
}

export interface EventInvokeConfig {
  MaximumRetryAttempts?: number;
  MaximumEventAgeInSeconds?: number;
  DestinationConfig?: DestinationConfig;
  /** Epoch seconds, as the API returns it. */
  LastModified: number;
}

export interface FunctionCode {
  /** Blob id of the uploaded zip. */
  blobId: string;
  /** base64 SHA-256 of the zip, as AWS reports CodeSha256. */
  sha256: string;
  size: number;
  /** Names the unpacked directory; changes with every code upload. */
  revision: string;
}

export interface FunctionRecord {
  account: string;
  region: string;
  name: string;
  arn: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment?: Record<string, string>;
  deadLetterTargetArn?: string;
  architectures: string[];
  ephemeralStorage: number;
  tags: Record<string, string>;
  code: FunctionCode;
  /** Changes with every code or configuration change (RevisionId). */
  revisionId: string;
  /** AWS's format: 2026-11-23T02:51:15.123+0000 */
  lastModified: string;
  state: "Pending" | "Active" | "Failed";
  stateReason?: string;
  stateReasonCode?: string;
  /** Absent while the function is being created (as AWS shows it). */
  lastUpdateStatus?: "Successful" | "InProgress" | "Failed";
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: string;
  policy?: { revisionId: string; statements: PolicyStatement[] };
  eventInvokeConfig?: EventInvokeConfig;
  reservedConcurrency?: number;
  recursiveLoop: "Terminate" | "Allow";
}

export const functionKey = (account: string, region: string, name: string) => `${account}:${region}:${name}`;
export const functionArn = (account: string, region: string, name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;

/** Lambda's LastModified format: ISO with milliseconds and a +0000 offset. */
export function lambdaTimestamp(date = new Date()): string {
  return date.toISOString().replace("Z", "+0000");
}

export function openFunctions(cloud: Cloud): Table<FunctionRecord> {
  return cloud.store.table<FunctionRecord>("lambda.functions");
}
