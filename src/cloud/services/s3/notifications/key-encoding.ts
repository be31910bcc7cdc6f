/**
 * How S3 writes an object key into an event record (aws-behavior.md §2, "Key
 * encoding"): form-urlencoded style — a space becomes "+", "/" stays, letters,
 * digits and ".-_*~" stay, every other character becomes its UTF-8 bytes as
 * upper-case %XX ("+" → %2B, "@" → %40, "=" → %3D, ":" → %3A, "ü" → %C3%BC).
 * A consumer gets the key back with decodeURIComponent(key.replace(/\+/g, " ")).
 * UNCERTAIN for "~!'()": "~" is left alone, "!'()" are encoded.
 */
const UNRESERVED = /[A-Za-z0-9.\-_*~/]/;

export function encodeEventKey(key: string): string {
  let out = "";
  for (const ch of key) {
    if (ch === " ") out += "+";
    else if (UNRESERVED.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}
