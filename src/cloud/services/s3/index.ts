/**
 * S3 (restXml) for the local cloud: buckets, objects, versions, tags,
 * multipart uploads, bucket policies and event notifications, addressed
 * path-style or virtual-hosted (addressing.ts), routed by method + path +
 * sub-resource (routes.ts). Every request: presigned-URL check (presign.ts)
 * → bucket/key → operation → `cloud.authorizer.authorize` with the SDK's
 * member names (Bucket, Key, VersionId, CopySource, Prefix…) → handler.
 * Every object mutation goes through ObjectStore.writeObject/deleteObject/
 * setTags (object-store.ts), which version the key, give it a growing
 * sequencer and emit the S3 event to notifications/. Errors are AwsError,
 * serialized as S3's <Error> (no body for HEAD).
 *
 * Files: addressing, routes, call (handler input and response builders),
 * object-store (state + the one write path), buckets, objects, copy-object,
 * delete-objects, listing, tagging, conditions, object-headers,
 * bucket-names, errors, post-object + form-data (browser form uploads), cors,
 * multipart-routes (HTTP side of multipart.ts); acl, ownership-controls,
 * public-access-block (object ACLs and the two bucket settings that govern
 * them), restore (archived objects, RestoreObject on the time scale),
 * lifecycle/ (rules run on a local lifecycle day);
 * aws-chunked, checksums, crc32, sigv4, presign, multipart, bucket-policy
 * (integrity, signatures, uploads, policies); notifications/ (event config and delivery).
 *
 * **Gaps** (answer NotImplemented, or simply absent):
 * - PutBucketAcl (GetBucketAcl answers the owner's FULL_CONTROL), website,
 *   replication, encryption configuration, object lock, logging,
 *   inventory/analytics/metrics, request payment, accelerate,
 *   SelectObjectContent (and SELECT restores), GetObjectAttributes, torrent.
 * - ACL grants are stored and returned but never grant or deny access (IAM and
 *   bucket policies decide); IgnorePublicAcls/RestrictPublicBuckets are stored only;
 *   the account-level public access block (s3control) is not modelled; ACL headers
 *   are checked on PutObject only (not CopyObject/CreateMultipartUpload).
 * - CopyObject from an unrestored GLACIER/DEEP_ARCHIVE source is not refused.
 * - Lifecycle: NoncurrentVersionTransition and AbortIncompleteMultipartUpload are stored,
 *   not run; replication and Intelligent-Tiering events are never produced.
 * - GetObject `?partNumber=` (reading one part of a multipart object); SSE-C and
 *   SSE-KMS (every object is reported as SSE-S3 AES256, as S3 now does by default).
 * - Cross-account access is not modelled: every caller of the local cloud is in account
 *   000000000000 (§8), so bucket ownership only shows in CreateBucket (BucketAlreadyExists),
 *   ListBuckets and x-amz-expected-bucket-owner; who may do what is the authorizer's call.
 * - Large bodies: POST Object (browser form uploads) is buffered whole (up to 1 GiB).
 * - Multipart: `x-amz-mp-object-size` is not checked; a retried Complete of an
 *   upload that already completed is NoSuchUpload (S3 may answer 200 for a while).
 * - SigV2 presigned URLs are checked for expiry only; SigV4a (ECDSA) chunk signatures
 *   are checked for form only.
 * - Listings scan the bucket's keys per request (fine for workshop-sized buckets, not millions),
 *   and order keys by UTF-16 code units, which differs from S3's UTF-8 byte order only
 *   for characters outside the Basic Multilingual Plane.
 *
 * **By design**:
 * - Malformed input (issue 11): XML bodies with a DOCTYPE/ENTITY declaration or nested past
 *   64 levels are MalformedXML before parsing (protocols/xml.ts); bucket-policy resource
 *   wildcards are matched without regexes (policy/glob.ts); a non-GET on the service root is
 *   405 MethodNotAllowed.
 * - Re-creating a bucket you own in us-east-1 answers 200 (S3's documented legacy
 *   behaviour); elsewhere 409 BucketAlreadyOwnedByYou.
 * - Sequencers are 18 upper-case hex digits derived from the clock (ns-scale) and forced
 *   to grow, per key and globally, across restarts.
 * - Version ids are 32 random base64url characters; a malformed version id is
 *   InvalidArgument, a well-formed unknown one NoSuchVersion.
 * - Authentication (gateway/auth/): header signatures are verified by the gateway;
 *   presigned URLs (presign.ts), POST policies and aws-chunked chunk signatures here,
 *   with the secret of the signing key (the administrator's configured one, or a role
 *   session's). Unsigned requests are the anonymous caller: only a bucket policy naming
 *   "*" lets them in (gateway/auth/anonymous.ts); CORS preflights are answered unsigned.
 *   A request with a foreign Origin is answered only where the bucket's CORS rules
 *   allow that origin and method (cors.ts originAllowed).
 * - A write without any flexible checksum gets a CRC64NVME computed by S3, as AWS has done
 *   since 2025; it is returned with `x-amz-checksum-mode: ENABLED` but not echoed on the write.
 * - UploadPart with no checksum in an upload created with an algorithm: the part's checksum is
 *   computed locally rather than refused (SDKs always send it).
 * - One endpoint serves every region: a bucket created in eu-west-1 is served to a client
 *   configured for us-east-1 (S3 would answer 301 PermanentRedirect and the SDK would retry);
 *   HeadBucket reports the bucket's region in x-amz-bucket-region as S3 does.
 * - POST Object (browser forms, post-object.ts): a form without a policy is anonymous (a
 *   bucket policy must allow it); a policy's signature is verified like a presigned URL's.
 * - Request bodies are read whole before the handler runs: buffered when small,
 *   spooled to a temp file past 8 MiB (LOCALCLOUD_SPOOL_BYTES) for PutObject and
 *   UploadPart (spoolsBody, gateway/spool.ts, upload-body.ts). A body that ends
 *   early or fails its checksum stores nothing and leaves no file; a completed
 *   multipart upload is joined by streaming the parts, and CopyObject/UploadPartCopy
 *   of a large source stream it (multipart-concat.ts).
 * - New buckets are made as S3 has made them since April 2023: Object Ownership
 *   BucketOwnerEnforced (ACLs disabled) unless x-amz-object-ownership says otherwise,
 *   and all four Block Public Access settings on (a public bucket policy needs
 *   DeletePublicAccessBlock first, as on AWS). Buckets stored before this have neither.
 * - A Suspended bucket's writes answer no x-amz-version-id (AWS sends none); HEAD/GET
 *   of such a "null" version still report it.
 * - aws:-prefixed bucket tags (e.g. a stack's) can be set by the admin with the local-only
 *   header `x-localcloud-aws-generated-tags: true` on PutBucketTagging; users get InvalidTag
 *   as on AWS. They appear in events as awsGeneratedTags.
 * - Restores complete after AWS's shortest retrieval time for the tier on the time scale;
 *   a lifecycle day is `--lifecycle-day-seconds` (default 10 s), not the time scale.
 * - Injected transient errors (core/faults/, kind "error", service s3: 503
 *   SlowDown, 500 InternalError, 503 ServiceUnavailable) reach only role
 *   sessions and are answered by the gateway before S3 acts; operations are
 *   named coarsely (GetObject/PutObject/HeadObject/DeleteObject for object
 *   requests, "GET bucket" … for bucket requests; gateway/fault-target.ts).
 *
 * **Client quirks**:
 * - SDK v3 uses virtual-hosted addressing with a host-name endpoint
 *   (`http://localhost:4566` → `bucket.localhost:4566`), path style with an IP endpoint
 *   or forcePathStyle; botocore/the AWS CLI use path style. Both work. `bucket.localhost`
 *   does not resolve everywhere (glibc without systemd-resolved answers ENOTFOUND before any
 *   request is sent), which is why the kit's client config sets forcePathStyle: true.
 * - SDK v3 sends `x-amz-checksum-crc32` on every PutObject/UploadPart/DeleteObjects and
 *   aws-chunked bodies with a CRC32 trailer for streams (a stream without ContentLength fails
 *   inside the SDK itself — "Invalid value "undefined" for header x-amz-decoded-content-length" —
 *   before any request is sent: give ContentLength); the CLI sends Content-MD5 and
 *   `Expect: 100-continue` (Node answers 100 Continue itself).
 * - With encoding-type=url, keys are percent-encoded (space → %20, "+" → %2B, "/" kept);
 *   S3 itself may write a space as "+" (UNCERTAIN). botocore decodes either form; SDK v3
 *   leaves decoding to the caller.
 * - Keys such as "a/../b" are kept literally: the gateway passes the raw path, not a
 *   URL-normalized one.
 */
