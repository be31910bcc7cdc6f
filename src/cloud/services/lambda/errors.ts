/**
 * Lambda's errors in AWS's words (restJson1: x-amzn-ErrorType plus
 * {"Type":"User","message":…}), with the status codes the API reference
 * gives each one (aws-behavior.md §5).
 */
import { AwsError } from "../../core/aws-error.js";

export const functionNotFound = (arn: string) => new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, { status: 404 });
export const resourceNotFound = (message = "The resource you requested does not exist.") => new AwsError("ResourceNotFoundException", message, { status: 404 });
export const invalidParameter = (message: string) => new AwsError("InvalidParameterValueException", message);
export const conflict = (message: string) => new AwsError("ResourceConflictException", message, { status: 409 });
export const validation = (message: string) => new AwsError("ValidationException", message);

export const pendingConflict = (state: string) =>
  conflict(`The operation cannot be performed at this time. The function is currently in the following state: ${state}`);
export const updateInProgress = (arn: string) =>
  conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${arn}`);
export const revisionMismatch = () =>
  new AwsError("PreconditionFailedException", "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id", { status: 412 });

/** `1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: …` */
export function constraint(value: unknown, field: string, rule: string): AwsError {
  return validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`);
}
