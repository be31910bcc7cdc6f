/**
 * What a service looks like to the gateway. A service folder exports a
 * factory `(cloud) => ServiceModule`; the module says how its requests are
 * recognised (SigV4 signing names, X-Amz-Target prefixes, awsQuery versions)
 * and handles them — normally through one of the shared protocol adapters in
 * src/cloud/protocols/, which parse the wire format into a typed input and
 * serialize the handler's output or AwsError back.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { Cloud } from "./cloud.js";
import type { RequestContext } from "./context.js";

export interface GatewayRequest {
  method: string;
  /** Path without the query string, still percent-encoded as sent. */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /**
   * A large body the gateway spooled to disk instead (gateway/spool.ts): then
   * `body` is empty. Only for requests the service's spoolsBody() accepts.
   */
  bodyFile?: SpooledBody;
  /** Host header as sent, e.g. "photos.localhost:4566". */
  host: string;
}

/** A request body on disk, with the digests of its bytes as sent. */
export interface SpooledBody {
  path: string;
  size: number;
  /** Raw MD5 of the bytes as sent. */
  md5: Buffer;
  /** Hex SHA-256 of the bytes as sent (what x-amz-content-sha256 signs). */
  sha256: string;
}

export interface GatewayResponse {
  status: number;
  headers?: Record<string, string | number | string[]>;
  body?: Buffer | string | Readable;
}

export interface ServiceModule {
  /** Registered name, also the IAM service prefix where they agree ("s3", "sqs", "lambda"…). */
  name: string;
  /** SigV4 credential-scope service names that route here. */
  signingNames: string[];
  /** X-Amz-Target prefixes before the dot ("AmazonSQS", "Logs_20140328"…). */
  targetPrefixes?: string[];
  /** awsQuery Version values ("2010-05-08"…). */
  queryVersions?: string[];
  /** Handle a request whose body the gateway has read. */
  handle?(req: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse>;
  /** Whether this request's body (headers and path known, body unread) may be spooled to disk when large (S3 uploads). */
  spoolsBody?(req: GatewayRequest): boolean;
  /** Take the raw request instead (body unread) — for services backed by an embedded server (DynamoDB). */
  /** `body`: the request body, already read by the gateway (it verifies the signature over it). */
  handleRaw?(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, body?: Buffer): void | Promise<void>;
  /** Drop all state (POST /_localcloud/reset). Tables in cloud.store are cleared by the cloud itself. */
  reset?(): void | Promise<void>;
  /** Stop timers, workers and embedded servers. */
  close?(): void | Promise<void>;
}

export type ServiceFactory = (cloud: Cloud) => ServiceModule | Promise<ServiceModule>;
