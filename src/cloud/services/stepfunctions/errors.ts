/**
 * Step Functions' error codes (awsJson 1.0) and the messages AWS uses for
 * them (aws-behavior.md §10). The wire `__type` namespace is
 * com.amazonaws.swf.service.v2.model (index.ts).
 */
import { AwsError } from "../../core/aws-error.js";

export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

/** "1 validation error detected: Value '<v>' at '<field>' failed to satisfy constraint: <rule>" */
export function constraint(value: unknown, field: string, rule: string): AwsError {
  const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
  return validation(`1 validation error detected: Value ${shown} at '${field}' failed to satisfy constraint: ${rule}`);
}

export function invalidArn(arn: unknown): AwsError {
  return new AwsError("InvalidArn", `Invalid Arn: '${String(arn)}'`);
}

export function machineNotFound(arn: string): AwsError {
  return new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
}

export function executionNotFound(arn: string): AwsError {
  return new AwsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${arn}'`);
}

export function invalidDefinition(problems: string[]): AwsError {
  // AWS joins several problems as ''A', 'B'' (aws-behavior.md §10).
  const body = problems.length === 1 ? `'${problems[0]}'` : `'${problems.map((p) => `'${p}'`).join(", ")}'`;
  return new AwsError("InvalidDefinition", `Invalid State Machine Definition: ${body}`);
}

export function resourceNotFound(arn: string): AwsError {
  return new AwsError("ResourceNotFound", `Resource not found: '${arn}'`);
}
