/**
 * Tag sets: the `x-amz-tagging` header of PutObject/CreateMultipartUpload/
 * CopyObject (URL query encoded, "k1=v1&k2=v2") and the <Tagging><TagSet>
 * XML body of Put{Object,Bucket}Tagging, validated with S3's limits and
 * messages: object tag sets hold at most 10 tags, bucket tag sets 50; keys
 * 1–128 characters, values up to 256; no duplicate keys; no "aws:" keys.
 */
import { AwsError } from "../../core/aws-error.js";
import { parseXml, XmlParseError } from "../../protocols/xml.js";
import { malformedXml } from "./errors.js";
import type { Tag } from "./object-store.js";

const invalidTag = (message: string) => new AwsError("InvalidTag", message);

function validate(tags: Tag[], limit: number, what: "Object" | "Bucket", allowAwsPrefix = false): Tag[] {
  if (tags.length > limit) {
    throw new AwsError("BadRequest", what === "Object" ? "Object tags cannot be greater than 10" : "Bucket tag count cannot be greater than 50");
  }
  const seen = new Set<string>();
  for (const { Key, Value } of tags) {
    if (Key.length === 0) throw invalidTag("The TagKey you have provided is invalid");
    if ([...Key].length > 128) throw invalidTag("The TagKey you have provided is too long, max 128");
    if ([...Value].length > 256) throw invalidTag("The TagValue you have provided is too long, max 256");
    if (!allowAwsPrefix && Key.toLowerCase().startsWith("aws:")) throw invalidTag("Your TagKey cannot be prefixed with aws:");
    if (seen.has(Key)) throw invalidTag("Cannot provide multiple Tags with the same key");
    seen.add(Key);
  }
  return tags;
}

/** The x-amz-tagging header. */
export function parseTaggingHeader(value: string | undefined): Tag[] | undefined {
  if (value === undefined) return undefined;
  const tags: Tag[] = [];
  const seen = new Set<string>();
  for (const [Key, Value] of new URLSearchParams(value)) {
    if (seen.has(Key)) {
      throw new AwsError(
        "InvalidArgument",
        "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
        { fields: { ArgumentName: "x-amz-tagging", ArgumentValue: value } },
      );
    }
    seen.add(Key);
    tags.push({ Key, Value });
  }
  return validate(tags, 10, "Object");
}

/** A <Tagging> request body. */
export function parseTaggingBody(body: Buffer, what: "Object" | "Bucket", allowAwsPrefix = false): Tag[] {
  let doc: Record<string, any>;
  try {
    doc = parseXml(body.toString("utf8"), ["Tag"]);
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
  const tagSet = doc.Tagging?.TagSet;
  if (doc.Tagging === undefined || tagSet === undefined) throw malformedXml();
  const raw: any[] = tagSet === "" ? [] : (tagSet.Tag ?? []);
  const tags = raw.map((t) => {
    // Key and Value are both required members of <Tag> (an empty <Value/> is an empty value).
    if (!t || typeof t !== "object" || typeof t.Key !== "string" || typeof t.Value !== "string") throw malformedXml();
    return { Key: t.Key, Value: t.Value };
  });
  return validate(tags, what === "Object" ? 10 : 50, what, allowAwsPrefix);
}

/** The XML body of Get{Object,Bucket}Tagging. */
export function tagSetXml(tags: Tag[]): Record<string, unknown> {
  return { TagSet: { Tag: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } };
}
