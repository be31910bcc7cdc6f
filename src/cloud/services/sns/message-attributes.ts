/**
 * SNS message attributes: validation as Publish does it (names, data types
 * String / Number / Binary / String.Array, with optional custom suffixes such
 * as "Number.float"), and the two shapes they are delivered in:
 * - in JSON envelopes (SQS without raw delivery, Lambda, HTTP):
 *   `{"name": {"Type": "String", "Value": "…"}}` (Binary as base64);
 * - as SQS message attributes when raw delivery is on
 *   (`{DataType, StringValue | BinaryValue}`).
 * And the view filter policies see: String → string, Number → number,
 * String.Array → the parsed array; Binary attributes are not matchable.
 */
import type { MessageAttributeValue } from "../../core/destinations.js";
import { invalidParameter, invalidParameterValue } from "./errors.js";

export type SnsAttributes = Record<string, MessageAttributeValue>;

const NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Validate the attributes of a Publish (already unflattened from the query form). */
export function validateAttributes(raw: unknown): SnsAttributes {
  if (raw === undefined) return {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw invalidParameter("MessageAttributes");
  const out: SnsAttributes = {};
  const entries = Object.entries(raw as Record<string, any>);
  if (entries.length > 10) throw invalidParameterValue("Number of message attributes [" + entries.length + "] exceeds the allowed maximum [10].");
  for (const [name, value] of entries) {
    if (!NAME.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..") || /^(aws|amazon)\./i.test(name)) {
      throw invalidParameterValue(`The message attribute name '${name}' is invalid. Names may contain letters, digits, '_', '-' and '.', must not start or end with '.', contain '..' or start with 'AWS.'/'Amazon.'.`);
    }
    const dataType = typeof value?.DataType === "string" ? value.DataType : "";
    const base = dataType.split(".")[0];
    if (!dataType || !["String", "Number", "Binary"].includes(base!)) {
      throw invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    if (base === "Binary") {
      if (typeof value.BinaryValue !== "string" || value.BinaryValue === "") {
        throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
      }
      out[name] = { DataType: dataType, BinaryValue: value.BinaryValue };
      continue;
    }
    if (typeof value.StringValue !== "string" || value.StringValue === "") {
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    if (base === "Number" && !Number.isFinite(Number(value.StringValue))) {
      throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
    }
    if (dataType === "String.Array") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.StringValue);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed) || parsed.some((v) => v !== null && typeof v === "object")) {
        throw invalidParameterValue(`Message attribute '${name}' of type String.Array must be a JSON array of strings, numbers, true, false or null.`);
      }
    }
    out[name] = { DataType: dataType, StringValue: value.StringValue };
  }
  return out;
}

/** Byte size as SNS counts it toward the 256 KB limit: name + type + value. */
export function attributesSize(attributes: SnsAttributes): number {
  let size = 0;
  for (const [name, v] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(v.DataType);
    size += v.BinaryValue !== undefined ? Buffer.from(v.BinaryValue, "base64").length : Buffer.byteLength(v.StringValue ?? "");
  }
  return size;
}

/** `{"name": {"Type": "String", "Value": "…"}}` as in notification envelopes. */
export function envelopeAttributes(attributes: SnsAttributes): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, v] of Object.entries(attributes)) out[name] = { Type: v.DataType, Value: v.BinaryValue ?? v.StringValue ?? "" };
  return out;
}

/** The object a MessageAttributes-scoped filter policy is matched against. */
export function filterView(attributes: SnsAttributes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(attributes)) {
    const base = v.DataType.split(".")[0];
    if (base === "Binary") continue;
    if (v.DataType === "String.Array") out[name] = JSON.parse(v.StringValue ?? "[]");
    else if (base === "Number") out[name] = Number(v.StringValue);
    else out[name] = v.StringValue;
  }
  return out;
}
