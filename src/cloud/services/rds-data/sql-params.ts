/**
 * The Data API's named parameters: SQL says `:name`, the request gives
 * `parameters: [{ name, value: Field, typeHint }]`. Each `:name` outside
 * string literals, quoted identifiers, dollar quotes and comments (and not
 * the `::` of a cast) becomes a PostgreSQL positional `$n`, the same name
 * always the same `$n`; each Field becomes a text value and a parameter type,
 * as the Data API binds them through JDBC (aws-behavior.md §9):
 *
 *   longValue → int8, doubleValue → float8, booleanValue → bool,
 *   blobValue → bytea, isNull → unknown, stringValue → varchar, or with a
 *   typeHint DATE/TIME/TIMESTAMP/DECIMAL/JSON/UUID → date/time/timestamp/
 *   numeric/json/uuid.
 *
 * So a stringValue for a timestamp or jsonb column without its typeHint
 * fails as on AWS: `column "x" is of type … but expression is of type
 * character varying`.
 */
import { AwsError } from "../../core/aws-error.js";

export interface Field {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
  blobValue?: string;
  arrayValue?: unknown;
}

export interface SqlParameter {
  name?: string;
  value?: Field;
  typeHint?: string;
}

export const OID = { bool: 16, bytea: 17, int8: 20, float8: 701, varchar: 1043, date: 1082, time: 1083, timestamp: 1114, numeric: 1700, json: 114, uuid: 2950, unknown: 0 } as const;

const HINTS: Record<string, number> = { DATE: OID.date, TIME: OID.time, TIMESTAMP: OID.timestamp, DECIMAL: OID.numeric, JSON: OID.json, UUID: OID.uuid };

function badRequest(message: string): AwsError {
  return new AwsError("BadRequestException", message);
}

/** `:name` → `$n`; returns the rewritten SQL and the names in `$n` order. */
export function positionalSql(sql: string): { text: string; names: string[] } {
  const names: string[] = [];
  let out = "";
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'" ) {
      // A string literal ('' escapes; E'…' also \' escapes).
      const escaped = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !/[A-Za-z0-9_]/.test(sql[i - 2]!));
      let j = i + 1;
      while (j < n) {
        if (escaped && sql[j] === "\\") j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j + 1;
    } else if (c === "-" && next === "-") {
      const j = sql.indexOf("\n", i);
      const end = j < 0 ? n : j;
      out += sql.slice(i, end);
      i = end;
    } else if (c === "/" && next === "*") {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === "/" && sql[j + 1] === "*") (depth++, (j += 2));
        else if (sql[j] === "*" && sql[j + 1] === "/") (depth--, (j += 2));
        else j++;
      }
      out += sql.slice(i, j);
      i = j;
    } else if (c === "$" && /[A-Za-z_$]/.test(next ?? "") && !(i > 0 && /[A-Za-z0-9_]/.test(sql[i - 1]!))) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m) {
        const tag = m[0];
        const end = sql.indexOf(tag, i + tag.length);
        const stop = end < 0 ? n : end + tag.length;
        out += sql.slice(i, stop);
        i = stop;
      } else {
        out += c;
        i++;
      }
    } else if (c === ":" && next === ":") {
      out += "::";
      i += 2;
    } else if (c === ":" && /[A-Za-z_]/.test(next ?? "")) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      const name = m[0];
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i += 1 + name.length;
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, names };
}

/** One Field as a PostgreSQL text value and parameter type. */
export function bindField(field: Field | undefined, typeHint: string | undefined, name: string): { value: string | null; type: number } {
  if (!field || typeof field !== "object") throw badRequest(`Parameter ${name} has no value.`);
  const set = Object.entries(field).filter(([, v]) => v !== undefined && v !== null);
  if (set.length !== 1) throw badRequest(`Parameter ${name} must set exactly one of isNull, booleanValue, longValue, doubleValue, stringValue, blobValue.`);
  const [kind, v] = set[0]!;
  if (typeHint !== undefined && !(typeHint in HINTS)) throw new AwsError("ValidationException", `Invalid typeHint ${typeHint}: must be one of DATE, DECIMAL, JSON, TIME, TIMESTAMP, UUID.`);
  switch (kind) {
    case "isNull":
      return { value: null, type: typeHint ? HINTS[typeHint]! : OID.unknown };
    case "booleanValue":
      if (typeof v !== "boolean") throw badRequest(`Parameter ${name}: booleanValue must be true or false.`);
      return { value: v ? "true" : "false", type: OID.bool };
    case "longValue":
      if (typeof v !== "number" || !Number.isInteger(v)) throw badRequest(`Parameter ${name}: longValue must be an integer.`);
      return { value: BigInt(v).toString(), type: OID.int8 };
    case "doubleValue":
      if (typeof v !== "number") throw badRequest(`Parameter ${name}: doubleValue must be a number.`);
      return { value: String(v), type: OID.float8 };
    case "stringValue":
      if (typeof v !== "string") throw badRequest(`Parameter ${name}: stringValue must be a string.`);
      return { value: v, type: typeHint ? HINTS[typeHint]! : OID.varchar };
    case "blobValue":
      if (typeof v !== "string") throw badRequest(`Parameter ${name}: blobValue must be base64.`);
      return { value: "\\x" + Buffer.from(v, "base64").toString("hex"), type: OID.bytea };
    case "arrayValue":
      throw badRequest("Array parameters are not supported.");
    default:
      throw badRequest(`Parameter ${name} has an unknown value type ${kind}.`);
  }
}

export type BoundStatement = { text: string; values: Array<string | null>; types: number[] };

/** The statement's text, values and types for the engine. */
export function bindStatement(sql: string, parameters: SqlParameter[] | undefined): BoundStatement {
  return bindPositional(positionalSql(sql), parameters);
}

/** One statement per parameter set (BatchExecuteStatement): the SQL is rewritten once for all of them. */
export function bindStatements(sql: string, sets: Array<SqlParameter[] | undefined>): BoundStatement[] {
  const positional = positionalSql(sql);
  return sets.map((set) => bindPositional(positional, set));
}

function bindPositional({ text, names }: { text: string; names: string[] }, parameters: SqlParameter[] | undefined): BoundStatement {
  const byName = new Map<string, SqlParameter>();
  for (const p of parameters ?? []) {
    if (!p || typeof p.name !== "string" || p.name === "") throw badRequest("Every parameter needs a name (SQL refers to it as :name).");
    byName.set(p.name, p);
  }
  const values: Array<string | null> = [];
  const types: number[] = [];
  names.forEach((name, index) => {
    const p = byName.get(name);
    if (!p) throw new AwsError("BadRequestException", `No value specified for parameter ${index + 1} (:${name}).`);
    const bound = bindField(p.value, p.typeHint, name);
    values.push(bound.value);
    types.push(bound.type);
  });
  return { text, values, types };
}
