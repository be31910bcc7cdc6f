/**
 * Table-driven tests of the policy evaluator (src/cloud/policy/evaluate.ts):
 * wildcards, NotAction/NotResource, deny overrides, every condition operator,
 * missing keys with and without IfExists, set qualifiers, policy variables,
 * principals, identity vs resource policies. Each row is one request against
 * one set of policies and the decision AWS's evaluation logic gives.
 */
import { describe, expect, it } from "vitest";
import { allowsServicePrincipal, evaluatePolicies, evaluateResourcePolicy, type PolicyPrincipal, type PolicyRequest } from "../../src/cloud/policy/evaluate.js";

const ACCT = "000000000000";
const ROLE_ARN = `arn:aws:iam::${ACCT}:role/thumbnail-role`;
const SESSION: PolicyPrincipal = { type: "AWS", arn: `arn:aws:sts::${ACCT}:assumed-role/thumbnail-role/s1`, account: ACCT, roleArn: ROLE_ARN };
const OTHER_SESSION: PolicyPrincipal = { type: "AWS", arn: `arn:aws:sts::111111111111:assumed-role/other/s1`, account: "111111111111" };
const S3_SERVICE: PolicyPrincipal = { type: "Service", service: "s3.amazonaws.com" };

type Effect = "Allow" | "Deny";
const stmt = (effect: Effect, body: Record<string, unknown>) => ({ Effect: effect, ...body });
const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
/** An identity policy with one statement. */
const allow = (action: unknown, resource: unknown = "*", condition?: unknown) => doc(stmt("Allow", { Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }));
const deny = (action: unknown, resource: unknown = "*", condition?: unknown) => doc(stmt("Deny", { Action: action, Resource: resource, ...(condition ? { Condition: condition } : {}) }));
/** An identity policy allowing s3:GetObject everywhere under one condition (for operator rows). */
const when = (condition: Record<string, unknown>) => allow("s3:GetObject", "*", condition);

interface Row {
  name: string;
  identity?: string[];
  resource?: string;
  resourceAccount?: string;
  principal?: PolicyPrincipal;
  action?: string;
  arn?: string;
  context?: PolicyRequest["context"];
  expect: "Allow" | "ExplicitDeny" | "ImplicitDeny";
  explain?: RegExp;
}

const OBJ = "arn:aws:s3:::photos/uploads/cat.jpg";

