/**
 * What SendMessage refuses before anything is stored: bodies with characters
 * outside the XML range SQS allows, messages over the queue's
 * MaximumMessageSize (body plus every attribute's name, type and value count),
 * and malformed message attributes (more than 10, bad names, unknown data
 * types, empty or non-numeric values). Each refusal is the AWS error code;
 * exact wording is AWS's where it is documented, else close to it
 * (UNCERTAIN, see index.ts).
 */
import type { StoredMessageAttribute } from "./state.js";
import { invalidMessageContents, invalidParameterValue, missingParameter } from "./errors.js";

const ALLOWED_CHARS = "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";

/** Find the first code point SQS does not accept, if any. */
function firstInvalidCodePoint(text: string): number | undefined {
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) return cp;
  }
  return undefined;
}

export function validateBody(body: unknown): string {
  if (body === undefined || body === null) throw missingParameter("MessageBody");
  if (typeof body !== "string") throw invalidParameterValue("Value for parameter MessageBody is invalid. Reason: it must be a string.");
  if (body.length === 0) throw missingParameter("MessageBody");
  const bad = firstInvalidCodePoint(body);
  if (bad !== undefined) {
    throw invalidMessageContents(`Invalid binary character '#x${bad.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is ${ALLOWED_CHARS}`);
  }
  return body;
}

const TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** Validate and normalise message attributes (JSON shape: { name: { DataType, StringValue | BinaryValue } }). */
export function validateMessageAttributes(raw: unknown): Record<string, StoredMessageAttribute> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidParameterValue("MessageAttributes must be a map of attribute name to value.");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10) throw invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  const out: Record<string, StoredMessageAttribute> = {};
  for (const [name, value] of entries) {
    if (!NAME.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw invalidParameterValue(
        `Message (user) attribute name '${name}' is invalid. Names can contain alphanumeric characters, hyphens, underscores and periods (not at the start or end, never two in a row), up to 256 characters.`,
      );
    }
    if (/^(aws\.|amazon\.)/i.test(name)) {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid. The prefixes 'AWS.' and 'Amazon.' are reserved.`);
    }
    const v = (value ?? {}) as Record<string, unknown>;
    const dataType = v.DataType;
    if (typeof dataType !== "string" || !dataType) throw invalidParameterValue(`The message attribute '${name}' must contain a non-empty message attribute type.`);
    const m = TYPE.exec(dataType);
    if (!m) {
      throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    const base = m[1]!;
    if (v.StringListValues !== undefined || v.BinaryListValues !== undefined) {
      const lists = [v.StringListValues, v.BinaryListValues].filter((l) => Array.isArray(l) && l.length);
      if (lists.length) throw invalidParameterValue(`Message attribute list values in SendMessage operation are not supported.`);
    }
    if (base === "Binary") {
      const binary = v.BinaryValue;
      if (typeof binary !== "string" || binary.length === 0) {
        throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      out[name] = { DataType: dataType, BinaryValue: binary };
      continue;
    }
    const text = v.StringValue;
    if (typeof text !== "string" || text.length === 0) {
      throw invalidParameterValue(`The message attribute '${name}' must contain a non-empty message attribute value for message attribute type '${base}'.`);
    }
    if (base === "Number" && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) {
      throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    const bad = firstInvalidCodePoint(text);
    if (bad !== undefined) {
      throw invalidParameterValue(`Message (user) attribute '${name}' value contains invalid binary character '#x${bad.toString(16).toUpperCase()}'. You must use only the following supported characters: ${ALLOWED_CHARS}.`);
    }
    out[name] = { DataType: dataType, StringValue: text };
  }
  return out;
}

/** Bytes SQS counts toward the size limit: the body plus each attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, StoredMessageAttribute>): number {
  let size = Buffer.byteLength(body, "utf8");
  for (const [name, attr] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(attr.DataType, "utf8");
    size += attr.BinaryValue !== undefined ? Buffer.from(attr.BinaryValue, "base64").length : Buffer.byteLength(attr.StringValue ?? "", "utf8");
  }
  return size;
}

export function checkSize(size: number, limit: number): void {
  if (size > limit) throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
}

/** Integer parameter in a range: the JSON protocol sends numbers, awsQuery strings. */
export function intParam(name: string, value: unknown, min: number, max: number, reason?: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason ?? `Must be >= ${min} and <= ${max}, if provided.`}`);
  }
  return n;
}
