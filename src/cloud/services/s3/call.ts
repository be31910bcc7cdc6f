/**
 * What every S3 handler receives — the parsed request (bucket, key, query,
 * headers, body), the caller's context, this request's S3 ids, and the S3
 * parts (object store, notifications, multipart) — and the two response
 * builders handlers use, so none of them formats XML or ids by hand.
 */
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import type { GatewayRequest, GatewayResponse } from "../../core/service.js";
import { s3Headers, s3XmlResponse } from "../../protocols/rest-xml.js";
import { parseXml, XmlParseError } from "../../protocols/xml.js";
import { malformedXml } from "./errors.js";
import type { Multipart } from "./multipart.js";
import type { BucketNotifications } from "./notifications/contract.js";
import type { ObjectStore, RequestIds } from "./object-store.js";

export interface S3Parts {
  cloud: Cloud;
  store: ObjectStore;
  notifier: BucketNotifications;
  multipart: Multipart;
}

export interface S3Call extends S3Parts {
  req: GatewayRequest;
  ctx: RequestContext;
  ids: RequestIds;
  /** The operation name the router chose ("PutObject"…). */
  operation: string;
  /** "" for service-level requests (ListBuckets). */
  bucket: string;
  /** undefined for bucket-level requests. */
  key?: string;
  query: URLSearchParams;
  headers: Record<string, string>;
}

export type S3Handler = (call: S3Call) => Promise<GatewayResponse> | GatewayResponse;

/** A success with an XML body in S3's namespace. */
export function xml(call: S3Call, root: string, body: Record<string, unknown>, headers: Record<string, string> = {}, status = 200): GatewayResponse {
  return s3XmlResponse(root, body, call.ids, status, headers);
}

/** A success without a body (204 for deletes, 200 for puts). */
export function empty(call: S3Call, status = 200, headers: Record<string, string> = {}): GatewayResponse {
  return { status, headers: { ...s3Headers(call.ids.requestId, call.ids.hostId), ...headers } };
}

/** Parse an XML request body; malformed or empty → MalformedXML. */
export function xmlBody(call: S3Call, arrays: string[] = []): Record<string, any> {
  try {
    return parseXml(call.req.body.toString("utf8"), arrays);
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
}
