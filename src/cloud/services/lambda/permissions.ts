/**
 * The function's resource policy: AddPermission, GetPolicy, RemovePermission
 * (aws-behavior.md §5 "Resource policy"). Statements are written exactly as
 * AWS writes them — Sid, Effect, Principal ({"Service": …} for a service,
 * {"AWS": "arn:aws:iam::<acct>:root"} for an account id), Action, Resource,
 * then Condition with ArnLike AWS:SourceArn before StringEquals
 * AWS:SourceAccount — inside {"Version":"2012-10-17","Id":"default",…}.
 * The policy is what S3, SNS and EventBridge check before invoking (through
 * the "lambda" destination adapter's resourcePolicy).
 */
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/context.js";
import type { RestInput, RestRoute } from "../../protocols/rest-json.js";
import { conflict, constraint, resourceNotFound } from "./errors.js";
import { checkRevision } from "./functions.js";
import { findFunction } from "./names.js";
import type { LambdaService } from "./service-context.js";
import { functionKey, type FunctionRecord, type PolicyStatement } from "./state.js";

const SID = /^[a-zA-Z0-9-_]+$/;
const ACTION = /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/;
const PRINCIPAL = /^[^\s]+$/;

export function policyDocument(fn: FunctionRecord): string | undefined {
  if (!fn.policy || fn.policy.statements.length === 0) return undefined;
  return JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: fn.policy.statements });
}

function principalOf(principal: string): PolicyStatement["Principal"] {
  if (principal === "*") return "*";
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith("arn:")) return { AWS: principal };
  return { Service: principal };
}

export function permissionRoutes(svc: LambdaService): RestRoute[] {
  const save = (fn: FunctionRecord) => svc.functions.set(functionKey(fn.account, fn.region, fn.name), fn);

  function addPermission(ctx: RequestContext, input: RestInput) {
    const body = input.body;
    const sid = body.StatementId;
    if (typeof sid !== "string" || sid.length === 0) throw constraint(null, "statementId", "Member must not be null");
    if (sid.length > 100) throw constraint(sid, "statementId", "Member must have length less than or equal to 100");
    if (!SID.test(sid)) throw constraint(sid, "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
    if (typeof body.Action !== "string") throw constraint(null, "action", "Member must not be null");
    if (!ACTION.test(body.Action)) throw constraint(body.Action, "action", "Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])");
    if (typeof body.Principal !== "string") throw constraint(null, "principal", "Member must not be null");
    if (!PRINCIPAL.test(body.Principal)) throw constraint(body.Principal, "principal", "Member must satisfy regular expression pattern: [^\\s]+");
    const qualifier = input.query.get("Qualifier");
    const fn = findFunction(svc.functions, ctx, input.path.FunctionName!, qualifier);
    checkRevision(fn, body.RevisionId);
    const statements = fn.policy?.statements ?? [];
    if (statements.some((s) => s.Sid === sid)) {
      throw conflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const condition: Record<string, Record<string, string>> = {};
    if (typeof body.SourceArn === "string") condition.ArnLike = { "AWS:SourceArn": body.SourceArn };
    if (typeof body.SourceAccount === "string") condition.StringEquals = { "AWS:SourceAccount": body.SourceAccount };
    if (typeof body.PrincipalOrgID === "string") condition.StringEquals = { ...condition.StringEquals, "aws:PrincipalOrgID": body.PrincipalOrgID };
    if (typeof body.EventSourceToken === "string") condition.StringEquals = { ...condition.StringEquals, "lambda:EventSourceToken": body.EventSourceToken };
    if (typeof body.FunctionUrlAuthType === "string") condition.StringEquals = { ...condition.StringEquals, "lambda:FunctionUrlAuthType": body.FunctionUrlAuthType };
    const statement: PolicyStatement = {
      Sid: sid,
      Effect: "Allow",
      Principal: principalOf(body.Principal),
      Action: body.Action,
      Resource: qualifier ? `${fn.arn}:${qualifier}` : fn.arn,
      ...(Object.keys(condition).length ? { Condition: condition } : {}),
    };
    // AWS gives the function a new RevisionId when its policy changes.
    const revisionId = randomUUID();
    save({ ...fn, revisionId, policy: { revisionId, statements: [...statements, statement] } });
    return { Statement: JSON.stringify(statement) };
  }

  function getPolicy(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(svc.functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"));
    const policy = policyDocument(fn);
    if (!policy) throw resourceNotFound("The resource you requested does not exist.");
    return { Policy: policy, RevisionId: fn.revisionId };
  }

  function removePermission(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(svc.functions, ctx, input.path.FunctionName!, input.query.get("Qualifier"));
    const sid = input.path.StatementId!;
    const revision = input.query.get("RevisionId");
    checkRevision(fn, revision ?? undefined);
    const statements = fn.policy?.statements;
    if (!statements || statements.length === 0) throw resourceNotFound("No policy is associated with the given resource.");
    if (!statements.some((s) => s.Sid === sid)) throw resourceNotFound(`Statement ${sid} is not found in resource policy.`);
    const remaining = statements.filter((s) => s.Sid !== sid);
    const revisionId = randomUUID();
    const next: FunctionRecord = { ...fn, revisionId };
    if (remaining.length) next.policy = { revisionId, statements: remaining };
    else delete next.policy;
    save(next);
  }

  return [
    { method: "POST", path: "/2015-03-31/functions/{FunctionName}/policy", operation: "AddPermission", status: 201, handler: addPermission },
    { method: "GET", path: "/2015-03-31/functions/{FunctionName}/policy", operation: "GetPolicy", handler: getPolicy },
    { method: "DELETE", path: "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", operation: "RemovePermission", status: 204, handler: removePermission },
  ];
}
