/**
 * PostgreSQL results (text forms and type OIDs, from the engine) in the Data
 * API's shapes (aws-behavior.md §9, [DAPI data-api-json]):
 *
 * - `records`: one Field per column — int2/int4/int8/oid → longValue
 *   (stringValue with longReturnType STRING), float4/float8 → doubleValue,
 *   numeric → stringValue (decimalReturnType DOUBLE_OR_LONG: longValue or
 *   doubleValue), bool → booleanValue, bytea → blobValue (base64), one-
 *   dimensional arrays → arrayValue, NULL → { isNull: true }, everything
 *   else (text, dates, timestamps, uuid, json…) → stringValue; timestamptz in
 *   UTC without its offset.
 * - `formattedRecords` (formatRecordsAs JSON): a JSON string of objects
 *   keyed by column label; numbers stay numbers (numeric as strings by
 *   default), NULL is null, other types strings.
 * - `columnMetadata` (includeResultMetadata): name, label, JDBC type code
 *   and PostgreSQL type name, precision/scale as PostgreSQL's JDBC driver
 *   reports them for the type.
 */
import { AwsError } from "../../core/aws-error.js";

export interface EngineResult {
  fields: Array<{ name: string; dataTypeID: number }>;
  rows: Array<Array<string | null>>;
  affectedRows: number;
  command?: string;
}

export interface ResultOptions {
  decimalReturnType?: string;
  longReturnType?: string;
}

const INTS = new Set([20, 21, 23, 26, 28]);
const FLOATS = new Set([700, 701]);
/** Array type OID → element type OID, for the arrays arrayValue can carry. */
const ARRAYS: Record<number, number> = { 1000: 16, 1005: 21, 1007: 23, 1016: 20, 1021: 700, 1022: 701, 1231: 1700, 1009: 25, 1015: 1043, 1014: 1042, 2951: 2950, 1182: 1082, 1115: 1114, 1185: 1184 };

/** JDBC type code, PostgreSQL type name, precision, scale (as pgjdbc reports them). */
const TYPES: Record<number, [number, string, number, number]> = {
  16: [-7, "bool", 1, 0],
  17: [-2, "bytea", 2147483647, 0],
  18: [1, "char", 1, 0],
  19: [12, "name", 2147483647, 0],
  20: [-5, "int8", 19, 0],
  21: [5, "int2", 5, 0],
  23: [4, "int4", 10, 0],
  25: [12, "text", 2147483647, 0],
  26: [-5, "oid", 10, 0],
  114: [1111, "json", 2147483647, 0],
  700: [7, "float4", 8, 8],
  701: [8, "float8", 17, 17],
  1042: [1, "bpchar", 2147483647, 0],
  1043: [12, "varchar", 2147483647, 0],
  1082: [91, "date", 13, 0],
  1083: [92, "time", 15, 6],
  1114: [93, "timestamp", 29, 6],
  1184: [93, "timestamptz", 35, 6],
  1266: [92, "timetz", 21, 6],
  1700: [2, "numeric", 0, 0],
  2950: [1111, "uuid", 2147483647, 0],
  3802: [1111, "jsonb", 2147483647, 0],
};

function typeInfo(oid: number): [number, string, number, number] {
  if (TYPES[oid]) return TYPES[oid]!;
  if (ARRAYS[oid] !== undefined) return [2003, `_${TYPES[ARRAYS[oid]!]?.[1] ?? "unknown"}`, 2147483647, 0];
  return [1111, "unknown", 2147483647, 0];
}

function toLong(text: string, options: ResultOptions): Record<string, unknown> {
  if (options.longReturnType === "STRING") return { stringValue: text };
  return { longValue: Number(text) };
}

function toDouble(text: string): number {
  if (text === "NaN") return NaN;
  if (text === "Infinity") return Infinity;
  if (text === "-Infinity") return -Infinity;
  return Number(text);
}

export function fieldOf(text: string | null, oid: number, options: ResultOptions): Record<string, unknown> {
  if (text === null) return { isNull: true };
  if (INTS.has(oid)) return toLong(text, options);
  if (FLOATS.has(oid)) return { doubleValue: toDouble(text) };
  if (oid === 1700) {
    if (options.decimalReturnType === "DOUBLE_OR_LONG") return /^-?\d+$/.test(text) ? { longValue: Number(text) } : { doubleValue: toDouble(text) };
    return { stringValue: text };
  }
  if (oid === 16) return { booleanValue: text === "t" || text === "true" };
  if (oid === 17) return { blobValue: byteaBase64(text) };
  if (ARRAYS[oid] !== undefined) return { arrayValue: arrayValueOf(parseArray(text), ARRAYS[oid]!, options) };
  if (oid === 1184) return { stringValue: utcTimestamp(text) };
  return { stringValue: text };
}

