/**
 * Object ACLs: PutObjectAcl / GetObjectAcl (?acl on a key), and the ACL a
 * PutObject may carry in x-amz-acl / x-amz-grant-* headers. An ACL is a list
 * of grants (grantee: canonical user id or group URI; permission) kept with
 * the object version; a new version starts with the owner's FULL_CONTROL.
 * S3's rules, in S3's order: the bucket's Object Ownership first
 * (BucketOwnerEnforced → AccessControlListNotSupported unless the ACL is
 * bucket-owner-full-control, ownership-controls.ts), then Block Public Access
 * (BlockPublicAcls → AccessDenied for a public ACL, public-access-block.ts).
 * A PutObjectAcl that changes the ACL emits s3:ObjectAcl:Put (S3 sends no
 * event when the ACL stays the same [S3-TYPES]); EventBridge "Object ACL
 * Updated".
 * Gaps: ACL grants never grant or deny access here (the authorizer decides on
 * IAM and bucket policies only); grants by e-mail address are refused with
 * UnresolvableGrantByEmailAddress, as S3 does in the regions created after 2014;
 * PutBucketAcl is not served (GetBucketAcl answers the owner's FULL_CONTROL).
 */
import { AwsError } from "../../core/aws-error.js";
import { S3_OWNER_ID } from "../../core/constants.js";
import type { GatewayResponse } from "../../core/service.js";
import { empty, xml, xmlBody, type S3Call } from "./call.js";
import type { BucketRecord, ObjectVersion } from "./object-store.js";
import { resolveVersion } from "./objects.js";
import { aclNotSupported, aclsDisabled } from "./ownership-controls.js";
import { checkPublicAcl } from "./public-access-block.js";

export type Permission = "FULL_CONTROL" | "WRITE" | "WRITE_ACP" | "READ" | "READ_ACP";
export interface Grant {
  grantee: { id: string } | { uri: string };
  permission: Permission;
}

const PERMISSIONS = new Set<string>(["FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"]);
const GROUPS = "http://acs.amazonaws.com/groups/";
export const ALL_USERS = `${GROUPS}global/AllUsers`;
export const AUTHENTICATED_USERS = `${GROUPS}global/AuthenticatedUsers`;
const LOG_DELIVERY = `${GROUPS}s3/LogDelivery`;

const owner = (permission: Permission = "FULL_CONTROL"): Grant => ({ grantee: { id: S3_OWNER_ID }, permission });
export const DEFAULT_ACL: Grant[] = [owner()];

/** Canned ACLs (S3 user guide, "Canned ACL"); one account here, so "bucket owner" is the object owner. */
const CANNED: Record<string, Grant[]> = {
  private: [owner()],
  "public-read": [owner(), { grantee: { uri: ALL_USERS }, permission: "READ" }],
  "public-read-write": [owner(), { grantee: { uri: ALL_USERS }, permission: "READ" }, { grantee: { uri: ALL_USERS }, permission: "WRITE" }],
  "authenticated-read": [owner(), { grantee: { uri: AUTHENTICATED_USERS }, permission: "READ" }],
  "aws-exec-read": [owner()],
  "bucket-owner-read": [owner()],
  "bucket-owner-full-control": [owner()],
  "log-delivery-write": [owner(), { grantee: { uri: LOG_DELIVERY }, permission: "WRITE" }, { grantee: { uri: LOG_DELIVERY }, permission: "READ_ACP" }],
};

const GRANT_HEADERS: Record<string, Permission> = {
  "x-amz-grant-full-control": "FULL_CONTROL",
  "x-amz-grant-read": "READ",
  "x-amz-grant-read-acp": "READ_ACP",
  "x-amz-grant-write": "WRITE",
  "x-amz-grant-write-acp": "WRITE_ACP",
};

const malformedAcl = () => new AwsError("MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema");
const byEmail = () => new AwsError("UnresolvableGrantByEmailAddress", "The e-mail address you provided does not match any account on record.");

export function isPublic(grants: Grant[]): boolean {
  return grants.some((g) => "uri" in g.grantee && (g.grantee.uri === ALL_USERS || g.grantee.uri === AUTHENTICATED_USERS));
}

/** The ACL a request's headers set: { canned name?, grants }, or undefined when it sets none. */
export function aclFromHeaders(headers: Record<string, string>): { canned?: string; grants: Grant[] } | undefined {
  const canned = headers["x-amz-acl"];
  const grantHeaders = Object.keys(GRANT_HEADERS).filter((h) => headers[h] !== undefined);
  if (canned !== undefined && grantHeaders.length) {
    throw new AwsError("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed");
  }
  if (canned !== undefined) {
    const grants = CANNED[canned];
    if (!grants) throw new AwsError("InvalidArgument", "", { fields: { ArgumentName: "x-amz-acl", ArgumentValue: canned } });
    return { canned, grants };
  }
  if (!grantHeaders.length) return undefined;
  const grants: Grant[] = [];
  for (const header of grantHeaders) {
    for (const part of headers[header]!.split(",")) {
      const m = /^\s*(id|uri|emailAddress)\s*=\s*"?([^"]*)"?\s*$/i.exec(part);
      if (!m) throw new AwsError("InvalidArgument", "Argument format not recognized", { fields: { ArgumentName: header, ArgumentValue: headers[header] } });
      if (m[1]!.toLowerCase() === "emailaddress") throw byEmail();
      grants.push({ grantee: m[1]!.toLowerCase() === "id" ? { id: m[2]! } : { uri: m[2]! }, permission: GRANT_HEADERS[header]! });
    }
  }
  return { grants };
}

