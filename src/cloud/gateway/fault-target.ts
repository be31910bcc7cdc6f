/**
 * What an authenticated request is about, for fault rules of kind "error"
 * (core/faults/): the service, the operation and the resource name (S3: the
 * bucket; DynamoDB: TableName). S3's operation is named coarsely from the
 * method and whether a key is addressed (GetObject, PutObject, HeadObject,
 * DeleteObject; ListObjects/… for bucket requests are "GET bucket" etc.),
 * which is what a function's own calls need; JSON services take it from
 * X-Amz-Target.
 */
import type { GatewayRequest } from "../core/service.js";
import { parseAddress } from "../services/s3/addressing.js";

const OBJECT_OPS: Record<string, string> = { GET: "GetObject", PUT: "PutObject", HEAD: "HeadObject", DELETE: "DeleteObject", POST: "PostObject" };

export function faultTarget(service: string, req: GatewayRequest): { operation?: string; resource?: string } {
  if (service === "s3") {
    try {
      const address = parseAddress(req.host, req.rawPath);
      const operation = address.key !== undefined ? OBJECT_OPS[req.method] : `${req.method} bucket`;
      return { operation, resource: address.bucket };
    } catch {
      return {};
    }
  }
  const operation = req.headers["x-amz-target"]?.split(".").pop();
  let resource: string | undefined;
  try {
    const body = JSON.parse(req.body.toString("utf8")) as { TableName?: unknown };
    if (typeof body?.TableName === "string") resource = body.TableName;
  } catch {
    /* not JSON: no resource */
  }
  return { operation, resource };
}
