/**
 * Identifiers that look like AWS's: request ids, S3 host ids, role ids, access
 * keys, hex sequencers. Consumers sometimes parse these (the SDK checks nothing,
 * but learners print them), so they keep AWS's alphabet and length.
 */
import { randomBytes, randomInt, randomUUID } from "node:crypto";

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function uuid(): string {
  return randomUUID();
}

/** S3-style request id: 16 uppercase hex characters. */
export function s3RequestId(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** S3's x-amz-id-2: a long base64 string. */
export function s3HostId(): string {
  return randomBytes(48).toString("base64");
}

/** `length` characters drawn uniformly from `alphabet` (randomInt: no modulo bias). */
export function randomFrom(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** IAM unique ids: AROA… for roles, ANPA… for policies, AIDA… for users; 21 characters. */
export function iamUniqueId(prefix: "AROA" | "ANPA" | "AIDA" | "ASIA" | "AKIA"): string {
  return prefix + randomFrom(UPPER_ALNUM, 17);
}

export function secretKey(): string {
  return randomBytes(30).toString("base64").replace(/[+/=]/g, "").slice(0, 40).padEnd(40, "A");
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