/** <AccessControlPolicy> body → grants (the grantee's xsi:type is implied by which member it has). */
function aclFromBody(call: S3Call): Grant[] {
  const doc = xmlBody(call, ["Grant"]);
  const list = doc.AccessControlPolicy?.AccessControlList;
  if (doc.AccessControlPolicy === undefined || list === undefined) throw malformedAcl();
  const raw: any[] = list === "" ? [] : (list.Grant ?? []);
  return raw.map((g): Grant => {
    const grantee = g?.Grantee;
    if (!grantee || typeof grantee !== "object" || !PERMISSIONS.has(g.Permission)) throw malformedAcl();
    if (typeof grantee.EmailAddress === "string") throw byEmail();
    if (typeof grantee.ID === "string") return { grantee: { id: grantee.ID }, permission: g.Permission };
    if (typeof grantee.URI === "string") return { grantee: { uri: grantee.URI }, permission: g.Permission };
    throw malformedAcl();
  });
}

/** Ownership, then Block Public Access, as S3 checks an ACL a request wants to set. */
export function checkAclAllowed(bucket: BucketRecord, acl: { canned?: string; grants: Grant[] }): void {
  if (aclsDisabled(bucket) && acl.canned !== "bucket-owner-full-control") throw aclNotSupported();
  checkPublicAcl(bucket, isPublic(acl.grants));
}

type VersionWithAcl = ObjectVersion & { acl?: Grant[] };
export const aclOf = (version: ObjectVersion): Grant[] => (version as VersionWithAcl).acl ?? DEFAULT_ACL;

/** Store an ACL on one version (the record is rewritten; nothing else changes). Returns whether it changed. */
export function setVersionAcl(call: S3Call, key: string, versionId: string, grants: Grant[]): boolean {
  const record = call.store.record(call.bucket, key);
  const version = record?.versions.find((v) => v.versionId === versionId);
  if (!record || !version) return false;
  if (JSON.stringify(aclOf(version)) === JSON.stringify(grants)) return false;
  const versions = record.versions.map((v) => (v === version ? ({ ...v, acl: grants } as VersionWithAcl) : v));
  call.store.objects.set(`${call.bucket}/${key}`, { ...record, versions });
  return true;
}

/** PutObject's side: refuse an ACL the bucket does not allow (before the write). */
export function checkRequestAcl(call: S3Call): { canned?: string; grants: Grant[] } | undefined {
  const acl = aclFromHeaders(call.headers);
  if (acl) checkAclAllowed(call.store.requireBucket(call.bucket), acl);
  return acl;
}

export function putObjectAcl(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  const version = resolveVersion(call);
  const fromHeaders = aclFromHeaders(call.headers);
  const hasBody = call.req.body.length > 0;
  if (fromHeaders && hasBody) throw new AwsError("UnexpectedContent", "This request does not support content");
  if (!fromHeaders && !hasBody) throw new AwsError("MissingSecurityHeader", "Your request was missing a required header", { fields: { MissingHeaderName: "x-amz-acl" } });
  const acl = fromHeaders ?? { grants: aclFromBody(call) };
  checkAclAllowed(bucket, acl);
  if (setVersionAcl(call, call.key!, version.versionId, acl.grants)) {
    call.store.emit(call.ctx, "ObjectAcl:Put", call.bucket, call.key!, call.ids, {
      eTag: version.etag,
      versionId: bucket.versioning === "Enabled" ? version.versionId : undefined,
    });
  }
  return empty(call, 200, bucket.versioning ? { "x-amz-version-id": version.versionId } : {});
}

/** The <AccessControlPolicy> body GetObjectAcl/GetBucketAcl answer. */
export function aclXml(grants: Grant[]): Record<string, unknown> {
  return {
    Owner: { ID: S3_OWNER_ID },
    AccessControlList: {
      Grant: grants.map((g) => ({
        Grantee:
          "id" in g.grantee
            ? { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ID: g.grantee.id }
            : { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "Group", URI: g.grantee.uri },
        Permission: g.permission,
      })),
    },
  };
}

export function getObjectAcl(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  const version = resolveVersion(call);
  // With ACLs disabled S3 still answers reads, with the owner's FULL_CONTROL only.
  const grants = aclsDisabled(bucket) ? DEFAULT_ACL : aclOf(version);
  return xml(call, "AccessControlPolicy", aclXml(grants), bucket.versioning ? { "x-amz-version-id": version.versionId } : {});
}
