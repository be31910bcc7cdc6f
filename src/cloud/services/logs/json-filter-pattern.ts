/**
 * JSON filter patterns (CloudWatch Logs user guide, "Filter pattern syntax",
 * "Using filter patterns to match terms in JSON log events"):
 * `{ $.outcome = "duplicate" }`, `{ $.latency > 100 && $.user.id = "a*" }`,
 * `{ ($.a = 1) || $.b IS NULL }`. Selectors are `$.` paths with `.name` and
 * `[n]`; strings compare with `=` / `!=` (quoted or bare; `*` is a wildcard),
 * numbers with `= != < <= > >=`; `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`;
 * `&&` binds tighter than `||`; parentheses group. An event matches when its
 * message is, or ends with, a JSON object (Lambda's text log lines put the
 * timestamp, request id and level before it) that satisfies the expression.
 *
 * Gaps: regular-expression values (`%…%`), `$.*` selectors and array
 * wildcards are refused with InvalidParameterException.
 */
import { invalidParameter } from "./errors.js";

type Test = { kind: "test"; path: Array<string | number>; op: string; value?: string | number; quoted?: boolean };
type Node = { kind: "and"; left: Node; right: Node } | { kind: "or"; left: Node; right: Node } | Test;

const TOKEN = /\s*(\(|\)|&&|\|\||!=|<=|>=|=|<|>|"(?:[^"\\]|\\.)*"|\$[^\s()=!<>&|]*|[^\s()=!<>&|"]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw invalidParameter(`Invalid filter pattern: cannot read "${text.slice(at, at + 20)}"`);
    tokens.push(m[1]!);
    at = TOKEN.lastIndex;
  }
  return tokens;
}

function parsePath(selector: string): Array<string | number> {
  if (!selector.startsWith("$.") && selector !== "$") throw invalidParameter(`Invalid filter pattern: a selector starts with "$." (got "${selector}")`);
  const path: Array<string | number> = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < selector.length) {
    const start = re.lastIndex;
    const m = re.exec(selector);
    if (!m || re.lastIndex === start) throw invalidParameter(`Invalid filter pattern: cannot read the selector "${selector}"`);
    if (m[1] === "*") throw invalidParameter("The local cloud does not support $.* selectors in JSON filter patterns");
    path.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return path;
}

function parse(tokens: string[]): Node {
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  const or = (): Node => {
    let left = and();
    while (peek() === "||") {
      take();
      left = { kind: "or", left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = unit();
    while (peek() === "&&") {
      take();
      left = { kind: "and", left, right: unit() };
    }
    return left;
  };
  const unit = (): Node => {
    if (peek() === "(") {
      take();
      const inner = or();
      if (take() !== ")") throw invalidParameter("Invalid filter pattern: a ( is not closed");
      return inner;
    }
    const selector = take();
    if (!selector?.startsWith("$")) throw invalidParameter(`Invalid filter pattern: expected a $. selector, got "${selector ?? "the end"}"`);
    const path = parsePath(selector);
    const op = take();
    if (op === "IS" || op === "NOT") {
      const word = take();
      const what = `${op} ${word}`;
      if (!["IS NULL", "IS TRUE", "IS FALSE", "NOT EXISTS"].includes(what)) throw invalidParameter(`Invalid filter pattern: unknown test "${what}"`);
      return { kind: "test", path, op: what };
    }
    if (!op || !["=", "!=", "<", "<=", ">", ">="].includes(op)) throw invalidParameter(`Invalid filter pattern: expected an operator after ${selector}`);
    const raw = take();
    if (raw === undefined || raw === ")" || raw === "&&" || raw === "||") throw invalidParameter(`Invalid filter pattern: expected a value after ${selector} ${op}`);
    if (raw.startsWith("%")) throw invalidParameter("The local cloud does not support regular expressions in JSON filter patterns");
    const quoted = raw.startsWith('"');
    const text = quoted ? (JSON.parse(raw) as string) : raw;
    const numeric = !quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text);
    if (!["=", "!="].includes(op) && !numeric) throw invalidParameter(`Invalid filter pattern: ${op} compares numbers, got ${raw}`);
    return { kind: "test", path, op, value: numeric ? Number(text) : text, quoted };
  };
  const tree = or();
  if (i < tokens.length) throw invalidParameter(`Invalid filter pattern: unexpected "${tokens[i]}"`);
  return tree;
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");

function evaluate(node: Node, doc: unknown): boolean {
  if (node.kind === "and") return evaluate(node.left, doc) && evaluate(node.right, doc);
  if (node.kind === "or") return evaluate(node.left, doc) || evaluate(node.right, doc);
  return test(node, doc);
}

function test(node: Test, doc: unknown): boolean {
  let v: unknown = doc;
  let exists = true;
  for (const step of node.path) {
    if (v !== null && typeof v === "object" && step in (v as object)) v = (v as Record<string | number, unknown>)[step];
    else {
      exists = false;
      v = undefined;
      break;
    }
  }
  switch (node.op) {
    case "NOT EXISTS": return !exists;
    case "IS NULL": return exists && v === null;
    case "IS TRUE": return v === true;
    case "IS FALSE": return v === false;
  }
  if (!exists) return false;
  if (typeof node.value === "number") {
    const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
    if (Number.isNaN(n)) return node.op === "!=";
    return node.op === "=" ? n === node.value : node.op === "!=" ? n !== node.value : node.op === "<" ? n < node.value : node.op === "<=" ? n <= node.value : node.op === ">" ? n > node.value : n >= node.value;
  }
  const text = typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
  const same = text !== undefined && wildcard(String(node.value)).test(text);
  return node.op === "=" ? same : !same;
}

/** The JSON object an event carries: the whole message, or its tail from the first "{" (Lambda's prefixed lines). */
function jsonOf(message: string): unknown {
  const at = message.indexOf("{");
  if (at < 0) return undefined;
  try {
    return JSON.parse(message.slice(at));
  } catch {
    return undefined;
  }
}

export function compileJsonPattern(source: string): (message: string) => boolean {
  const body = source.trim();
  if (!body.startsWith("{") || !body.endsWith("}")) throw invalidParameter(`Invalid filter pattern: a JSON pattern is written { … } (got ${source})`);
  const tree = parse(tokenize(body.slice(1, -1)));
  return (message) => {
    const doc = jsonOf(message);
    return doc !== undefined && typeof doc === "object" && doc !== null && evaluate(tree, doc);
  };
}
