/**
 * XML in and out, on fast-xml-parser. Parsing is strict about well-formedness
 * (malformed XML is the caller's MalformedXML error, never a crash) and lets
 * the caller name which elements are lists, because XML cannot tell a list of
 * one from a single element. Building takes plain objects: arrays repeat the
 * element (flattened lists, as S3 uses) unless wrapped with `members()`
 * (awsQuery's <member> lists) or `entries()` (awsQuery maps).
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";

export class XmlParseError extends Error {}

/** Parse XML into plain objects. `arrays` lists element names that are always arrays. */
export function parseXml(text: string, arrays: string[] = []): Record<string, any> {
  if (!text.trim()) throw new XmlParseError("empty document");
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
