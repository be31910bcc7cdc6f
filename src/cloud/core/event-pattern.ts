/**
 * Content-based filtering as EventBridge event patterns and SNS filter
 * policies define it (EventBridge user guide "event patterns" and
 * "content filtering"; SNS developer guide "filter policy syntax";
 * aws-behavior.md §4). One implementation, used by EventBridge's
 * TestEventPattern, EventBridge rule delivery and SNS subscription filters, so
 * the API that tests a pattern and the delivery that applies it cannot
 * disagree.
 *
 * A pattern is a JSON object. Every key must match (AND). A key's value is
 * - a nested object: matched against the event's object at that key (if the
 *   event holds an array of objects there, any element may match);
 * - an array (OR of its elements), whose elements are exact values (string,
 *   number — compared numerically —, boolean, null) or one-key operator objects:
 *   `prefix`, `suffix` (string, or `{"equals-ignore-case": "…"}`),
 *   `anything-but` (a value, a list of values, or `{prefix|suffix|wildcard|equals-ignore-case}`),
 *   `numeric` (`[">", 0, "<=", 5]`, operators `= < <= > >=`), `exists` (true/false),
 *   `wildcard` (`*` matches any run of characters, `\*` a literal star),
 *   `equals-ignore-case`, `cidr` (IPv4).
 * `"$or": [pattern, pattern, …]` matches when any of the sub-patterns does.
 * When the event's value at a leaf is an array, the leaf matches if any of
 * its elements does ("matching array values in events").
 *
 * `validatePattern` throws PatternError with a reason in EventBridge's
 * wording; callers wrap it in their own AWS error (InvalidEventPatternException,
 * SNS InvalidParameter).
 *
 * Safe on hostile patterns (issue 11):
 * - `wildcard` (alone or inside `anything-but`) is matched without regular
 *   expressions: the pattern is split at its unescaped `*`s and the literal
 *   pieces are found left to right with indexOf (the greedy leftmost match is
 *   correct for `*`-only globs), so matching is linear in the value's length
 *   and a long value can no longer stall the event loop by backtracking.
 * - A rule whose wildcards could keep too many match positions alive at once
 *   is refused as AWS refuses it: "Rule is too complex - try using fewer
 *   wildcard characters or fewer repeating character sequences after a
 *   wildcard character" (EventBridge user guide, "Wildcard matching" /
 *   "avoid complex wildcard patterns"; AWS's open-source matcher
 *   aws/event-ruler, MachineComplexityEvaluator, limit 10 simultaneously
 *   active states). Here the same figure is measured on the field's wildcard
 *   automaton (the largest set of pattern positions one input can keep
 *   active), an approximation of event-ruler's byte machine.
 * - Nesting is limited to MAX_PATTERN_DEPTH levels, checked without recursion
 *   before anything walks the pattern recursively (a 5000-deep pattern is a
 *   PatternError, not a stack overflow). Size limits differ per caller and
 *   are enforced there: EventBridge's 2048-character event pattern quota
 *   (events/rules.ts), Lambda's 4096-character Filter.Pattern.
 */
import { jsonDepthExceeds } from "./json-depth.js";

export class PatternError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Pattern = { [key: string]: Json };

const OPERATORS = new Set(["prefix", "suffix", "anything-but", "numeric", "exists", "wildcard", "equals-ignore-case", "cidr"]);
const NUMERIC_OPS = new Set(["=", "<", "<=", ">", ">="]);

function isObject(value: unknown): value is Record<string, Json> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

/**
 * Deepest nesting a pattern may have. AWS states no figure for it (its size
 * quotas keep real patterns shallow: 2048 characters hold at most a few
 * hundred levels); this cap keeps the recursive walks below safe.
 */
export const MAX_PATTERN_DEPTH = 100;
/** event-ruler's limit on simultaneously active wildcard states (MachineComplexityEvaluator). */
export const MAX_WILDCARD_COMPLEXITY = 10;
const TOO_COMPLEX = "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character";

/** Parse and validate a pattern given as a JSON string; throws PatternError. */
export function parsePattern(text: string): Pattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new PatternError(`Filter is not valid JSON: ${(err as Error).message}`);
  }
  validatePattern(parsed);
  return parsed as Pattern;
}

/** Check a pattern's structure; throws PatternError naming the first problem. */
export function validatePattern(pattern: unknown, path = ""): asserts pattern is Pattern {
  if (path === "" && jsonDepthExceeds(pattern, MAX_PATTERN_DEPTH)) {
    throw new PatternError(`Filter nests deeper than ${MAX_PATTERN_DEPTH} levels`);
  }
  validateStructure(pattern, path);
}

