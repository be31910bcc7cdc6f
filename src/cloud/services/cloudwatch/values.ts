/**
 * Reading CloudWatch inputs the same way whichever protocol carried them:
 * awsJson sends numbers, booleans and timestamps as epoch seconds; awsQuery
 * sends everything as text (timestamps ISO 8601); rpcv2Cbor timestamps arrive
 * as Date objects (wire.ts decodes tag 1). Dimension rules from the model:
 * ≤ 30 per metric, Name 1–255, Value 1–1024.
 */
import type { MetricDimension } from "../../core/metrics.js";
import { invalidParameterCombination, invalidParameterValue, missingParameter } from "./errors.js";

export type Input = Record<string, unknown>;

export function str(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

export function requiredString(input: Input, name: string, label = name): string {
  const value = str(input[name]);
  if (value === undefined || value === "") throw missingParameter(label);
  return value;
}

export function num(value: unknown, label: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  if (Number.isNaN(n) && typeof value === "string" && !/^nan$/i.test(value.trim())) {
    throw invalidParameterValue(`The value ${String(value)} for parameter ${label} is not a number.`);
  }
  return n;
}

export function int(value: unknown, label: string): number | undefined {
  const n = num(value, label);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n)) throw invalidParameterValue(`The value ${String(value)} for parameter ${label} is not an integer.`);
  return n;
}

export function bool(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

export function list(value: unknown): unknown[] {
  if (value === undefined || value === null || value === "") return [];
  if (Array.isArray(value)) return value;
  if (typeof value === "object") return Object.values(value as Record<string, unknown>);
  return [value];
}

export function strings(value: unknown): string[] {
  return list(value).map((v) => str(v)).filter((v): v is string => v !== undefined);
}

/** A timestamp as ms since the epoch: a Date, epoch seconds, or an ISO 8601 string. */
export function timestamp(value: unknown, label: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value * 1000;
  else if (typeof value === "string") ms = /^-?\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  else ms = NaN;
  if (!Number.isFinite(ms)) throw invalidParameterValue(`The parameter ${label} must be a valid timestamp (ISO 8601 or epoch seconds); got ${JSON.stringify(value)}.`);
  return ms;
}

export function requiredTimestamp(input: Input, name: string): number {
  const t = timestamp(input[name], name);
  if (t === undefined) throw missingParameter(name);
  return t;
}

/** Dimensions of a metric: validated, sorted by name (series identity does not depend on their order). */
export function dimensions(value: unknown, label: string, options: { valueOptional?: boolean } = {}): MetricDimension[] {
  const items = list(value);
  if (items.length > 30) throw invalidParameterValue(`The collection ${label} must not have a size greater than 30.`);
  const out: MetricDimension[] = [];
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const rec = (item && typeof item === "object" ? item : {}) as Input;
    const name = str(rec.Name);
    const val = str(rec.Value);
    if (!name) throw missingParameter(`${label}.member.${i + 1}.Name`);
    if (name.length > 255) throw invalidParameterValue(`The parameter ${label}.member.${i + 1}.Name must be shorter than 256 characters.`);
    if (val === undefined || val === "") {
      if (!options.valueOptional) throw missingParameter(`${label}.member.${i + 1}.Value`);
    } else if (val.length > 1024) {
      throw invalidParameterValue(`The parameter ${label}.member.${i + 1}.Value must be shorter than 1025 characters.`);
    }
    if (seen.has(name)) throw invalidParameterCombination(`No Metric may specify the same dimension name twice (${name}).`);
    seen.add(name);
    out.push(val === undefined || val === "" ? { Name: name, Value: "" } : { Name: name, Value: val });
  });
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** Units the model allows (StandardUnit). */
export const UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
  "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
  "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
  "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]);

export function unit(value: unknown, label: string): string | undefined {
  const u = str(value);
  if (u === undefined || u === "") return undefined;
  if (!UNITS.has(u)) throw invalidParameterValue(`The parameter ${label} must be a value in the set [ ${[...UNITS].join(", ")} ].`);
  return u;
}

/** Namespace rules: 1–255 characters, no leading ":" (model pattern [^:].*). */
export function namespace(value: unknown, label = "Namespace"): string {
  const ns = str(value);
  if (ns === undefined || ns === "") throw missingParameter(label);
  if (ns.length > 255) throw invalidParameterValue(`The parameter ${label} must be shorter than 256 characters.`);
  if (ns.startsWith(":")) throw invalidParameterValue(`The parameter ${label} must not start with ":".`);
  return ns;
}

export function metricName(value: unknown, label = "MetricName"): string {
  const name = str(value);
  if (name === undefined || name === "") throw missingParameter(label);
  if (name.length > 255) throw invalidParameterValue(`The parameter ${label} must be shorter than 256 characters.`);
  return name;
}
