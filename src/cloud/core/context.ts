/**
 * The per-request context every handler receives: which cloud, which caller,
 * which account and region, the request id, and the endpoint as the client
 * addressed it (SQS queue URLs are built from it, as AWS builds them from its
 * own host name).
 */
import type { Cloud } from "./cloud.js";
import type { Principal } from "./identity.js";
import type { InvocationLink } from "./trace.js";

export interface RequestContext {
  cloud: Cloud;
  requestId: string;
  /** Registered service name ("s3", "sqs"…). */
  service: string;
  region: string;
  account: string;
  principal: Principal;
  sourceIp: string;
  /** e.g. http://localhost:4566 — scheme and Host header of the request. */
  endpoint: string;
  /** X-Amzn-Trace-Id of the request, if any (carries Lambda loop-detection lineage). */
  traceHeader?: string;
  /** The Lambda invocation this request is an SDK call of (core/trace.ts, invocationOf), if any. */
  causedBy?: InvocationLink;
}