function validateStructure(pattern: unknown, path: string): asserts pattern is Pattern {
  if (!isObject(pattern)) throw new PatternError(path ? `"${path}" must be an object or an array` : "Filter is not an object");
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2) throw new PatternError(`"$or" must be an array with at least two patterns`);
      for (const sub of value) validateStructure(sub, path);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new PatternError(`Empty arrays are not allowed (at "${at}")`);
      for (const element of value) validateLeaf(element, at);
      if (wildcardComplexity(value.flatMap(wildcardsOf)) > MAX_WILDCARD_COMPLEXITY) throw new PatternError(`${TOO_COMPLEX} (at "${at}")`);
    } else if (isObject(value)) {
      validateStructure(value, at);
    } else {
      throw new PatternError(`"${at}" must be an object or an array`);
    }
  }
}

function validateStringOrIgnoreCase(op: string, value: Json, at: string): void {
  if (typeof value === "string") return;
  if (isObject(value) && Object.keys(value).length === 1 && typeof value["equals-ignore-case"] === "string") return;
  throw new PatternError(`${op} match pattern must be a string (at "${at}")`);
}

function validateLeaf(element: Json, at: string): void {
  if (element === null || typeof element !== "object") return; // exact value
  if (Array.isArray(element)) throw new PatternError(`Match value must be String, number, true, false, or null (at "${at}")`);
  const keys = Object.keys(element);
  if (keys.length !== 1) throw new PatternError(`Only one key allowed in match expression (at "${at}")`);
  const op = keys[0]!;
  const value = element[op]!;
  if (!OPERATORS.has(op)) throw new PatternError(`Unrecognized match type ${op} (at "${at}")`);
  switch (op) {
    case "prefix":
    case "suffix":
      validateStringOrIgnoreCase(op, value, at);
      return;
    case "wildcard":
    case "equals-ignore-case":
    case "cidr":
      if (typeof value !== "string") throw new PatternError(`${op} match pattern must be a string (at "${at}")`);
      if (op === "cidr" && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value)) throw new PatternError(`Malformed CIDR, one '/' required (at "${at}")`);
      if (op === "wildcard" && /\*\*/.test(value)) throw new PatternError(`Consecutive wildcard characters are not allowed (at "${at}")`);
      return;
    case "exists":
      if (typeof value !== "boolean") throw new PatternError(`exists match pattern must be either true or false (at "${at}")`);
      return;
    case "numeric":
      validateNumeric(value, at);
      return;
    case "anything-but":
      if (Array.isArray(value)) {
        if (value.length === 0) throw new PatternError(`Empty arrays are not allowed (at "${at}")`);
        for (const v of value) {
          if (v !== null && typeof v === "object") throw new PatternError(`Inside anything but list, start|null|boolean is not supported (at "${at}")`);
        }
        return;
      }
      if (isObject(value)) {
        const inner = Object.keys(value);
        if (inner.length !== 1 || !["prefix", "suffix", "wildcard", "equals-ignore-case"].includes(inner[0]!)) {
          throw new PatternError(`Unsupported anything-but pattern: ${inner.join(", ")} (at "${at}")`);
        }
        const v = value[inner[0]!];
        const ok = typeof v === "string" || (inner[0] === "equals-ignore-case" && Array.isArray(v) && v.every((s) => typeof s === "string"));
        if (!ok) throw new PatternError(`${inner[0]} match pattern must be a string (at "${at}")`);
        if (inner[0] === "wildcard" && /(?<!\\)\*\*/.test(String(v))) throw new PatternError(`Consecutive wildcard characters are not allowed (at "${at}")`);
        return;
      }
      return; // a single value
  }
}

function validateNumeric(value: Json, at: string): void {
  if (!Array.isArray(value) || value.length === 0) throw new PatternError(`Value of numeric must be an array (at "${at}")`);
  if (value.length % 2 !== 0 || value.length > 4) throw new PatternError(`Bad numeric range: expected one or two operator/value pairs (at "${at}")`);
  for (let i = 0; i < value.length; i += 2) {
    const op = value[i];
    const n = value[i + 1];
    if (typeof op !== "string" || !NUMERIC_OPS.has(op)) throw new PatternError(`Unrecognized numeric range operator: ${JSON.stringify(op)} (at "${at}")`);
    if (typeof n !== "number") throw new PatternError(`Value of ${op} must be numeric (at "${at}")`);
    if (op === "=" && value.length > 2) throw new PatternError(`Bad numeric range: "=" cannot be combined (at "${at}")`);
  }
}

/** Does the event (a parsed JSON object) match the pattern? The pattern must be valid. */
export function matchesPattern(pattern: Pattern, event: unknown): boolean {
  if (!isObject(event)) return false;
  return matchObject(pattern, event);
}

