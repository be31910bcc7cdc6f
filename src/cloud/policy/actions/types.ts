/**
 * What the request-to-action map produces for one API request: the IAM
 * checks it needs (an action on a resource ARN, with the condition keys that
 * request supplies). Most operations need one check; some need several
 * (CopyObject reads the source and writes the target, DeleteObjects deletes
 * each key, BatchWriteItem writes each table, CreateFunction passes a role).
 */
import type { PolicyRequest } from "../contract.js";

export type ConditionValues = PolicyRequest["context"];

export interface ActionCheck {
  /** e.g. "s3:PutObject". */
  action: string;
  /** e.g. "arn:aws:s3:::photos/uploads/cat.jpg". */
  resource: string;
  /** Service-specific condition keys for this check (s3:prefix, events:source…). */
  context?: ConditionValues;
}

export interface ActionMapping {
  checks: ActionCheck[];
  /** AWS answers this operation whatever the policies say (sts:GetCallerIdentity). */
  alwaysAllowed?: boolean;
  /** The operation is not in the table: mapped to "<prefix>:<Operation>" as a best guess. */
  guessed?: boolean;
}

export interface Where {
  region: string;
  account: string;
  /** The full ARN of a resource named by name or partial ARN, when only its service knows it (a secret's random suffix). */
  resolveArn?: (service: string, id: string) => string | undefined;
  /** The permissions boundary ARN a role of this account has now (iam:PermissionsBoundary of the role-policy actions). */
  roleBoundary?: (roleName: string) => string | undefined;
  /** The function (unqualified ARN) an event source mapping of this account invokes now (lambda:FunctionArn). */
  mappingFunction?: (uuid: string) => string | undefined;
}

export type Input = Record<string, unknown>;

/** A string field of the input, or undefined. */
export function str(input: Input, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = input[name];
    if (typeof v === "string" && v !== "") return v;
    if (typeof v === "number") return String(v);
  }
  return undefined;
}

/** A list field of the input: JSON arrays, or query-protocol lists (already unflattened into arrays). */
export function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") return Object.values(value as Record<string, unknown>);
  return [];
}