import type { ServiceFactory, GatewayRequest, GatewayResponse } from "../../core/service.js";
import type { RequestContext } from "../../core/context.js";
import { AwsError, isAwsError, internalError } from "../../core/aws-error.js";
import { s3ErrorResponse } from "../../protocols/rest-xml.js";
import { s3HostId, s3RequestId } from "../../core/ids.js";
import { parseAddress } from "./addressing.js";
import { resolveRoute } from "./routes.js";
import type { S3Call, S3Parts } from "./call.js";
import { ObjectStore } from "./object-store.js";
import { Multipart } from "./multipart.js";
import { verifyPresigned } from "./presign.js";
import { createBucketNotifications } from "./notifications/index.js";
import { readDeleteRequest } from "./delete-objects.js";
import { restoreScheduler } from "./restore.js";
import { lifecycleRunner } from "./lifecycle/index.js";
import { corsResponseHeaders, originAllowed } from "./cors.js";
import { isSameOrigin } from "../../gateway/auth/host-origin.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

/** The input the authorizer (and the policy engine's action map) sees, with the SDK's member names. */
function authorizationInput(call: S3Call): Record<string, unknown> {
  const q = call.query;
  const input: Record<string, unknown> = { Bucket: call.bucket || undefined, Key: call.key };
  const versionId = q.get("versionId");
  if (versionId !== null) input.VersionId = versionId;
  const copySource = call.headers["x-amz-copy-source"];
  if (copySource !== undefined) input.CopySource = copySource;
  if (q.has("prefix")) input.Prefix = q.get("prefix");
  if (q.has("delimiter")) input.Delimiter = q.get("delimiter");
  if (q.has("max-keys")) input.MaxKeys = q.get("max-keys");
  if (call.operation === "DeleteObjects") {
    try {
      input.Delete = { Objects: readDeleteRequest(call).objects };
    } catch {
      // A malformed body is the handler's MalformedXML; authorize on the bucket's objects.
    }
  }
  return input;
}

