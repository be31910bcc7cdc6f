/**
 * The restXml protocol as S3 speaks it: responses are XML documents in the
 * namespace http://s3.amazonaws.com/doc/2006-03-01/, and every response —
 * success or error — carries x-amz-request-id and x-amz-id-2. Errors are
 * `<Error><Code/><Message/>…<RequestId/><HostId/></Error>`; HEAD errors have no
 * body (§1). Routing of S3's method + path + sub-resource requests lives in
 * the S3 service itself, because it is S3's alone.
 */
import type { AwsError } from "../core/aws-error.js";
import type { GatewayResponse } from "../core/service.js";
import { buildXml } from "./xml.js";

export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

export function s3Headers(requestId: string, hostId: string): Record<string, string> {
  return { "x-amz-request-id": requestId, "x-amz-id-2": hostId };
}

export function s3XmlResponse(
  root: string,
  body: Record<string, unknown>,
  ids: { requestId: string; hostId: string },
  status = 200,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    status,
    headers: { "content-type": "application/xml", ...s3Headers(ids.requestId, ids.hostId), ...headers },
    body: buildXml(root, body, S3_XMLNS),
  };
}

export function s3ErrorResponse(err: AwsError, ids: { requestId: string; hostId: string }, method: string): GatewayResponse {
  const headers: Record<string, string> = { ...s3Headers(ids.requestId, ids.hostId), ...err.headers };
  if (method === "HEAD") return { status: err.status, headers };
  const fields: Record<string, unknown> = { Code: err.code, Message: err.message };
  for (const [k, v] of Object.entries(err.fields)) if (v !== undefined) fields[k] = v;
  fields.RequestId = ids.requestId;
  fields.HostId = ids.hostId;
  return {
    status: err.status,
    headers: { "content-type": "application/xml", ...headers },
    body: buildXml("Error", fields),
  };
}
