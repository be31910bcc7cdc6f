/**
 * Input checks in the words of AWS's model validation layer, as IAM and STS
 * (awsQuery services) answer them: "1 validation error detected: Value 'x'
 * at 'roleName' failed to satisfy constraint: Member must satisfy regular
 * expression pattern: [\w+=,.@-]+" — several problems joined with "; " under
 * "N validation errors detected". Field names are the camel-cased member
 * names, as AWS prints them. Services add their own named checks on top
 * (IAM's `name()`).
 */
import { AwsError } from "../core/aws-error.js";

/** Collects constraint violations of one request and throws them as one ValidationError. */
export class ModelChecks {
  private readonly problems: string[] = [];

  protected add(value: unknown, field: string, constraint: string): void {
    const shown = value === undefined || value === null ? "null" : `'${String(value)}'`;
    this.problems.push(`Value ${shown} at '${field}' failed to satisfy constraint: Member must ${constraint}`);
  }

  required(value: unknown, field: string): boolean {
    if (value === undefined || value === null) {
      this.add(value, field, "not be null");
      return false;
    }
    return true;
  }

  length(value: string | undefined, field: string, min: number, max: number): void {
    if (value === undefined) return;
    if (value.length < min) this.add(value, field, `have length greater than or equal to ${min}`);
    else if (value.length > max) this.add(value, field, `have length less than or equal to ${max}`);
  }

  pattern(value: string | undefined, field: string, regex: RegExp, shown: string): void {
    if (value !== undefined && !regex.test(value)) this.add(value, field, `satisfy regular expression pattern: ${shown}`);
  }

  range(value: number | undefined, field: string, min: number, max: number): void {
    if (value === undefined) return;
    if (value < min) this.add(value, field, `have value greater than or equal to ${min}`);
    else if (value > max) this.add(value, field, `have value less than or equal to ${max}`);
  }

  throwIfAny(): void {
    if (!this.problems.length) return;
    const n = this.problems.length;
    throw new AwsError("ValidationError", `${n} validation error${n > 1 ? "s" : ""} detected: ${this.problems.join("; ")}`);
  }
}

/** An integer form parameter (awsQuery sends numbers as text). */
export function intParam(value: unknown, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new AwsError("ValidationError", `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must be an integer`);
  }
  return n;
}
