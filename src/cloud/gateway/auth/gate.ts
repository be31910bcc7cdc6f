/**
 * The gateway's authentication step: who is calling, or why the request is
 * refused, in the shape of the request's protocol family (errors.ts).
 *
 * What needs no body (a foreign Origin, an unknown key, a wrong session token,
 * a skewed clock) is refused before the body is read (gateBeforeBody), so an
 * unauthenticated client cannot make the cloud buffer a large upload.
 *
 * Order: a foreign Origin is refused for every service but S3 (S3 decides by
 * the bucket's CORS rules); a signed request is verified (verify.ts); an
 * unsigned one is the anonymous caller where AWS accepts one — S3 (presigned
 * URLs and POST policies authenticate themselves; everything else needs a
 * bucket policy granting anonymous access; CORS preflights), and SNS's
 * ConfirmSubscription link, and Lambda's code-download URL (GetFunction's
 * Code.Location, which checks its own HMAC) — and otherwise
 * MissingAuthenticationToken.
 */
import type { Cloud } from "../../core/cloud.js";
import type { Principal } from "../../core/identity.js";
import type { GatewayRequest, ServiceModule } from "../../core/service.js";
import { isAwsError, type AwsError } from "../../core/aws-error.js";
import { authError, AuthRejection, type Family } from "./errors.js";
import { authenticate, precheck } from "./verify.js";
import { isSameOrigin } from "./host-origin.js";

const CODE_DOWNLOAD = /^\/2015-03-31\/functions\/[^/]+\/localcloud-code$/;

/** Which error vocabulary a request gets (errors.ts). */
export function familyOf(req: Pick<GatewayRequest, "headers" | "query">, service: ServiceModule | undefined, formAction?: string | null): Family {
  if (service?.name === "s3") return "s3";
  if (service?.name === "lambda") return "rest-json";
  if (service?.name === "sqs") return "query"; // JSON or query, SQS uses the awsQuery codes
  const contentType = req.headers["content-type"] ?? "";
  if (req.headers["x-amz-target"] || contentType.includes("x-amz-json")) return "json";
  if (service || contentType.includes("x-www-form-urlencoded") || req.query.has("Action") || formAction) return "query";
  return "s3";
}

/** The awsQuery Action of a request (query string or form body). */
function actionOf(req: GatewayRequest): string | null {
  const fromQuery = req.query.get("Action");
  if (fromQuery) return fromQuery;
  if (!(req.headers["content-type"] ?? "").includes("x-www-form-urlencoded")) return null;
  return new URLSearchParams(req.body.toString("utf8")).get("Action");
}

export type GateResult = { principal: Principal } | { error: AwsError; failure: string };

/** Why to refuse before reading the body (foreign Origin, unknown key, bad token, skew), or undefined. */
export function gateBeforeBody(cloud: Cloud, req: GatewayRequest, rawQuery: string, service: ServiceModule | undefined): { error: AwsError; failure: string } | undefined {
  const refusal = foreignOrigin(req, service);
  if (refusal) return refusal;
  try {
    precheck(cloud.identity, { ...req, rawQuery, s3: service?.name === "s3" });
  } catch (err) {
    if (err instanceof AuthRejection) return { failure: err.failure, error: authError(familyOf(req, service), err.failure, err.detail, err.fields) };
    throw err;
  }
  return undefined;
}

function foreignOrigin(req: GatewayRequest, service: ServiceModule | undefined): { error: AwsError; failure: string } | undefined {
  const origin = req.headers["origin"];
  if (origin === undefined || service?.name === "s3" || isSameOrigin(origin, req.host)) return undefined;
  return {
    failure: "foreign-origin",
    error: authError(familyOf(req, service), "forbidden", `Requests from web pages (Origin: ${origin}) are not accepted by the local cloud's ${service?.name ?? "services"}; only S3 answers them, as its buckets' CORS rules allow.`),
  };
}

export function gate(cloud: Cloud, req: GatewayRequest, rawQuery: string, service: ServiceModule | undefined): GateResult {
  const family = familyOf(req, service);
  const refusal = foreignOrigin(req, service);
  if (refusal) return refusal;
  // GetFunction's Code.Location: a URL that carries its own HMAC (lambda/code-download.ts), fetched with a plain GET.
  if (service?.name === "lambda" && req.method === "GET" && CODE_DOWNLOAD.test(req.rawPath) && req.query.has("signature")) {
    return { principal: cloud.identity.anonymous() };
  }
  try {
    const found = authenticate(cloud.identity, { ...req, rawQuery, s3: service?.name === "s3" });
    if (found) return { principal: found.principal };
  } catch (err) {
    if (err instanceof AuthRejection) return { failure: err.failure, error: authError(family, err.failure, err.detail, err.fields) };
    if (isAwsError(err)) return { failure: "payload", error: err };
    throw err;
  }
  if (service?.name === "s3") {
    // POST / is no S3 operation: an unsigned form there is an awsQuery call without its signature.
    if (req.method === "POST" && req.rawPath === "/") {
      return actionOf(req) ? { failure: "missing", error: authError("query", "missing") } : { failure: "missing", error: authError("s3", "missing") };
    }
    return { principal: cloud.identity.anonymous() };
  }
  if (service?.name === "sns" && actionOf(req) === "ConfirmSubscription") return { principal: cloud.identity.anonymous() };
  return { failure: "missing", error: authError(family, "missing") };
}