/**
 * timestamptz: the Data API answers UTC without an offset ("2026-12-02
 * 05:58:07.889", as clients that append "Z" to it rely on); the session's
 * time zone is UTC, so PostgreSQL's "+00" is all there is to drop.
 */
function utcTimestamp(text: string): string {
  return text.replace(/\+00$/, "");
}

function byteaBase64(text: string): string {
  if (text.startsWith("\\x")) return Buffer.from(text.slice(2), "hex").toString("base64");
  return Buffer.from(text, "latin1").toString("base64");
}

type ArrayItem = string | null | ArrayItem[];

/** PostgreSQL's array literal `{1,2,"a b",NULL,{3}}` → nested lists of texts. */
export function parseArray(text: string): ArrayItem[] {
  let i = text.indexOf("{");
  function list(): ArrayItem[] {
    const out: ArrayItem[] = [];
    i++; // past "{"
    while (i < text.length && text[i] !== "}") {
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "{") {
        out.push(list());
        continue;
      }
      if (text[i] === '"') {
        let s = "";
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") i++;
          s += text[i++];
        }
        i++;
        out.push(s);
        continue;
      }
      let j = i;
      while (j < text.length && text[j] !== "," && text[j] !== "}") j++;
      const raw = text.slice(i, j);
      out.push(raw === "NULL" ? null : raw);
      i = j;
    }
    i++; // past "}"
    return out;
  }
  return i < 0 ? [] : list();
}

function arrayValueOf(items: ArrayItem[], elementOid: number, options: ResultOptions): Record<string, unknown> {
  if (items.some((x) => Array.isArray(x))) {
    return { arrayValues: items.map((x) => arrayValueOf(Array.isArray(x) ? x : [x], elementOid, options)) };
  }
  const flat = items as Array<string | null>;
  if (flat.some((x) => x === null)) throw new AwsError("UnsupportedResultException", "The result contains an array with a NULL element, which the Data API cannot return.");
  const texts = flat as string[];
  if (elementOid === 16) return { booleanValues: texts.map((t) => t === "t" || t === "true") };
  if (INTS.has(elementOid)) return options.longReturnType === "STRING" ? { stringValues: texts } : { longValues: texts.map(Number) };
  if (FLOATS.has(elementOid)) return { doubleValues: texts.map(toDouble) };
  return { stringValues: texts };
}

export function columnMetadata(result: EngineResult) {
  return result.fields.map((f) => {
    const [type, typeName, precision, scale] = typeInfo(f.dataTypeID);
    return {
      name: f.name,
      label: f.name,
      type,
      typeName,
      precision,
      scale,
      schemaName: "",
      tableName: "",
      isAutoIncrement: false,
      isSigned: INTS.has(f.dataTypeID) || FLOATS.has(f.dataTypeID) || f.dataTypeID === 1700,
      isCurrency: false,
      isCaseSensitive: type === 12 || type === 1 || type === 1111,
      nullable: 2,
      arrayBaseColumnType: 0,
    };
  });
}

function jsonValue(text: string | null, oid: number, options: ResultOptions): unknown {
  if (text === null) return null;
  if (INTS.has(oid)) return options.longReturnType === "STRING" ? text : Number(text);
  if (FLOATS.has(oid)) return toDouble(text);
  if (oid === 1700) return options.decimalReturnType === "DOUBLE_OR_LONG" ? Number(text) : text;
  if (oid === 16) return text === "t" || text === "true";
  if (oid === 17) return byteaBase64(text);
  if (oid === 1184) return utcTimestamp(text);
  return text;
}

export function formattedRecords(result: EngineResult, options: ResultOptions): string {
  const rows = result.rows.map((row) => {
    const obj: Record<string, unknown> = {};
    result.fields.forEach((f, i) => (obj[f.name] = jsonValue(row[i] ?? null, f.dataTypeID, options)));
    return obj;
  });
  return JSON.stringify(rows);
}

export function records(result: EngineResult, options: ResultOptions) {
  return result.rows.map((row) => result.fields.map((f, i) => fieldOf(row[i] ?? null, f.dataTypeID, options)));
}
