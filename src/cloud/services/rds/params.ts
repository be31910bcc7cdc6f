/**
 * Reading awsQuery parameters the way RDS names them: lists arrive as
 * `Tags.Tag.1.Key` or `Filters.Filter.1.Values.Value.1` (the model's member
 * names), booleans and numbers as text. The validation messages are RDS's
 * (InvalidParameterValue / InvalidParameterCombination).
 */
import { AwsError } from "../../core/aws-error.js";
import { keyValueTags } from "../../core/tags.js";
import type { Tag } from "./state.js";

export function invalidValue(message: string): AwsError {
  return new AwsError("InvalidParameterValue", message);
}

export function invalidCombination(message: string): AwsError {
  return new AwsError("InvalidParameterCombination", message);
}

/** A list parameter: a plain array, or `{ <Item>: [...] }` / `{ member: [...] }` as awsQuery unflattens it. */
export function listParam(value: unknown): unknown[] {
  if (value === undefined || value === "") return [];
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") {
    const inner = Object.values(value as Record<string, unknown>);
    if (inner.length === 1 && Array.isArray(inner[0])) return inner[0];
    return inner;
  }
  return [value];
}

export function boolParam(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw invalidValue(`Invalid value for parameter ${name}: "${String(value)}" (expected true or false).`);
}

export function numberParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(n)) throw invalidValue(`Invalid value for parameter ${name}: "${String(value)}" (expected a number).`);
  return n;
}

export function tagsParam(value: unknown): Tag[] {
  return keyValueTags(listParam(value), invalidValue);
}

export interface FilterParam {
  name: string;
  values: string[];
}

export function filtersParam(value: unknown): FilterParam[] {
  return listParam(value).map((f) => {
    const filter = f as { Name?: unknown; Values?: unknown };
    if (typeof filter?.Name !== "string") throw invalidValue("A filter must have a Name.");
    return { name: filter.Name, values: listParam(filter.Values).map(String) };
  });
}

const IDENTIFIER = /^[a-zA-Z](?:[a-zA-Z0-9]|-(?!-)){0,62}$/;

/** DB cluster and instance identifiers (§9): stored lower-case; a letter first, letters/digits/hyphens, no "--", no trailing "-". */
export function identifierParam(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") throw invalidValue(`The parameter ${name} must be provided and must not be blank.`);
  if (!IDENTIFIER.test(value) || value.endsWith("-")) {
    throw invalidValue(
      `The parameter ${name} is not a valid identifier. Identifiers must begin with a letter; must contain only ASCII letters, digits, and hyphens; and must not end with a hyphen or contain two consecutive hyphens.`,
    );
  }
  return value.toLowerCase();
}