/** x-amz-expected-bucket-owner (SDK `ExpectedBucketOwner`): S3 answers 403 AccessDenied when the bucket is another account's. */
function checkExpectedOwner(call: S3Call): void {
  const expected = call.headers["x-amz-expected-bucket-owner"];
  if (expected === undefined || !call.bucket) return;
  const bucket = call.store.bucket(call.bucket);
  if (bucket && bucket.account !== expected) throw new AwsError("AccessDenied", "Access Denied", { status: 403 });
}

/** The route; an anonymous caller learns nothing about what is not implemented (AWS authenticates first). */
function routeFor(req: GatewayRequest, level: "service" | "bucket" | "object", ctx: RequestContext): ReturnType<typeof resolveRoute> {
  try {
    return resolveRoute(req.method, level, req.query, req.headers);
  } catch (err) {
    if (ctx.principal.kind === "anonymous" && isAwsError(err) && err.code === "NotImplemented") throw new AwsError("AccessDenied", "Access Denied", { status: 403 });
    throw err;
  }
}

const createS3: ServiceFactory = (cloud) => {
  const parts: S3Parts = {} as S3Parts;
  const notifier = createBucketNotifications(cloud, { getBucket: (name) => parts.store.bucket(name) });
  Object.assign(parts, { cloud, notifier, store: new ObjectStore(cloud, notifier), multipart: new Multipart(cloud) });
  restoreScheduler(parts); // restores and lifecycle run on timers; re-arm what was pending before a restart
  lifecycleRunner(parts).start();
  // The Tagging API lists a bucket in the region it was created in.
  cloud.provide<TaggedResourcesApi>("tags:s3", {
    taggedResources: (account, region) => taggedIn(parts.store.buckets.values(), account, region, "s3:bucket", { arnOf: (b) => `arn:aws:s3:::${b.name}` }),
  });

  async function handle(req: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse> {
    const ids = { requestId: s3RequestId(), hostId: s3HostId() };
    let call: S3Call | undefined;
    let response: GatewayResponse;
    try {
      verifyPresigned(req, cloud.identity);
      const address = parseAddress(req.host, req.rawPath);
      const level = address.bucket === undefined ? "service" : address.key === undefined ? "bucket" : "object";
      const { operation, handler, authorizesItself } = routeFor(req, level, ctx);
      call = {
        ...parts,
        req,
        ctx,
        ids,
        operation,
        bucket: address.bucket ?? "",
        key: address.key,
        query: req.query,
        headers: req.headers,
      };
      // A web page (a foreign Origin) is answered only where the bucket's CORS rules let it in.
      const origin = req.headers["origin"];
      if (origin !== undefined && !authorizesItself && !isSameOrigin(origin, req.host) && !originAllowed(call)) {
        throw new AwsError("AccessDenied", `The local cloud refuses requests from web pages unless the bucket's CORS rules allow the origin ${origin} and method ${req.method}.`, { status: 403 });
      }
      if (!authorizesItself) await cloud.authorizer.authorize(ctx, { service: "s3", operation, input: authorizationInput(call) });
      checkExpectedOwner(call);
      response = await handler(call);
    } catch (err) {
      if (!isAwsError(err)) cloud.log.error(`s3: unexpected failure on ${req.method} ${req.rawPath}: ${(err as Error)?.stack ?? err}`);
      response = s3ErrorResponse(isAwsError(err) ? err : internalError(err), ids, req.method);
    }
    // A browser request from an origin the bucket's CORS rules allow sees the answer, errors included.
    if (call && req.headers["origin"] && call.operation !== "PreflightCors") {
      response.headers = { ...response.headers, ...corsResponseHeaders(call) };
    }
    return response;
  }

  /** Only object uploads stream to disk when large (gateway/spool.ts); every other body is small XML or JSON. */
  function spoolsBody(req: GatewayRequest): boolean {
    if (req.method !== "PUT" || req.headers["x-amz-copy-source"] !== undefined) return false;
    try {
      const address = parseAddress(req.host, req.rawPath);
      if (address.bucket === undefined || address.key === undefined) return false;
      const { operation } = resolveRoute(req.method, "object", req.query, req.headers);
      return operation === "PutObject" || operation === "UploadPart";
    } catch {
      return false; // the handler answers the malformed request
    }
  }

  return { name: "s3", signingNames: ["s3"], handle, spoolsBody };
};
export default createS3;
