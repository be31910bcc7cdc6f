/**
 * Authentication failures in each protocol family's words. AWS answers the
 * same failure with different codes and statuses per service family; the
 * table below is what the services answer (AWS "Common Errors" pages of the
 * IAM/STS/SQS/SNS API references, DynamoDB's and Lambda's error lists, S3's
 * error-code list, and LocalStack's AWS-recorded snapshots):
 *
 *                   S3 (restXml)              awsQuery (IAM/STS/SNS/SQS)   JSON 1.0/1.1 (DynamoDB/Events/Logs)  Lambda (restJson)
 * no signature      anonymous (bucket policy) MissingAuthenticationToken 403  MissingAuthenticationTokenException 400  …Exception 403
 * unknown key       InvalidAccessKeyId 403    InvalidClientTokenId 403     UnrecognizedClientException 400    UnrecognizedClientException 403
 * bad/missing token InvalidToken 400          InvalidClientTokenId 403     UnrecognizedClientException 400    UnrecognizedClientException 403
 * wrong signature   SignatureDoesNotMatch 403 SignatureDoesNotMatch 403    InvalidSignatureException 400      InvalidSignatureException 403
 * expired session   ExpiredToken 400          ExpiredToken 403             ExpiredTokenException 400          ExpiredTokenException 403
 * clock skew        RequestTimeTooSkewed 403  SignatureDoesNotMatch 403    InvalidSignatureException 400      InvalidSignatureException 403
 *                                             ("Signature expired: …")     ("Signature expired: …")
 * malformed header  AuthorizationHeaderMalformed 400 IncompleteSignature 400 IncompleteSignatureException 400 IncompleteSignatureException 403
 *
 * SQS speaks both awsQuery and JSON 1.0 (query-compatible): its JSON errors
 * use the awsQuery codes, as SQS's own do.
 */
import { AwsError } from "../../core/aws-error.js";

export type Family = "s3" | "query" | "json" | "rest-json";

export type AuthFailure = "missing" | "unknown-key" | "bad-token" | "signature" | "expired" | "skew" | "malformed" | "forbidden";

const SIGNATURE_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN = "The security token included in the request is invalid.";
const EXPIRED_TOKEN = "The security token included in the request is expired";

interface Shape {
  code: string;
  status: number;
  message: string;
}

function shape(family: Family, failure: AuthFailure, detail: string): Shape {
  const restJson = family === "rest-json";
  const json = family === "json" || restJson;
  const jsonStatus = restJson ? 403 : 400;
  switch (failure) {
    case "missing":
      if (family === "s3") return { code: "AccessDenied", status: 403, message: "Access Denied" };
      if (json) return { code: "MissingAuthenticationTokenException", status: jsonStatus, message: restJson ? "Missing Authentication Token" : "Request is missing Authentication Token" };
      return { code: "MissingAuthenticationToken", status: 403, message: "Request is missing Authentication Token" };
    case "unknown-key":
      if (family === "s3") return { code: "InvalidAccessKeyId", status: 403, message: "The AWS Access Key Id you provided does not exist in our records." };
      if (json) return { code: "UnrecognizedClientException", status: jsonStatus, message: INVALID_TOKEN };
      return { code: "InvalidClientTokenId", status: 403, message: INVALID_TOKEN };
    case "bad-token":
      if (family === "s3") return { code: "InvalidToken", status: 400, message: "The provided token is malformed or otherwise invalid." };
      if (json) return { code: "UnrecognizedClientException", status: jsonStatus, message: INVALID_TOKEN };
      return { code: "InvalidClientTokenId", status: 403, message: INVALID_TOKEN };
    case "signature":
      if (family === "s3") return { code: "SignatureDoesNotMatch", status: 403, message: "The request signature we calculated does not match the signature you provided. Check your key and signing method." };
      if (json) return { code: "InvalidSignatureException", status: jsonStatus, message: SIGNATURE_MESSAGE };
      return { code: "SignatureDoesNotMatch", status: 403, message: SIGNATURE_MESSAGE };
    case "expired":
      if (family === "s3") return { code: "ExpiredToken", status: 400, message: "The provided token has expired." };
      if (json) return { code: "ExpiredTokenException", status: jsonStatus, message: EXPIRED_TOKEN };
      return { code: "ExpiredToken", status: 403, message: EXPIRED_TOKEN };
    case "skew":
      if (family === "s3") return { code: "RequestTimeTooSkewed", status: 403, message: "The difference between the request time and the current time is too large." };
      if (json) return { code: "InvalidSignatureException", status: jsonStatus, message: detail };
      return { code: "SignatureDoesNotMatch", status: 403, message: detail };
    case "malformed":
      if (family === "s3") return { code: "AuthorizationHeaderMalformed", status: 400, message: `The authorization header is malformed; ${detail}` };
      if (json) return { code: "IncompleteSignatureException", status: jsonStatus, message: detail };
      return { code: "IncompleteSignature", status: 400, message: detail };
    case "forbidden":
      if (family === "s3") return { code: "AccessDenied", status: 403, message: detail };
      if (json) return { code: "AccessDeniedException", status: 403, message: detail };
      return { code: "AccessDenied", status: 403, message: detail };
  }
}

/** The AwsError a family answers for an authentication failure; `detail` fills the messages that carry one. */
export function authError(family: Family, failure: AuthFailure, detail = "", fields?: Record<string, string | number | undefined>): AwsError {
  const s = shape(family, failure, detail);
  return new AwsError(s.code, s.message, { status: s.status, fields });
}

/** Thrown by the verifier; the gateway turns it into the family's error. */
export class AuthRejection extends Error {
  constructor(
    readonly failure: AuthFailure,
    readonly detail = "",
    readonly fields?: Record<string, string | number | undefined>,
  ) {
    super(`${failure}: ${detail}`);
  }
}