function matchObject(pattern: Pattern, event: Record<string, Json>): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    if (key === "$or") {
      if (!(expected as Pattern[]).some((sub) => matchObject(sub, event))) return false;
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(event, key);
    const actual = present ? event[key] : undefined;
    if (Array.isArray(expected)) {
      if (!matchLeaf(expected, present, actual)) return false;
    } else {
      // Nested pattern: the event must hold an object (or an array of objects, any of which may match).
      const sub = expected as Pattern;
      if (isObject(actual)) {
        if (!matchObject(sub, actual)) return false;
      } else if (Array.isArray(actual)) {
        if (!actual.some((item) => isObject(item) && matchObject(sub, item))) return false;
      } else if (!matchAbsent(sub)) {
        return false;
      }
    }
  }
  return true;
}

/** A nested pattern against a missing object matches only if every leaf is `exists: false`. */
function matchAbsent(pattern: Pattern): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === "$or") return (expected as Pattern[]).some(matchAbsent);
    if (Array.isArray(expected)) return expected.some((e) => isObject(e) && e.exists === false);
    return matchAbsent(expected as Pattern);
  });
}

function matchLeaf(expected: Json[], present: boolean, actual: Json | undefined): boolean {
  // Objects are not leaves: only `exists` can say something about them.
  const values: Json[] = present ? (Array.isArray(actual) ? actual : [actual as Json]) : [];
  for (const matcher of expected) {
    if (isObject(matcher) && "exists" in matcher) {
      const isLeaf = present && !isObject(actual);
      if (matcher.exists === true ? isLeaf && values.length > 0 : !present) return true;
      continue;
    }
    if (!present) continue;
    if (isObject(matcher) && "anything-but" in matcher) {
      // anything-but needs the field, and every value of an array field must pass.
      const nonObjects = values.filter((v) => !isObject(v));
      if (nonObjects.length > 0 && nonObjects.every((v) => anythingBut(matcher["anything-but"]!, v))) return true;
      continue;
    }
    if (values.some((v) => !isObject(v) && matchValue(matcher, v))) return true;
  }
  return false;
}

function equalValues(a: Json, b: Json): boolean {
  if (typeof a === "number" && typeof b === "number") return a === b;
  return a === b;
}

function matchValue(matcher: Json, value: Json): boolean {
  if (!isObject(matcher)) return equalValues(matcher, value);
  const [op, arg] = Object.entries(matcher)[0]!;
  switch (op) {
    case "prefix":
      return typeof value === "string" && stringTest(arg!, value, (v, p) => v.startsWith(p));
    case "suffix":
      return typeof value === "string" && stringTest(arg!, value, (v, s) => v.endsWith(s));
    case "equals-ignore-case":
      return typeof value === "string" && value.toLowerCase() === String(arg).toLowerCase();
    case "wildcard":
      return typeof value === "string" && wildcardMatch(String(arg), value);
    case "numeric":
      return typeof value === "number" && numericTest(arg as Json[], value);
    case "cidr":
      return typeof value === "string" && cidrTest(String(arg), value);
    default:
      return false;
  }
}

function stringTest(arg: Json, value: string, test: (v: string, p: string) => boolean): boolean {
  if (typeof arg === "string") return test(value, arg);
  const ignoreCase = String((arg as Record<string, Json>)["equals-ignore-case"]);
  return test(value.toLowerCase(), ignoreCase.toLowerCase());
}

function anythingBut(arg: Json, value: Json): boolean {
  if (Array.isArray(arg)) return !arg.some((a) => equalValues(a, value));
  if (isObject(arg)) {
    if (typeof value !== "string") return false;
    const [op, inner] = Object.entries(arg)[0]!;
    if (op === "prefix") return !value.startsWith(String(inner));
    if (op === "suffix") return !value.endsWith(String(inner));
    if (op === "wildcard") return !wildcardMatch(String(inner), value);
    if (op === "equals-ignore-case") {
      const list = Array.isArray(inner) ? inner.map(String) : [String(inner)];
      return !list.some((s) => s.toLowerCase() === value.toLowerCase());
    }
    return false;
  }
  return !equalValues(arg, value);
}

function numericTest(range: Json[], value: number): boolean {
  for (let i = 0; i < range.length; i += 2) {
    const op = range[i] as string;
    const n = range[i + 1] as number;
    const ok = op === "=" ? value === n : op === "<" ? value < n : op === "<=" ? value <= n : op === ">" ? value > n : value >= n;
    if (!ok) return false;
  }
  return true;
}

/** A wildcard pattern as its literal pieces between unescaped stars: "a*b\\*c" → ["a", "b*c"]. */
function wildcardPieces(pattern: string): string[] {
  const pieces: string[] = [];
  let piece = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\" && i + 1 < pattern.length) piece += pattern[++i]!;
    else if (c === "*") {
      pieces.push(piece);
      piece = "";
    } else piece += c;
  }
  pieces.push(piece);
  return pieces;
}

