/**
 * The checksums SQS returns with SendMessage and ReceiveMessage. SDK v3
 * recomputes MD5OfMessageBody/MD5OfBody and throws when they differ; the Java
 * and .NET SDKs also check MD5OfMessageAttributes, so that one follows AWS's
 * documented encoding exactly (SQS developer guide, "Calculating the MD5
 * message digest for message attributes"): attributes sorted by name, each as
 * length-prefixed name, length-prefixed data type, one transport byte
 * (1 = String/Number, 2 = Binary), length-prefixed value; lengths are 4-byte
 * big-endian; MD5 of the concatenation, lowercase hex.
 */
import { createHash } from "node:crypto";
import type { StoredMessageAttribute } from "./state.js";

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function md5OfMessageAttributes(attributes: Record<string, StoredMessageAttribute>): string | undefined {
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  // Sorted by the UTF-8 bytes of the name (AWS sorts names as byte strings).
  names.sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
  const parts: Buffer[] = [];
  for (const name of names) {
    const attr = attributes[name]!;
    parts.push(lengthPrefixed(Buffer.from(name, "utf8")), lengthPrefixed(Buffer.from(attr.DataType, "utf8")));
    if (attr.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(attr.BinaryValue, "base64")));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(attr.StringValue ?? "", "utf8")));
    }
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}
