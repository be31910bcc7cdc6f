/**
 * XML in and out, on fast-xml-parser. Parsing is strict about well-formedness
 * (malformed XML is the caller's MalformedXML error, never a crash) and lets
 * the caller name which elements are lists, because XML cannot tell a list of
 * one from a single element. Building takes plain objects: arrays repeat the
 * element (flattened lists, as S3 uses) unless wrapped with `members()`
 * (awsQuery's <member> lists) or `entries()` (awsQuery maps).
 *
 * Hostile documents are refused before the parser builds anything (issue 11):
 * a DOCTYPE or ENTITY declaration (no request body AWS reads declares one;
 * refusing them rules out entity expansion and external entities), and
 * nesting deeper than MAX_XML_DEPTH (the parser builds and walks its tree
 * recursively, so 20k nested tags overflowed the stack and answered 500).
 * Callers turn XmlParseError into their service's error (S3 MalformedXML).
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";

export class XmlParseError extends Error {}

/** The deepest element nesting accepted; S3's deepest request document (lifecycle, replication) nests about 8. */
export const MAX_XML_DEPTH = 64;

/** How deep elements nest, by a linear scan that skips comments, CDATA, processing instructions and attributes. */
function nestingDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let i = text.indexOf("<");
  while (i >= 0 && i < text.length) {
    if (text.startsWith("<!--", i)) i = skipTo(text, "-->", i);
    else if (text.startsWith("<![CDATA[", i)) i = skipTo(text, "]]>", i);
    else if (text.startsWith("<?", i)) i = skipTo(text, "?>", i);
    else if (text.startsWith("</", i)) {
      depth--;
      i = skipTo(text, ">", i);
    } else {
      const end = skipTo(text, ">", i);
      if (text[end - 2] !== "/") {
        depth++;
        if (depth > limit) return true;
      }
      i = end;
    }
    if (i < 0) return false; // unterminated: the validator reports it
    i = text.indexOf("<", i);
  }
  return false;
}

/** Index just past the next `token` at or after `from`, or -1. Attribute values may hold '>' only quoted; good enough for a depth bound. */
function skipTo(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from + 1);
  return at < 0 ? -1 : at + token.length;
}

/** Parse XML into plain objects. `arrays` lists element names that are always arrays. */
export function parseXml(text: string, arrays: string[] = []): Record<string, any> {
  if (!text.trim()) throw new XmlParseError("empty document");
  if (/<!(DOCTYPE|ENTITY)/i.test(text)) throw new XmlParseError("DOCTYPE and ENTITY declarations are not allowed");
  if (nestingDeeperThan(text, MAX_XML_DEPTH)) throw new XmlParseError(`elements nest deeper than ${MAX_XML_DEPTH} levels`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlParseError(valid.err.msg);
  const listNames = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    isArray: (name) => listNames.has(name),
  });
  return parser.parse(text) as Record<string, any>;
}

/** Marks an array to be written as <member> children (awsQuery lists). */
export class XmlMembers {
  constructor(
    readonly items: unknown[],
    readonly itemName = "member",
  ) {}
}
export function members(items: unknown[], itemName = "member"): XmlMembers {
  return new XmlMembers(items, itemName);
}

/** Marks an object to be written as <entry><key/><value/></entry> children (awsQuery maps). */
export class XmlEntries {
  constructor(
    readonly map: Record<string, unknown>,
    readonly keyName = "key",
    readonly valueName = "value",
  ) {}
}
export function entries(map: Record<string, unknown>, keyName = "key", valueName = "value"): XmlEntries {
  return new XmlEntries(map, keyName, valueName);
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  format: false,
  processEntities: true,
});

/** Turn marker classes into the shapes fast-xml-parser's builder writes; drop undefined. */
function prepare(value: unknown): unknown {
  if (value instanceof XmlMembers) {
    return { [value.itemName]: value.items.map(prepare) };
  }
  if (value instanceof XmlEntries) {
    return {
      entry: Object.entries(value.map).map(([k, v]) => ({ [value.keyName]: k, [value.valueName]: prepare(v) })),
    };
  }
  if (Array.isArray(value)) return value.map(prepare);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[k] = prepare(v);
    }
    return out;
  }
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  return value;
}

/** Build `<?xml…?><root xmlns="ns">…</root>`. */
export function buildXml(root: string, body: Record<string, unknown>, xmlns?: string): string {
  const content = xmlns ? { "@_xmlns": xmlns, ...body } : body;
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [root]: prepare(content) });
}
