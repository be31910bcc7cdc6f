/**
 * A small multipart/form-data reader for S3's browser uploads (POST Object):
 * the fields in order, each with its name, optional filename and content
 * type, and its bytes — binary-safe, working on the buffered body. S3 reads
 * fields up to the `file` field and ignores what follows it.
 */
import { AwsError } from "../../core/aws-error.js";

export interface FormField {
  name: string;
  filename?: string;
  contentType?: string;
  value: Buffer;
}

const malformedPost = () =>
  new AwsError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");

/** The boundary of a multipart/form-data Content-Type, or undefined when it is not one. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType.trim())) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function headerParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="([^"]*)"`, "i").exec(header) ?? new RegExp(`;\\s*${name}=([^;\\s]+)`, "i").exec(header);
  return m?.[1];
}

/** Parse the fields up to and including `file`. Throws MalformedPOSTRequest. */
export function parseFormData(body: Buffer, boundary: string): FormField[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: FormField[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw malformedPost();
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === "--") return fields; // closing delimiter
    if (body.subarray(at, at + 2).toString() !== "\r\n") throw malformedPost();
    at += 2;
    const headerEnd = body.indexOf("\r\n\r\n", at);
    if (headerEnd < 0) throw malformedPost();
    const headers: Record<string, string> = {};
    for (const line of body.subarray(at, headerEnd).toString("utf8").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw malformedPost();
    const disposition = headers["content-disposition"] ?? "";
    const name = headerParam(disposition, "name");
    if (!/^form-data/i.test(disposition) || name === undefined) throw malformedPost();
    const field: FormField = { name, value: body.subarray(headerEnd + 4, next), contentType: headers["content-type"] };
    const filename = headerParam(disposition, "filename");
    if (filename !== undefined) field.filename = filename;
    fields.push(field);
    if (name.toLowerCase() === "file") return fields;
    at = next + 2;
  }
}
