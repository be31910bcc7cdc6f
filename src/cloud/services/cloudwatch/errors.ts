/**
 * CloudWatch's errors in both wire shapes: `code` is the model's error shape
 * (what awsJson's `__type` and rpcv2Cbor name), `queryCode` the awsQuery code
 * (what `x-amzn-query-error` carries and SDK v3 / botocore report as the
 * error's name) — botocore model cloudwatch/2010-08-01.
 */
import { AwsError } from "../../core/aws-error.js";

export function invalidParameterValue(message: string): AwsError {
  return new AwsError("InvalidParameterValueException", message, { queryCode: "InvalidParameterValue" });
}

export function invalidParameterCombination(message: string): AwsError {
  return new AwsError("InvalidParameterCombinationException", message, { queryCode: "InvalidParameterCombination" });
}

export function missingParameter(name: string): AwsError {
  return new AwsError("MissingRequiredParameterException", `The parameter ${name} is required.`, { queryCode: "MissingParameter" });
}

export function resourceNotFound(message: string): AwsError {
  return new AwsError("ResourceNotFound", message, { status: 404, queryCode: "ResourceNotFound" });
}

export function invalidNextToken(): AwsError {
  return new AwsError("InvalidNextToken", "The next token specified is invalid.", { queryCode: "InvalidNextToken" });
}

export function invalidFormat(message: string): AwsError {
  return new AwsError("InvalidFormatFault", message, { queryCode: "InvalidFormat" });
}

export function limitExceeded(message: string): AwsError {
  return new AwsError("LimitExceededFault", message, { queryCode: "LimitExceeded" });
}
