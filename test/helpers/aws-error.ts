/**
 * For unit tests of code that throws AWS errors synchronously: the AwsError a
 * call throws. Any other exception propagates, and not throwing fails the test.
 */
import { AwsError } from "../../src/cloud/core/aws-error.js";

export function thrownAwsError(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AwsError) return err;
    throw err;
  }
  throw new Error("expected an AwsError");
}
