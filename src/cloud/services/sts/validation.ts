/**
 * STS input checks in the words of AWS's validation layer ("1 validation
 * error detected: Value '100' at 'durationSeconds' failed to satisfy
 * constraint: Member must have value greater than or equal to 900"), and
 * STS's timestamp format. (IAM has its own copy: services never share code
 * across folders.)
 */
import { AwsError } from "../../core/aws-error.js";

export class StsChecks {
  private readonly problems: string[] = [];

  private add(value: unknown, field: string, constraint: string): void {
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

/** STS writes timestamps as ISO 8601 without milliseconds (2026-11-22T10:00:00Z). */
export function stsTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");
}
