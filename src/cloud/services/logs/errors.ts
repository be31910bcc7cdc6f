/**
 * CloudWatch Logs errors in AWS's words (awsJson 1.1, namespace
 * com.amazonaws.logs). The messages are the ones AWS returns for the same
 * mistakes, so a learner's search for them finds AWS's own documentation.
 */
import { AwsError } from "../../core/aws-error.js";

export const groupNotFound = () => new AwsError("ResourceNotFoundException", "The specified log group does not exist.");
export const streamNotFound = () => new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
export const groupExists = () => new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
export const streamExists = () => new AwsError("ResourceAlreadyExistsException", "The specified log stream already exists");
export const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);

/** A required string field, with the validation message shape of the awsJson services. */
export function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== "string" || value.length === 0) {
    throw new AwsError("InvalidParameterException", `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}