const rows: Row[] = [
  // — actions and wildcards —
  { name: "exact action allows", identity: [allow("s3:GetObject")], expect: "Allow" },
  { name: "action match is case-insensitive", identity: [allow("S3:getobject")], expect: "Allow" },
  { name: "service wildcard s3:*", identity: [allow("s3:*")], expect: "Allow" },
  { name: "global wildcard *", identity: [allow("*")], expect: "Allow" },
  { name: "prefix wildcard s3:Get*", identity: [allow("s3:Get*")], expect: "Allow" },
  { name: "? matches one character", identity: [allow("s3:?etObject")], expect: "Allow" },
  { name: "? does not match two characters", identity: [allow("s3:?Object")], expect: "ImplicitDeny" },
  { name: "other action does not allow", identity: [allow("s3:PutObject")], expect: "ImplicitDeny", explain: /no statement in .* allows it/ },
  { name: "action list is OR", identity: [allow(["s3:PutObject", "s3:GetObject"])], expect: "Allow" },
  { name: "other service's wildcard does not allow", identity: [allow("sqs:*")], expect: "ImplicitDeny" },
  { name: "no policies at all is implicit deny", identity: [], expect: "ImplicitDeny", explain: /there is no policy/ },
  // — NotAction —
  { name: "NotAction allows everything else", identity: [doc(stmt("Allow", { NotAction: "iam:*", Resource: "*" }))], expect: "Allow" },
  { name: "NotAction excludes the named action", identity: [doc(stmt("Allow", { NotAction: "s3:GetObject", Resource: "*" }))], expect: "ImplicitDeny" },
  { name: "NotAction wildcard excludes", identity: [doc(stmt("Allow", { NotAction: "s3:*", Resource: "*" }))], expect: "ImplicitDeny" },
  { name: "Deny with NotAction denies the rest", identity: [allow("*"), doc(stmt("Deny", { NotAction: "s3:PutObject", Resource: "*" }))], expect: "ExplicitDeny" },
  // — resources —
  { name: "exact object ARN", identity: [allow("s3:GetObject", OBJ)], expect: "Allow" },
  { name: "prefix wildcard on key", identity: [allow("s3:GetObject", "arn:aws:s3:::photos/uploads/*")], expect: "Allow" },
  { name: "wildcard on the wrong prefix", identity: [allow("s3:GetObject", "arn:aws:s3:::photos/output/*")], expect: "ImplicitDeny", explain: /hint|does not cover|allows it/ },
  { name: "resource match is case-sensitive", identity: [allow("s3:GetObject", "arn:aws:s3:::Photos/*")], expect: "ImplicitDeny" },
  { name: "bucket ARN does not cover its objects", identity: [allow("s3:GetObject", "arn:aws:s3:::photos")], expect: "ImplicitDeny" },
  { name: "? in resource", identity: [allow("s3:GetObject", "arn:aws:s3:::photos/uploads/ca?.jpg")], expect: "Allow" },
  { name: "resource list is OR", identity: [allow("s3:GetObject", ["arn:aws:s3:::x/*", "arn:aws:s3:::photos/*"])], expect: "Allow" },
  { name: "NotResource allows other resources", identity: [doc(stmt("Allow", { Action: "s3:*", NotResource: "arn:aws:s3:::secret/*" }))], expect: "Allow" },
  { name: "NotResource excludes the named resource", identity: [doc(stmt("Allow", { Action: "s3:*", NotResource: "arn:aws:s3:::photos/*" }))], expect: "ImplicitDeny" },
  { name: "region/account wildcards in a table ARN", identity: [allow("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/ImageMetadata")], action: "dynamodb:PutItem", arn: `arn:aws:dynamodb:us-east-1:${ACCT}:table/ImageMetadata`, expect: "Allow" },
  { name: "table ARN names another table", identity: [allow("dynamodb:PutItem", `arn:aws:dynamodb:us-east-1:${ACCT}:table/Other`)], action: "dynamodb:PutItem", arn: `arn:aws:dynamodb:us-east-1:${ACCT}:table/ImageMetadata`, expect: "ImplicitDeny" },
  // — deny overrides —
  { name: "deny in the same policy wins", identity: [doc(stmt("Allow", { Action: "s3:*", Resource: "*" }), stmt("Deny", { Action: "s3:GetObject", Resource: OBJ }))], expect: "ExplicitDeny", explain: /explicitly denied by statement #2/ },
  { name: "deny in another policy wins", identity: [allow("s3:*"), deny("s3:GetObject")], expect: "ExplicitDeny" },
  { name: "deny on another resource does not apply", identity: [allow("s3:*"), deny("s3:GetObject", "arn:aws:s3:::secret/*")], expect: "Allow" },
  { name: "deny names its Sid", identity: [doc({ Sid: "NoReads", Effect: "Deny", Action: "s3:GetObject", Resource: "*" })], expect: "ExplicitDeny", explain: /statement "NoReads"/ },
  { name: "deny in the resource policy wins over identity allow", identity: [allow("s3:*")], resource: doc(stmt("Deny", { Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::photos/*" })), expect: "ExplicitDeny" },
  { name: "deny with an unmet condition does not apply", identity: [allow("s3:*"), deny("s3:*", "*", { Bool: { "aws:SecureTransport": "false" } })], context: { "aws:SecureTransport": "true" }, expect: "Allow" },
  { name: "deny with a met condition applies", identity: [allow("s3:*"), deny("s3:*", "*", { Bool: { "aws:SecureTransport": "false" } })], context: { "aws:SecureTransport": "false" }, expect: "ExplicitDeny" },
  // — string operators —
  { name: "StringEquals matches", identity: [when({ StringEquals: { "s3:prefix": "uploads/" } })], context: { "s3:prefix": "uploads/" }, expect: "Allow" },
  { name: "StringEquals is case-sensitive", identity: [when({ StringEquals: { "s3:prefix": "Uploads/" } })], context: { "s3:prefix": "uploads/" }, expect: "ImplicitDeny", explain: /condition StringEquals s3:prefix/ },
  { name: "StringEquals values are OR", identity: [when({ StringEquals: { "s3:prefix": ["a/", "uploads/"] } })], context: { "s3:prefix": "uploads/" }, expect: "Allow" },
  { name: "condition key names are case-insensitive", identity: [when({ StringEquals: { "AWS:SourceAccount": ACCT } })], context: { "aws:sourceaccount": ACCT }, expect: "Allow" },
  { name: "StringNotEquals with a different value", identity: [when({ StringNotEquals: { "s3:prefix": "private/" } })], context: { "s3:prefix": "uploads/" }, expect: "Allow" },
  { name: "StringNotEquals values are NOR", identity: [when({ StringNotEquals: { "s3:prefix": ["private/", "uploads/"] } })], context: { "s3:prefix": "uploads/" }, expect: "ImplicitDeny" },
  { name: "StringEqualsIgnoreCase", identity: [when({ StringEqualsIgnoreCase: { "s3:prefix": "UPLOADS/" } })], context: { "s3:prefix": "uploads/" }, expect: "Allow" },
  { name: "StringNotEqualsIgnoreCase", identity: [when({ StringNotEqualsIgnoreCase: { "s3:prefix": "UPLOADS/" } })], context: { "s3:prefix": "uploads/" }, expect: "ImplicitDeny" },
  { name: "StringLike with *", identity: [when({ StringLike: { "s3:prefix": "uploads/*" } })], context: { "s3:prefix": "uploads/2026/" }, expect: "Allow" },
  { name: "StringLike with ?", identity: [when({ StringLike: { "s3:prefix": "upload?/" } })], context: { "s3:prefix": "uploads/" }, expect: "Allow" },
  { name: "StringNotLike", identity: [when({ StringNotLike: { "s3:prefix": "private/*" } })], context: { "s3:prefix": "private/x" }, expect: "ImplicitDeny" },
  // — numeric —
  { name: "NumericEquals", identity: [when({ NumericEquals: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "10" }, expect: "Allow" },
  { name: "NumericNotEquals", identity: [when({ NumericNotEquals: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "10" }, expect: "ImplicitDeny" },
  { name: "NumericLessThan", identity: [when({ NumericLessThan: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "9" }, expect: "Allow" },
  { name: "NumericLessThan at the bound", identity: [when({ NumericLessThan: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "10" }, expect: "ImplicitDeny" },
  { name: "NumericLessThanEquals", identity: [when({ NumericLessThanEquals: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "10" }, expect: "Allow" },
  { name: "NumericGreaterThan", identity: [when({ NumericGreaterThan: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "11" }, expect: "Allow" },
  { name: "NumericGreaterThanEquals", identity: [when({ NumericGreaterThanEquals: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "9" }, expect: "ImplicitDeny" },
  { name: "Numeric with a non-number is false", identity: [when({ NumericEquals: { "s3:max-keys": "10" } })], context: { "s3:max-keys": "ten" }, expect: "ImplicitDeny" },
  // — dates —
  { name: "DateLessThan (future bound)", identity: [when({ DateLessThan: { "aws:CurrentTime": "2099-01-01T00:00:00Z" } })], context: { "aws:CurrentTime": "2026-11-23T00:00:00Z" }, expect: "Allow" },
  { name: "DateGreaterThan (future bound)", identity: [when({ DateGreaterThan: { "aws:CurrentTime": "2099-01-01T00:00:00Z" } })], context: { "aws:CurrentTime": "2026-11-23T00:00:00Z" }, expect: "ImplicitDeny" },
  { name: "DateEquals with epoch seconds", identity: [when({ DateEquals: { "aws:EpochTime": "1700000000" } })], context: { "aws:EpochTime": "2023-11-14T22:13:20Z" }, expect: "Allow" },
  { name: "DateNotEquals", identity: [when({ DateNotEquals: { "aws:CurrentTime": "2026-11-23T00:00:00Z" } })], context: { "aws:CurrentTime": "2026-11-23T00:00:00Z" }, expect: "ImplicitDeny" },
  { name: "DateLessThanEquals", identity: [when({ DateLessThanEquals: { "aws:CurrentTime": "2026-11-23T00:00:00Z" } })], context: { "aws:CurrentTime": "2026-11-23T00:00:00Z" }, expect: "Allow" },
  { name: "DateGreaterThanEquals", identity: [when({ DateGreaterThanEquals: { "aws:CurrentTime": "2026-11-23T00:00:00Z" } })], context: { "aws:CurrentTime": "2026-11-22T23:59:59Z" }, expect: "ImplicitDeny" },
  // — bool, binary, ip —
  { name: "Bool true", identity: [when({ Bool: { "aws:SecureTransport": "true" } })], context: { "aws:SecureTransport": "true" }, expect: "Allow" },
  { name: "Bool false vs true", identity: [when({ Bool: { "aws:SecureTransport": "true" } })], context: { "aws:SecureTransport": "false" }, expect: "ImplicitDeny" },
  { name: "Bool accepts JSON booleans", identity: [when({ Bool: { "aws:SecureTransport": false } })], context: { "aws:SecureTransport": "false" }, expect: "Allow" },
  { name: "BinaryEquals", identity: [when({ BinaryEquals: { "k:bin": "QmluYXJ5" } })], context: { "k:bin": "QmluYXJ5" }, expect: "Allow" },
  { name: "IpAddress in an IPv4 block", identity: [when({ IpAddress: { "aws:SourceIp": "127.0.0.0/8" } })], context: { "aws:SourceIp": "127.0.0.1" }, expect: "Allow" },
  { name: "IpAddress with an IPv4-mapped IPv6 caller", identity: [when({ IpAddress: { "aws:SourceIp": "127.0.0.0/8" } })], context: { "aws:SourceIp": "::ffff:127.0.0.1" }, expect: "Allow" },
  { name: "IpAddress outside the block", identity: [when({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } })], context: { "aws:SourceIp": "127.0.0.1" }, expect: "ImplicitDeny" },
  { name: "IpAddress IPv6 block", identity: [when({ IpAddress: { "aws:SourceIp": "2001:db8::/32" } })], context: { "aws:SourceIp": "2001:db8:1::5" }, expect: "Allow" },
  { name: "IpAddress single host", identity: [when({ IpAddress: { "aws:SourceIp": "203.0.113.7" } })], context: { "aws:SourceIp": "203.0.113.8" }, expect: "ImplicitDeny" },
  { name: "NotIpAddress", identity: [when({ NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } })], context: { "aws:SourceIp": "127.0.0.1" }, expect: "Allow" },
  // — ARN operators —
  { name: "ArnEquals", identity: [when({ ArnEquals: { "aws:SourceArn": "arn:aws:s3:::photos" } })], context: { "aws:SourceArn": "arn:aws:s3:::photos" }, expect: "Allow" },
  { name: "ArnLike with wildcard", identity: [when({ ArnLike: { "aws:SourceArn": "arn:aws:s3:::photo*" } })], context: { "aws:SourceArn": "arn:aws:s3:::photos" }, expect: "Allow" },
  { name: "ArnLike other bucket", identity: [when({ ArnLike: { "aws:SourceArn": "arn:aws:s3:::other" } })], context: { "aws:SourceArn": "arn:aws:s3:::photos" }, expect: "ImplicitDeny", explain: /ArnLike aws:SourceArn/ },
  { name: "ArnLike wildcard stays inside its ARN part", identity: [when({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:topic" } })], context: { "aws:SourceArn": `arn:aws:sns:us-east-1:${ACCT}:topic` }, expect: "ImplicitDeny" },
  { name: "ArnNotEquals", identity: [when({ ArnNotEquals: { "aws:SourceArn": "arn:aws:s3:::photos" } })], context: { "aws:SourceArn": "arn:aws:s3:::photos" }, expect: "ImplicitDeny" },
  { name: "ArnNotLike", identity: [when({ ArnNotLike: { "aws:SourceArn": "arn:aws:s3:::x*" } })], context: { "aws:SourceArn": "arn:aws:s3:::photos" }, expect: "Allow" },
  // — missing keys, IfExists, Null —
  { name: "missing key: positive operator is false", identity: [when({ StringEquals: { "s3:prefix": "uploads/" } })], expect: "ImplicitDeny", explain: /the request has no s3:prefix/ },
  { name: "missing key: negated operator is true", identity: [when({ StringNotEquals: { "s3:prefix": "private/" } })], expect: "Allow" },
  { name: "missing key with IfExists is true", identity: [when({ StringEqualsIfExists: { "s3:prefix": "uploads/" } })], expect: "Allow" },
  { name: "present key with IfExists is checked", identity: [when({ StringEqualsIfExists: { "s3:prefix": "uploads/" } })], context: { "s3:prefix": "private/" }, expect: "ImplicitDeny" },
  { name: "NumericLessThanIfExists missing", identity: [when({ NumericLessThanIfExists: { "s3:max-keys": "5" } })], expect: "Allow" },
  { name: "ArnLikeIfExists present and matching", identity: [when({ ArnLikeIfExists: { "aws:SourceArn": "arn:aws:s3:::photos" } })], context: { "aws:SourceArn": "arn:aws:s3:::photos" }, expect: "Allow" },
  { name: "Null true: key absent", identity: [when({ Null: { "aws:TokenIssueTime": "true" } })], expect: "Allow" },
  { name: "Null true: key present", identity: [when({ Null: { "aws:TokenIssueTime": "true" } })], context: { "aws:TokenIssueTime": "2026-01-01T00:00:00Z" }, expect: "ImplicitDeny" },
  { name: "Null false: key present", identity: [when({ Null: { "s3:prefix": "false" } })], context: { "s3:prefix": "" + "a" }, expect: "Allow" },
  // — AND / OR across keys and operators —
  { name: "two keys under one operator are AND (one fails)", identity: [when({ StringEquals: { "s3:prefix": "uploads/", "s3:delimiter": "/" } })], context: { "s3:prefix": "uploads/", "s3:delimiter": "|" }, expect: "ImplicitDeny" },
  { name: "two operators are AND (both hold)", identity: [when({ StringEquals: { "s3:prefix": "uploads/" }, Bool: { "aws:SecureTransport": "false" } })], context: { "s3:prefix": "uploads/", "aws:SecureTransport": "false" }, expect: "Allow" },
  // — set qualifiers —
  { name: "ForAnyValue: one value matches", identity: [when({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["env", "team"] } })], context: { "aws:TagKeys": ["owner", "team"] }, expect: "Allow" },
  { name: "ForAnyValue: none matches", identity: [when({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } })], context: { "aws:TagKeys": ["owner", "team"] }, expect: "ImplicitDeny" },
  { name: "ForAnyValue: missing key is false", identity: [when({ "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } })], expect: "ImplicitDeny" },
  { name: "ForAllValues: every value allowed", identity: [when({ "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } })], context: { "aws:TagKeys": ["team", "env"] }, expect: "Allow" },
  { name: "ForAllValues: one value not allowed", identity: [when({ "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } })], context: { "aws:TagKeys": ["env", "owner"] }, expect: "ImplicitDeny" },
  { name: "ForAllValues: missing key is true", identity: [when({ "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } })], expect: "Allow" },
  { name: "ForAllValues:StringLike", identity: [when({ "ForAllValues:StringLike": { "aws:TagKeys": ["app-*"] } })], context: { "aws:TagKeys": ["app-a", "app-b"] }, expect: "Allow" },
  { name: "unknown operator fails closed", identity: [when({ StringSortOf: { "s3:prefix": "a" } })], context: { "s3:prefix": "a" }, expect: "ImplicitDeny", explain: /not one the local cloud knows/ },
  // — policy variables —
  { name: "${aws:username} in a resource", identity: [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")], arn: "arn:aws:s3:::home/alice/notes.txt", context: { "aws:username": "alice" }, expect: "Allow" },
  { name: "${aws:username} for another user", identity: [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")], arn: "arn:aws:s3:::home/bob/notes.txt", context: { "aws:username": "alice" }, expect: "ImplicitDeny" },
  { name: "missing variable makes the element not match", identity: [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")], arn: "arn:aws:s3:::home/alice/notes.txt", expect: "ImplicitDeny" },
  { name: "variable with a default", identity: [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username, 'shared'}/*")], arn: "arn:aws:s3:::home/shared/x", expect: "Allow" },
  { name: "${*} is a literal star", identity: [allow("s3:GetObject", "arn:aws:s3:::b/${*}")], arn: "arn:aws:s3:::b/anything", expect: "ImplicitDeny" },
  { name: "${*} matches a real star", identity: [allow("s3:GetObject", "arn:aws:s3:::b/${*}")], arn: "arn:aws:s3:::b/*", expect: "Allow" },
  { name: "variables in a condition value", identity: [when({ StringEquals: { "aws:PrincipalAccount": "${aws:ResourceAccount}" } })], context: { "aws:PrincipalAccount": ACCT, "aws:ResourceAccount": ACCT }, expect: "Allow" },
  { name: "no variables in 2008-10-17 policies", identity: [JSON.stringify({ Version: "2008-10-17", Statement: [stmt("Allow", { Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/*" })] })], arn: "arn:aws:s3:::home/alice/x", context: { "aws:username": "alice" }, expect: "ImplicitDeny" },
  // — resource policies and principals —
  { name: "same-account resource policy alone allows", identity: [], resource: doc(stmt("Allow", { Principal: { AWS: ROLE_ARN }, Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/*" })), expect: "Allow", explain: /resource policy/ },
  { name: "resource policy naming the account id delegates to identity policies", resource: doc(stmt("Allow", { Principal: { AWS: ACCT }, Action: "s3:GetObject", Resource: "*" })), expect: "ImplicitDeny", explain: /delegates to the caller's identity policies/ },
  { name: "account root principal + identity allow", identity: [allow("s3:GetObject")], resource: doc(stmt("Allow", { Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "s3:GetObject", Resource: "*" })), expect: "Allow" },
  { name: "account root principal alone does not allow", resource: doc(stmt("Allow", { Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "s3:GetObject", Resource: "*" })), expect: "ImplicitDeny" },
  { name: "AWS * principal allows alone", resource: doc(stmt("Allow", { Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "*" })), expect: "Allow" },
  { name: "resource policy naming the session ARN", resource: doc(stmt("Allow", { Principal: { AWS: SESSION.type === "AWS" ? SESSION.arn : "" }, Action: "s3:GetObject", Resource: "*" })), expect: "Allow" },
  { name: "resource policy naming another role", resource: doc(stmt("Allow", { Principal: { AWS: `arn:aws:iam::${ACCT}:role/other` }, Action: "s3:GetObject", Resource: "*" })), expect: "ImplicitDeny", explain: /Principal does not name/ },
  { name: "resource policy naming the role (no roleArn on principal) by session ARN", principal: { type: "AWS", arn: SESSION.type === "AWS" ? SESSION.arn : "", account: ACCT }, resource: doc(stmt("Allow", { Principal: { AWS: ROLE_ARN }, Action: "s3:GetObject", Resource: "*" })), expect: "Allow" },
  { name: "Principal * allows anyone", resource: doc(stmt("Allow", { Principal: "*", Action: "s3:GetObject", Resource: "*" })), expect: "Allow" },
  { name: "NotPrincipal excludes the caller", resource: doc(stmt("Allow", { NotPrincipal: { AWS: ROLE_ARN }, Action: "s3:GetObject", Resource: "*" })), expect: "ImplicitDeny" },
  { name: "NotPrincipal with Deny denies everyone else", identity: [allow("s3:*")], resource: doc(stmt("Deny", { NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:role/admin` }, Action: "s3:*", Resource: "*" })), expect: "ExplicitDeny" },
  { name: "resource statement without Principal never applies", resource: doc(stmt("Allow", { Action: "s3:GetObject", Resource: "*" })), expect: "ImplicitDeny" },
  { name: "service principal allowed by Service", principal: S3_SERVICE, action: "sqs:SendMessage", arn: `arn:aws:sqs:us-east-1:${ACCT}:q`, resource: doc(stmt("Allow", { Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: `arn:aws:sqs:us-east-1:${ACCT}:q` })), expect: "Allow" },
  { name: "service principal ignores identity policies", principal: S3_SERVICE, identity: [allow("*")], action: "sqs:SendMessage", arn: `arn:aws:sqs:us-east-1:${ACCT}:q`, expect: "ImplicitDeny" },
  { name: "other service is not named", principal: S3_SERVICE, action: "sqs:SendMessage", resource: doc(stmt("Allow", { Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "*" })), expect: "ImplicitDeny" },
  { name: "account principal does not match a service", principal: S3_SERVICE, action: "sqs:SendMessage", resource: doc(stmt("Allow", { Principal: { AWS: ACCT }, Action: "sqs:SendMessage", Resource: "*" })), expect: "ImplicitDeny" },
  { name: "cross-account: resource policy alone is not enough", principal: OTHER_SESSION, resourceAccount: ACCT, resource: doc(stmt("Allow", { Principal: { AWS: "111111111111" }, Action: "s3:GetObject", Resource: "*" })), expect: "ImplicitDeny", explain: /both an identity policy and the resource policy/ },
  { name: "cross-account: both sides allow", principal: OTHER_SESSION, resourceAccount: ACCT, identity: [allow("s3:GetObject")], resource: doc(stmt("Allow", { Principal: { AWS: "111111111111" }, Action: "s3:GetObject", Resource: "*" })), expect: "Allow" },
  { name: "identity Principal element is ignored", identity: [doc(stmt("Allow", { Principal: { AWS: "999999999999" }, Action: "s3:GetObject", Resource: "*" }))], expect: "Allow" },
  // — malformed input —
  { name: "unreadable policy is skipped with a note", identity: ["{not json", allow("s3:PutObject")], expect: "ImplicitDeny", explain: /could not be read/ },
  { name: "Effect other than Allow/Deny never applies", identity: [doc(stmt("Permit" as Effect, { Action: "*", Resource: "*" }))], expect: "ImplicitDeny" },
];

describe("policy evaluation table", () => {
  it("has at least 60 cases", () => {
    expect(rows.length).toBeGreaterThanOrEqual(60);
  });

  it.each(rows.map((row) => [row.name, row] as const))("%s", (_name, row) => {
    const request: PolicyRequest = {
      principal: row.principal ?? SESSION,
      action: row.action ?? "s3:GetObject",
      resource: row.arn ?? OBJ,
      context: row.context ?? {},
    };
    const decision = evaluatePolicies(request, {
      identity: (row.identity ?? []).map((document, i) => ({ name: `policy-${i + 1}`, document })),
      resource: row.resource ? { name: "the resource policy", document: row.resource } : undefined,
      resourceAccount: row.resourceAccount,
    });
    expect(decision.decision, decision.explanation).toBe(row.expect);
    expect(decision.explanation.length).toBeGreaterThan(10);
    if (row.explain) expect([decision.explanation, ...(decision.hints ?? [])].join("\n")).toMatch(row.explain);
  });
});

describe("explanations", () => {
  it("names the deciding statement and policy", () => {
    const decision = evaluatePolicies(
      { principal: SESSION, action: "s3:GetObject", resource: OBJ, context: {} },
      { identity: [{ name: "inline policy read of role thumbnail-role", document: doc({ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }] },
    );
    expect(decision.statement).toEqual({ policy: "inline policy read of role thumbnail-role", sid: "Read", effect: "Allow" });
    expect(decision.explanation).toBe(`s3:GetObject on ${OBJ} is allowed by statement "Read" of inline policy read of role thumbnail-role`);
  });

  it("lists the near misses of an implicit deny", () => {
    const decision = evaluatePolicies(
      { principal: SESSION, action: "s3:PutObject", resource: "arn:aws:s3:::photos/output/a.jpg", context: {} },
      { identity: [{ name: "p", document: doc({ Sid: "Uploads", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::photos/uploads/*" }) }] },
    );
    expect(decision.decision).toBe("ImplicitDeny");
    expect(decision.hints).toEqual([`statement "Uploads" of p does not apply: its Resource "arn:aws:s3:::photos/uploads/*" does not cover arn:aws:s3:::photos/output/a.jpg`]);
  });
});

describe("allowsServicePrincipal (delivery-time checks)", () => {
  const queue = `arn:aws:sqs:us-east-1:${ACCT}:events`;
  const policy = doc({
    Sid: "s3",
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: "SQS:SendMessage",
    Resource: queue,
    Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::photos" }, StringEquals: { "aws:SourceAccount": ACCT } },
  });

  it("allows the named bucket", () => {
    const d = allowsServicePrincipal(policy, { service: "s3.amazonaws.com", action: "sqs:SendMessage", resource: queue, sourceArn: "arn:aws:s3:::photos", sourceAccount: ACCT });
    expect(d.decision).toBe("Allow");
  });

  it("refuses another bucket, saying why", () => {
    const d = allowsServicePrincipal(policy, { service: "s3.amazonaws.com", action: "sqs:SendMessage", resource: queue, sourceArn: "arn:aws:s3:::other", sourceAccount: ACCT });
    expect(d.decision).toBe("ImplicitDeny");
    expect(d.hints?.join()).toMatch(/ArnLike aws:SourceArn: the request has "arn:aws:s3:::other"/);
  });

  it("refuses when the queue has no policy", () => {
    const d = allowsServicePrincipal(undefined, { service: "s3.amazonaws.com", action: "sqs:SendMessage", resource: queue });
    expect(d.decision).toBe("ImplicitDeny");
    expect(d.explanation).toMatch(/has no policy/);
  });

  it("evaluateResourcePolicy keeps the signature the services load", () => {
    const d = evaluateResourcePolicy(policy, { principal: { type: "Service", service: "s3.amazonaws.com" }, action: "sqs:sendmessage", resource: queue, context: { "aws:SourceArn": "arn:aws:s3:::photos", "aws:SourceAccount": ACCT } });
    expect(d.decision).toBe("Allow");
  });
});