const piecesCache = new Map<string, string[]>();
/** Does `value` match the `*`-glob? Linear: first and last pieces anchor, the middle ones are found leftmost in turn. */
function wildcardMatch(pattern: string, value: string): boolean {
  let pieces = piecesCache.get(pattern);
  if (!pieces) {
    pieces = wildcardPieces(pattern);
    if (piecesCache.size > 1000) piecesCache.clear();
    piecesCache.set(pattern, pieces);
  }
  if (pieces.length === 1) return value === pieces[0];
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    const found = value.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** The wildcard patterns a leaf matcher holds (`wildcard`, or `anything-but` of one). */
function wildcardsOf(matcher: Json): string[] {
  if (!isObject(matcher)) return [];
  if (typeof matcher.wildcard === "string") return [matcher.wildcard];
  const but = matcher["anything-but"];
  if (isObject(but) && typeof but.wildcard === "string") return [but.wildcard];
  return [];
}

/** Cap on distinct active-state sets explored; a field whose automaton has more is "too complex" anyway. */
const MAX_EXPLORED_SETS = 2000;

/**
 * The most pattern positions one input string can keep active at once in the
 * automaton of a field's wildcard patterns (a position per piece character;
 * a star keeps its position alive on any character), counting the positions
 * before each pattern's first star as one (event-ruler shares them as a
 * trie). Explored over the patterns' own characters plus one stand-in for
 * every other character.
 */
function wildcardComplexity(patterns: string[]): number {
  if (patterns.length === 0) return 0;
  // Positions: per pattern, a list of [char | STAR]; state = (pattern, index).
  const STAR = -1;
  const tokens = patterns.map((p) => {
    const out: number[] = [];
    wildcardPieces(p).forEach((piece, i) => {
      if (i > 0) out.push(STAR);
      for (const ch of piece) out.push(ch.codePointAt(0)!);
    });
    return out;
  });
  const offsets: number[] = [];
  let total = 0;
  for (const t of tokens) {
    offsets.push(total);
    total += t.length + 1;
  }
  const tokenAt = (state: number): [number, number] => {
    let p = offsets.length - 1;
    while (offsets[p]! > state) p--;
    return [p, state - offsets[p]!];
  };
  // Epsilon closure: a star at position i can be skipped.
  const close = (set: Set<number>): Set<number> => {
    for (const s of [...set]) {
      let cur = s;
      for (;;) {
        const [p, i] = tokenAt(cur);
        if (tokens[p]![i] !== STAR) break;
        cur++;
        set.add(cur);
      }
    }
    return set;
  };
  const alphabet = new Set<number>([0x110000]); // the stand-in for characters no pattern names
  for (const t of tokens) for (const c of t) if (c !== STAR) alphabet.add(c);
  // Positions before a pattern's first star are a trie in event-ruler (shared, one state at a time);
  // the ones after a star are what multiplies. Count those, plus one for the trie.
  const firstStar = tokens.map((t) => (t.indexOf(STAR) < 0 ? t.length + 1 : t.indexOf(STAR)));
  const weigh = (set: Set<number>): number => {
    let determinate = 0;
    let n = 0;
    for (const s of set) {
      const [p, i] = tokenAt(s);
      if (i <= firstStar[p]!) determinate = 1;
      else n++;
    }
    return n + determinate;
  };
  const start = close(new Set(offsets));
  let worst = 0;
  const seen = new Set<string>([[...start].sort((a, b) => a - b).join(",")]);
  const queue: Set<number>[] = [start];
  while (queue.length > 0) {
    const set = queue.pop()!;
    for (const c of alphabet) {
      const next = new Set<number>();
      for (const s of set) {
        const [p, i] = tokenAt(s);
        const token = tokens[p]![i];
        if (token === undefined) continue; // an accepting position consumes nothing
        if (token === STAR) next.add(s); // the star eats the character
        else if (token === c) next.add(s + 1);
      }
      if (next.size === 0) continue;
      // Weigh the states the character led to; the star-skips that closure adds are the same byte-machine states.
      worst = Math.max(worst, weigh(next));
      close(next);
      if (worst > MAX_WILDCARD_COMPLEXITY) return worst;
      const key = [...next].sort((a, b) => a - b).join(",");
      if (seen.has(key)) continue;
      if (seen.size >= MAX_EXPLORED_SETS) return MAX_WILDCARD_COMPLEXITY + 1;
      seen.add(key);
      queue.push(next);
    }
  }
  return worst;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

function cidrTest(cidr: string, value: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const ip = ipv4ToInt(value);
  const net = ipv4ToInt(base ?? "");
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(net / size);
}
