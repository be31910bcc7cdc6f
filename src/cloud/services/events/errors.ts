/**
 * EventBridge's error codes (awsJson 1.1, namespace com.amazonaws.events) and
 * the messages AWS uses for them.
 */
import { AwsError } from "../../core/aws-error.js";

export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

export function busNotFound(name: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
}

export function ruleNotFound(name: string, bus: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Rule ${name} does not exist on EventBus ${bus}.`);
}

export function invalidPattern(reason: string): AwsError {
  return new AwsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${reason}`);
}
