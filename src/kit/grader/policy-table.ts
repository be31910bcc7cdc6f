/**
 * Policies are judged by what they allow, not by how they are written
 * (issue 13, item 1). A lab author writes a table beside the check
 * (labs/NN-…/policy-requests.ts): requests the learner's document must allow
 * (what the lab needs) and requests it must deny (other principals, buckets,
 * accounts, prefixes — sub-folders of the trigger prefix and look-alike names
 * included —, other actions, missing conditions). `judgePolicy` runs every
 * request through the policy evaluator and reports each wrong decision with
 * the request and the statement that made it, so any equivalent form passes
 * (arrays or strings, ArnLike/ArnEquals/StringEquals, `arn:aws:s3:*:*:<bucket>`,
 * one statement or several) and any extra statement that grants more fails.
 *
 * The evaluator is src/cloud/policy/evaluate.ts — the one documented exception
 * to "the kit never imports src/cloud/" (docs/architecture.md): it is a pure
 * library (JSON in, decision out; test/kit/policy-boundary.test.ts keeps its
 * import closure inside src/cloud/policy/), and the judgement is offline, on
 * the document the learner wrote, so it is the same on --target aws.
 *
 * By design: the evaluator implements AWS's documented evaluation logic; where
 * a policy relies on something it does not evaluate (permission boundaries,
 * SCPs, tags), the judgement may differ from AWS — none of the labs' policies do.
 */
import { evaluatePolicies } from "../../cloud/policy/evaluate.js";
import type { PolicyDecision, PolicyPrincipal, PolicyRequest } from "../../cloud/policy/contract.js";

/** Who makes a request: an AWS service, a role in some account, or anyone at all. */
export type Caller = { service: string } | { account: string; role?: string } | "anonymous";

export interface PolicyCase {
  /** Why this request must be allowed or denied — shown in the failure ("the function writes its report"). */
  why: string;
  /** Default: the table's `caller`. */
  caller?: Caller;
  action: string;
  resource: string;
  /** aws:SourceArn / aws:SourceAccount a service sends; omit one to model "the condition's key is missing". */
  sourceArn?: string;
  sourceAccount?: string;
  context?: Record<string, string>;
}

export interface PolicyTable {
  /** How messages name the document: "the queue policy", "the execution role's policy"… */
  name: string;
  /**
   * "identity": the document is attached to the caller (an execution role's policy), evaluated for a
   * role session of `account`. "resource": the document is attached to the resource (queue, topic,
   * function and trust policies), evaluated for `caller`; a caller of another account is assumed to
   * be allowed everything by its own account (that is the attacker's side), so only this document
   * stands between them and the resource.
   */
  kind: "identity" | "resource";
  /** The account that owns the resource (and the role, for identity policies). */
  account: string;
  /** Default caller of the cases. */
  caller?: Caller;
  mustAllow: PolicyCase[];
  mustDeny: PolicyCase[];
}

export interface PolicyVerdict {
  /** Requests the document should allow but does not, each with the evaluator's explanation. */
  missing: Array<{ request: PolicyCase; explanation: string; hints: string[] }>;
  /** Requests the document allows but must not, each with the statement that allows it. */
  tooBroad: Array<{ request: PolicyCase; statement: string }>;
}

const ADMIN = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

function principalOf(caller: Caller): PolicyPrincipal {
  if (caller === "anonymous") return { type: "Anonymous" };
  if ("service" in caller) return { type: "Service", service: caller.service };
  const role = caller.role ?? "grader-probe";
  return { type: "AWS", account: caller.account, arn: `arn:aws:sts::${caller.account}:assumed-role/${role}/probe`, roleArn: `arn:aws:iam::${caller.account}:role/${role}` };
}

function decide(document: string, table: PolicyTable, c: PolicyCase): PolicyDecision {
  const caller = c.caller ?? table.caller ?? { account: table.account };
  const principal = principalOf(caller);
  const now = new Date();
  const request: PolicyRequest = {
    principal,
    action: c.action,
    resource: c.resource,
    context: {
      "aws:SourceArn": c.sourceArn,
      "aws:SourceAccount": c.sourceAccount,
      "aws:SecureTransport": "true",
      "aws:CurrentTime": now.toISOString(),
      "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
      ...(principal.type === "Service" ? { "aws:PrincipalServiceName": principal.service } : {}),
      ...(principal.type === "AWS" ? { "aws:PrincipalAccount": principal.account } : {}),
      ...c.context,
    },
  };
  const policy = { name: table.name, document };
  if (table.kind === "identity") return evaluatePolicies(request, { identity: [policy], resourceAccount: table.account });
  // The other side of a cross-account request allows itself everything: only this document may stop it.
  const identity = principal.type === "AWS" && principal.account !== table.account ? [{ name: "the caller's own administrator policy", document: ADMIN }] : [];
  return evaluatePolicies(request, { identity, resource: policy, resourceAccount: table.account });
}

