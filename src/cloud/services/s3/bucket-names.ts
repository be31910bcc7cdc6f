/**
 * S3's general-purpose bucket naming rules (User Guide, "Bucket naming
 * rules"): 3–63 characters of lower-case letters, digits, dots and hyphens,
 * beginning and ending with a letter or digit, no two adjacent dots, not
 * shaped like an IP address, and none of the reserved prefixes and suffixes.
 * A name that breaks any rule is 400 InvalidBucketName.
 */
import { AwsError } from "../../core/aws-error.js";

const RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be between 3 and 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "can consist only of lowercase letters, numbers, dots and hyphens";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must begin and end with a letter or number";
  if (name.includes("..")) return "must not contain two adjacent periods";
  if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return "must not be formatted as an IP address";
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return "must not start with a reserved prefix";
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return "must not end with a reserved suffix";
  return undefined;
}

/** Throws InvalidBucketName as S3 does (its message names no rule; the rule goes to the local log). */
export function checkBucketName(name: string): void {
  if (bucketNameProblem(name) !== undefined) {
    throw new AwsError("InvalidBucketName", "The specified bucket is not valid.", { fields: { BucketName: name } });
  }
}
