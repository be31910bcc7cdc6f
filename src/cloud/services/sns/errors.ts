/**
 * SNS's error codes and messages (awsQuery ErrorResponse), as the SNS API
 * reference lists them: NotFound (404), InvalidParameter /
 * InvalidParameterValue (400), AuthorizationError (403).
 */
import { AwsError } from "../../core/aws-error.js";

export function invalidParameter(detail: string): AwsError {
  return new AwsError("InvalidParameter", `Invalid parameter: ${detail}`);
}

/** On the wire SNS calls it ParameterValueInvalid; the SDK names it InvalidParameterValueException. */
export function invalidParameterValue(message: string): AwsError {
  return new AwsError("ParameterValueInvalid", message);
}

export function topicNotFound(): AwsError {
  return new AwsError("NotFound", "Topic does not exist", { status: 404 });
}

export function subscriptionNotFound(): AwsError {
  return new AwsError("NotFound", "Subscription does not exist", { status: 404 });
}

export function missingParameter(name: string): AwsError {
  const camel = name.charAt(0).toLowerCase() + name.slice(1);
  return new AwsError("ValidationError", `1 validation error detected: Value null at '${camel}' failed to satisfy constraint: Member must not be null`);
}

export function authorizationError(message: string): AwsError {
  return new AwsError("AuthorizationError", message, { status: 403 });
}
