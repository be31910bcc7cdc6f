/**
 * The seam where IAM enforcement plugs in. Every protocol layer calls
 * `cloud.authorizer.authorize(ctx, request)` after it has parsed the operation
 * and its input and before the handler runs. The default authorizer allows
 * everything; the policy engine (src/cloud/policy/) replaces it when IAM
 * enforcement is on. A denial is thrown as the service's own AccessDenied
 * AwsError.
 */
import type { RequestContext } from "./context.js";

export interface AuthorizationRequest {
  /** Service name as registered ("s3", "sqs", "lambda"…). */
  service: string;
  /** Operation name as in the API reference ("PutObject", "SendMessage"…). */
  operation: string;
  /** The parsed input the handler will see (for S3: { Bucket, Key, … }). */
  input: Record<string, unknown>;
}

export interface Authorizer {
  authorize(ctx: RequestContext, request: AuthorizationRequest): void | Promise<void>;
}

export const allowAll: Authorizer = {
  authorize() {},
};
