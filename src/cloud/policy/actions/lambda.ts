/**
 * Lambda operations → IAM actions on function ARNs
 * (arn:aws:lambda:<region>:<acct>:function:<name>, with ":<qualifier>" when the
 * request names a version or alias). FunctionName may be a name, a full ARN or
 * a partial ARN ("<acct>:function:<name>"). Invoke is lambda:InvokeFunction.
 * CreateFunction (and a configuration update that changes Role) also needs
 * iam:PassRole on the execution role, with iam:PassedToService =
 * lambda.amazonaws.com, as on AWS. CreateEventSourceMapping is checked on "*" with
 * lambda:FunctionArn, as on AWS; Get/Update/DeleteEventSourceMapping on the mapping's ARN,
 * Update and Delete with lambda:FunctionArn = the mapping's function (Lambda's own lookup,
 * Where.mappingFunction) — and an Update that moves the mapping to another function is
 * checked for that function too, so a mapping cannot be moved onto a function the caller
 * may not map. GetEventSourceMapping carries no condition key (as on AWS).
 */
import type { ActionCheck, ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const RENAMED: Record<string, string> = {
  Invoke: "InvokeFunction",
  InvokeAsync: "InvokeAsync",
  InvokeWithResponseStream: "InvokeFunction",
  GetFunctionEventInvokeConfig: "GetFunctionEventInvokeConfig",
  ListTags: "ListTags",
};

const KNOWN = new Set([
  "CreateFunction", "GetFunction", "GetFunctionConfiguration", "DeleteFunction", "ListFunctions", "UpdateFunctionCode", "UpdateFunctionConfiguration",
  "Invoke", "InvokeAsync", "InvokeWithResponseStream", "AddPermission", "GetPolicy", "RemovePermission", "PutFunctionEventInvokeConfig",
  "UpdateFunctionEventInvokeConfig", "GetFunctionEventInvokeConfig", "DeleteFunctionEventInvokeConfig", "ListFunctionEventInvokeConfigs",
  "PutFunctionConcurrency", "DeleteFunctionConcurrency", "GetFunctionConcurrency", "PutFunctionRecursionConfig", "GetFunctionRecursionConfig",
  "TagResource", "UntagResource", "ListTags", "GetAccountSettings", "CreateEventSourceMapping", "GetEventSourceMapping",
  "UpdateEventSourceMapping", "DeleteEventSourceMapping", "ListEventSourceMappings", "PublishVersion", "ListVersionsByFunction",
  "CreateAlias", "GetAlias", "UpdateAlias", "DeleteAlias", "ListAliases",
]);

/** A function reference (name, ARN, partial ARN, optional ":qualifier") → its ARN. */
export function functionArn(ref: string, where: Where, qualifier?: string): string {
  let name = ref;
  let account = where.account;
  let region = where.region;
  let q = qualifier;
  const full = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/.exec(ref);
  const partial = /^(\d{12}):function:([^:]+)(?::(.+))?$/.exec(ref);
  if (full) {
    [region, account, name] = [full[1]!, full[2]!, full[3]!];
    q ??= full[4];
  } else if (partial) {
    [account, name] = [partial[1]!, partial[2]!];
    q ??= partial[3];
  } else if (ref.includes(":")) {
    [name, q] = [ref.slice(0, ref.indexOf(":")), q ?? ref.slice(ref.indexOf(":") + 1)];
  }
  const base = `arn:aws:lambda:${region}:${account}:function:${name}`;
  return q && q !== "$LATEST" ? `${base}:${q}` : base;
}

export function lambdaActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `lambda:${RENAMED[operation] ?? operation}`;
  const fn = str(input, "FunctionName");
  const checks: ActionCheck[] = [];
  const uuid = str(input, "UUID");
  const mappingArn = uuid ? `arn:aws:lambda:${where.region}:${where.account}:event-source-mapping:${uuid}` : undefined;
  if (uuid && mappingArn && (operation === "GetEventSourceMapping" || operation === "UpdateEventSourceMapping" || operation === "DeleteEventSourceMapping")) {
    const resource = mappingArn;
    if (operation === "GetEventSourceMapping") return { checks: [{ action, resource }], guessed: false };
    const current = where.mappingFunction?.(uuid);
    checks.push({ action, resource, ...(current ? { context: { "lambda:FunctionArn": current } } : {}) });
    const moved = fn ? functionArn(fn, where) : undefined;
    if (moved && moved !== current) checks.push({ action, resource, context: { "lambda:FunctionArn": moved } });
    return { checks, guessed: false };
  }
  if (operation === "CreateEventSourceMapping" && fn) {
    // AWS authorizes CreateEventSourceMapping on no resource ("*"), with the function in the
    // lambda:FunctionArn condition key (Lambda guide, "Fine-tuning the Resources and Conditions
    // sections of policies"): a statement on the function's ARN alone does not allow it.
    checks.push({ action, resource: "*", context: { "lambda:FunctionArn": functionArn(fn, where) } });
  } else if (fn) {
    checks.push({ action, resource: functionArn(fn, where, str(input, "Qualifier")) });
  } else if (str(input, "Resource")?.startsWith("arn:")) {
    checks.push({ action, resource: str(input, "Resource")! });
  } else if (mappingArn) {
    checks.push({ action, resource: mappingArn });
  } else {
    checks.push({ action, resource: "*" });
  }
  const role = str(input, "Role");
  if (role && (operation === "CreateFunction" || operation === "UpdateFunctionConfiguration")) {
    checks.push({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": "lambda.amazonaws.com" } });
  }
  return { checks, guessed: !KNOWN.has(operation) };
}
