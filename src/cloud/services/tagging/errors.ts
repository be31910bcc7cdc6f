/**
 * The Resource Groups Tagging API's errors. Every input problem is an
 * InvalidParameterException (400) on AWS — a missing parameter, a malformed
 * string, a value out of range, parameters that may not be combined — so
 * there is one helper; the messages are the local cloud's own words.
 */
import { AwsError } from "../../core/aws-error.js";

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

/** A PaginationToken this cloud did not hand out (or one for another operation). */
export function badToken(): AwsError {
  return invalidParameter("The PaginationToken is not valid: pass the PaginationToken of the previous response unchanged, or none for the first page.");
}
