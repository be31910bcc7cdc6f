/**
 * STS input checks — AWS's model validation wording, shared with IAM in
 * protocols/model-validation.ts ("1 validation error detected: Value '100' at
 * 'durationSeconds' failed to satisfy constraint: Member must have value
 * greater than or equal to 900") — and STS's timestamp format.
 */
export { ModelChecks as StsChecks, intParam } from "../../protocols/model-validation.js";

/** STS writes timestamps as ISO 8601 without milliseconds (2026-11-22T10:00:00Z). */
export function stsTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, "Z");
}
