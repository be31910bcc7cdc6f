/**
 * The restJson errors the event source mapping API answers, with AWS's codes
 * and statuses (Lambda API reference, CreateEventSourceMapping "Errors").
 */
import { AwsError } from "../../../core/aws-error.js";

export const invalidParameter = (message: string) => new AwsError("InvalidParameterValueException", message);

export const validation = (value: unknown, member: string, constraint: string) =>
  new AwsError("ValidationException", `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);

export const mappingNotFound = () => new AwsError("ResourceNotFoundException", "The resource you requested does not exist.", { status: 404 });

export const functionNotFound = (arn: string) => new AwsError("ResourceNotFoundException", `Function not found: ${arn}`, { status: 404 });

export const conflict = (message: string) => new AwsError("ResourceConflictException", message, { status: 409 });

export const inUse = (message: string) => new AwsError("ResourceInUseException", message);
