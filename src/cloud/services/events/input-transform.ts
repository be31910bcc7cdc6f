/**
 * What a target receives (EventBridge user guide "transforming target input"):
 * - nothing set: the whole event as JSON;
 * - `Input`: that constant JSON text;
 * - `InputPath`: the part of the event a JSONPath selects (`$.detail`,
 *   `$.detail.object.key`, `$.resources[0]`);
 * - `InputTransformer`: `InputPathsMap` names values by JSONPath, and
 *   `InputTemplate` places them with `<name>`. In a JSON template (object,
 *   array or string literal) a value inside a JSON string is inserted as
 *   escaped text (a string without its quotes, anything else as its JSON),
 *   outside strings as JSON; a template that is not JSON is plain text and
 *   every value goes in as text (so `Object <key> was deleted` reads
 *   `Object photo.png was deleted`). A path that selects nothing gives an empty
 *   text inside strings and `null` outside. The predefined
 *   `<aws.events.rule-arn>`, `<aws.events.rule-name>`, `<aws.events.event>`,
 *   `<aws.events.event.json>` and `<aws.events.event.ingestion-time>` work too.
 */
import { validation } from "./errors.js";

const PATH = /^\$(\.[A-Za-z0-9_\-$@]+|\[\d+\]|\['[^']+'\]|\["[^"]+"\])*$/;

/** Validate a JSONPath of the supported subset; throws ValidationException. */
export function validatePath(path: string, what: string): void {
  if (typeof path !== "string" || !PATH.test(path)) throw validation(`${what} is not a valid JSONPath: ${String(path)}. Use paths such as $.detail.object.key or $.resources[0].`);
}

export function selectPath(root: unknown, path: string): unknown {
  const steps = path.slice(1).match(/\.[A-Za-z0-9_\-$@]+|\[\d+\]|\['[^']+'\]|\["[^"]+"\]/g) ?? [];
  let node: unknown = root;
  for (const step of steps) {
    if (node === null || typeof node !== "object") return undefined;
    const key = step.startsWith(".") ? step.slice(1) : step.startsWith("['") || step.startsWith('["') ? step.slice(2, -2) : Number(step.slice(1, -1));
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

export function validateTransformer(transformer: { InputPathsMap?: Record<string, string>; InputTemplate?: string }): void {
  if (typeof transformer.InputTemplate !== "string") throw validation("InputTransformer: InputTemplate is required.");
  const map = transformer.InputPathsMap ?? {};
  if (Object.keys(map).length > 100) throw validation("InputTransformer: InputPathsMap has more than 100 entries.");
  for (const [name, path] of Object.entries(map)) {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw validation(`InputTransformer: InputPathsMap key "${name}" is not valid: use letters, digits, "_" and "-".`);
    if (name.startsWith("aws.")) throw validation(`InputTransformer: InputPathsMap key "${name}" is reserved.`);
    validatePath(path, `InputTransformer: InputPathsMap value for "${name}"`);
  }
}

export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

function predefined(name: string, event: unknown, context: TransformContext): { found: boolean; value?: unknown } {
  switch (name) {
    case "aws.events.rule-arn":
      return { found: true, value: context.ruleArn };
    case "aws.events.rule-name":
      return { found: true, value: context.ruleName };
    case "aws.events.event": {
      // The event without its detail (aws-behavior.md §13); .json is the whole event.
      const { detail: _detail, ...rest } = (event ?? {}) as Record<string, unknown>;
      return { found: true, value: rest };
    }
    case "aws.events.event.json":
      return { found: true, value: event };
    case "aws.events.event.ingestion-time":
      return { found: true, value: context.ingestionTime };
    default:
      return { found: false };
  }
}

/** The value a placeholder names, or found: false when it names nothing (the text stays as written). */
function lookup(name: string, paths: Record<string, string>, event: unknown, context: TransformContext): { found: boolean; value?: unknown } {
  return Object.prototype.hasOwnProperty.call(paths, name) ? { found: true, value: selectPath(event, paths[name]!) } : predefined(name, event, context);
}

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

/**
 * Is the template JSON (an object, array or JSON string literal, placeholders
 * standing for values)? Otherwise it is plain text: AWS's own example
 * `<instance> is in state <status>` gives `i-1234 is in state RUNNING`, values
 * inserted as text, quotes in the template kept as written.
 */
function isJsonTemplate(template: string): boolean {
  const trimmed = template.trim();
  if (!/^[[{"]/.test(trimmed)) return false;
  try {
    JSON.parse(trimmed.replace(PLACEHOLDER, "0"));
    return true;
  } catch {
    return false;
  }
}

const asText = (value: unknown) => (value === undefined || value === null ? "" : typeof value === "string" ? value : JSON.stringify(value));

/** Render an InputTemplate for one event. */
export function renderTemplate(template: string, paths: Record<string, string>, event: unknown, context: TransformContext): string {
  if (!isJsonTemplate(template)) {
    return template.replace(PLACEHOLDER, (whole, name: string) => {
      const known = lookup(name, paths, event, context);
      return known.found ? asText(known.value) : whole;
    });
  }
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (inString && c === "\\") {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      out += c;
      continue;
    }
    if (c === "<") {
      const end = template.indexOf(">", i + 1);
      const name = end > i ? template.slice(i + 1, end) : "";
      const known = lookup(name, paths, event, context);
      if (known.found) {
        const value = known.value;
        // Inside a JSON string a value goes in as escaped text; outside, as JSON (a missing one as null).
        out += inString ? JSON.stringify(asText(value)).slice(1, -1) : value === undefined ? "null" : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The text a target receives for an event. */
export function targetInput(
  target: { Input?: string; InputPath?: string; InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string } },
  event: Record<string, unknown>,
  context: TransformContext,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const value = selectPath(event, target.InputPath);
    return value === undefined ? "null" : JSON.stringify(value);
  }
  if (target.InputTransformer) return renderTemplate(target.InputTransformer.InputTemplate, target.InputTransformer.InputPathsMap ?? {}, event, context);
  return JSON.stringify(event);
}
