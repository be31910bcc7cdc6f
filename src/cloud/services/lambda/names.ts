/**
 * FunctionName as the Lambda API accepts it: a name (`my-function`), a full
 * ARN (`arn:aws:lambda:us-east-1:123456789012:function:my-function`, optionally
 * `:qualifier`) or a partial ARN (`123456789012:function:my-function`). Only
 * `$LATEST` exists locally (no versions or aliases), so any other qualifier
 * names a function version that is not found.
 */
import type { RequestContext } from "../../core/context.js";
import type { Table } from "../../core/store.js";
import { constraint, functionNotFound } from "./errors.js";
import { functionArn, functionKey, type FunctionRecord } from "./state.js";

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const FULL = /^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;

export interface FunctionRef {
  account: string;
  region: string;
  name: string;
  qualifier?: string;
}

export function parseFunctionName(ctx: RequestContext, value: string, qualifier?: string | null): FunctionRef {
  let ref: FunctionRef | undefined;
  const full = FULL.exec(value);
  const partial = full ? null : PARTIAL.exec(value);
  if (full) ref = { region: full[1]!, account: full[2]!, name: full[3]!, qualifier: full[4] };
  else if (partial) ref = { region: ctx.region, account: partial[1]!, name: partial[2]!, qualifier: partial[3] };
  else if (NAME.test(value)) ref = { region: ctx.region, account: ctx.account, name: value };
  if (!ref) {
    throw constraint(value, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?");
  }
  if (qualifier) ref.qualifier = qualifier;
  return ref;
}

/** The function, or ResourceNotFoundException "Function not found: <arn>" as AWS words it. */
export function findFunction(functions: Table<FunctionRecord>, ctx: RequestContext, value: string, qualifier?: string | null): FunctionRecord {
  const ref = parseFunctionName(ctx, value, qualifier);
  const arn = functionArn(ref.account, ref.region, ref.name) + (ref.qualifier ? `:${ref.qualifier}` : "");
  const record = functions.get(functionKey(ref.account, ref.region, ref.name));
  if (!record || (ref.qualifier && ref.qualifier !== "$LATEST")) throw functionNotFound(arn);
  return record;
}

/** By full ARN (internal callers: destinations, event source mappings). Qualifier $LATEST tolerated. */
export function functionByArn(functions: Table<FunctionRecord>, arn: string): FunctionRecord | undefined {
  const m = FULL.exec(arn);
  if (!m || (m[4] && m[4] !== "$LATEST")) return undefined;
  return functions.get(functionKey(m[2]!, m[1]!, m[3]!));
}