/** Run the document through the table. The document may be an object (as a learner's function returns it) or JSON text. */
export function judgePolicy(document: unknown, table: PolicyTable): PolicyVerdict {
  const text = typeof document === "string" ? document : JSON.stringify(document ?? null);
  const verdict: PolicyVerdict = { missing: [], tooBroad: [] };
  for (const c of table.mustAllow) {
    const d = decide(text, table, c);
    if (d.decision !== "Allow") verdict.missing.push({ request: c, explanation: d.explanation, hints: d.hints ?? [] });
  }
  for (const c of table.mustDeny) {
    const d = decide(text, table, c);
    if (d.decision === "Allow") verdict.tooBroad.push({ request: c, statement: d.statement?.sid ? `statement "${d.statement.sid}"` : (/allowed by (.*?) of /.exec(d.explanation)?.[1] ?? "a statement") });
  }
  return verdict;
}

/** A request as a learner reads it: who, what, on what, with which source. */
export function describeRequest(c: PolicyCase, table: PolicyTable): string {
  const caller = c.caller ?? table.caller ?? { account: table.account };
  const who = caller === "anonymous" ? "anyone (no credentials)" : "service" in caller ? caller.service : caller.account === table.account ? `a role in this account` : `a role in account ${caller.account}`;
  const source = [c.sourceArn ? `aws:SourceArn ${c.sourceArn}` : "", c.sourceAccount ? `aws:SourceAccount ${c.sourceAccount}` : ""].filter(Boolean).join(", ");
  const from = "service" in (typeof caller === "object" ? caller : {}) ? (source ? ` (${source})` : " (no aws:SourceArn / aws:SourceAccount)") : "";
  return `${who} → ${c.action} on ${c.resource}${from}`;
}

/** The verdict as failure lines (at most `limit`), or [] when the document is right. */
export function policyProblems(document: unknown, table: PolicyTable, limit = 4): string[] {
  const v = judgePolicy(document, table);
  const lines = [
    ...v.missing.map((m) => `${table.name} must allow ${describeRequest(m.request, table)} — ${m.request.why}; it does not${m.hints[0] ? ` (${m.hints[0]})` : ""}`),
    ...v.tooBroad.map((t) => `${table.name} allows ${describeRequest(t.request, table)} (by its ${t.statement}) — it must not: ${t.request.why}`),
  ];
  return lines.length > limit ? [...lines.slice(0, limit), `… and ${lines.length - limit} more wrong decision(s)`] : lines;
}

export const OTHER_ACCOUNT = "111122223333";

/**
 * The standard table rows for "an AWS service may do X to this resource, on behalf of one source
 * in one account" (S3 → queue, topic or function): the request that must be allowed, and the ones a
 * scoped grant must refuse — another source, a look-alike source name, the same source name in
 * another account, either condition key missing, another service, another account, anyone.
 */
export function serviceGrantCases(g: { service: string; action: string; resource: string; sourceArn: string; account: string; why: string }): Pick<PolicyTable, "mustAllow" | "mustDeny"> {
  const base = { caller: { service: g.service }, action: g.action, resource: g.resource };
  const otherSource = g.sourceArn.replace(/[^:/]+$/, "someone-elses-source");
  return {
    mustAllow: [{ why: g.why, ...base, sourceArn: g.sourceArn, sourceAccount: g.account }],
    mustDeny: [
      { why: "another source is not yours", ...base, sourceArn: otherSource, sourceAccount: g.account },
      { why: "a look-alike name is another source", ...base, sourceArn: `${g.sourceArn}-copy`, sourceAccount: g.account },
      { why: "the same name in another account is not yours (names are reused after deletion): condition on aws:SourceAccount", ...base, sourceArn: g.sourceArn, sourceAccount: OTHER_ACCOUNT },
      { why: "without aws:SourceArn the request is not from your source", ...base, sourceAccount: g.account },
      { why: "without aws:SourceAccount the source could belong to anyone", ...base, sourceArn: g.sourceArn },
      { why: `only ${g.service} may`, ...base, caller: { service: g.service === "sns.amazonaws.com" ? "s3.amazonaws.com" : "sns.amazonaws.com" }, sourceArn: g.sourceArn, sourceAccount: g.account },
      { why: "another account may not", ...base, caller: { account: OTHER_ACCOUNT } },
      { why: "anonymous callers may not", ...base, caller: "anonymous" },
    ],
  };
}

/** A trust policy: only `service` may assume the role. */
export function trustPolicyTable(g: { roleArn: string; account: string; service: string; why: string }): PolicyTable {
  const assume = { action: "sts:AssumeRole", resource: g.roleArn };
  return {
    name: "the trust policy",
    kind: "resource",
    account: g.account,
    mustAllow: [{ why: g.why, caller: { service: g.service }, ...assume }],
    mustDeny: [
      { why: "only the function's service may assume its role", caller: { service: "ec2.amazonaws.com" }, ...assume },
      { why: "only the function's service may assume its role", caller: { service: "sns.amazonaws.com" }, ...assume },
      { why: "another account must not get the role's permissions", caller: { account: OTHER_ACCOUNT }, ...assume },
      { why: "anonymous callers must not get the role's permissions", caller: "anonymous", ...assume },
    ],
  };
}
