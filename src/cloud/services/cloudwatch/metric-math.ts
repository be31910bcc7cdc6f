/**
 * A subset of CloudWatch metric math (CloudWatch guide "using-metric-math"),
 * for GetMetricData and alarms: numbers, the Ids of other queries, + - * /
 * and ^, parentheses, unary minus, and the functions SUM, AVG, MIN, MAX
 * (of an array of series: a series, point by point; of one series: a
 * scalar, as AWS defines them), METRICS() / METRICS("text") (the MetricStat
 * queries, all or those whose Id contains the text), FILL(series, value)
 * (missing periods of the query's grid filled), ABS, CEIL, FLOOR.
 *
 * Arithmetic between two series keeps only the timestamps both have (AWS);
 * a division by zero gives no datapoint. Anything else (IF, RATE, DIFF,
 * ANOMALY_DETECTION_BAND, SEARCH, SQL queries…) is refused with an error
 * that names it.
 */
export type Series = Map<number, number>;
export type MathValue = { kind: "scalar"; v: number } | { kind: "series"; s: Series } | { kind: "array"; items: Series[] };

type Node =
  | { t: "num"; v: number }
  | { t: "id"; name: string }
  | { t: "str"; v: string }
  | { t: "neg"; e: Node }
  | { t: "bin"; op: string; l: Node; r: Node }
  | { t: "call"; fn: string; args: Node[] }
  | { t: "list"; items: Node[] };

export class MathError extends Error {}

const FUNCTIONS = new Set(["SUM", "AVG", "MIN", "MAX", "METRICS", "FILL", "ABS", "CEIL", "FLOOR"]);
const MAX_LENGTH = 2048;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*")|(\S))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text))) {
    if (m[0].trim() === "") break;
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return tokens;
}

export function parseExpression(text: string): Node {
  if (text.length > MAX_LENGTH) throw new MathError(`The expression is longer than ${MAX_LENGTH} characters.`);
  const tokens = tokenize(text);
  let i = 0;
  let depth = 0;
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const tok = tokens[i++];
    if (expected !== undefined && tok !== expected) throw new MathError(`Syntax error: expected "${expected}" but found ${tok === undefined ? "the end" : `"${tok}"`}.`);
    return tok;
  };
  const expr = (): Node => {
    if (++depth > 50) throw new MathError("The expression nests too deeply.");
    let node = term();
    while (peek() === "+" || peek() === "-") node = { t: "bin", op: take()!, l: node, r: term() };
    depth--;
    return node;
  };
  const term = (): Node => {
    let node = power();
    while (peek() === "*" || peek() === "/") node = { t: "bin", op: take()!, l: node, r: power() };
    return node;
  };
  const power = (): Node => {
    const base = unary();
    return peek() === "^" ? (take(), { t: "bin", op: "^", l: base, r: unary() }) : base;
  };
  const unary = (): Node => (peek() === "-" ? (take(), { t: "neg", e: unary() }) : primary());
  const primary = (): Node => {
    const tok = take();
    if (tok === undefined) throw new MathError("Syntax error: the expression ends too early.");
    if (/^\d/.test(tok)) return { t: "num", v: Number(tok) };
    if (tok.startsWith('"')) return { t: "str", v: JSON.parse(tok) as string };
    if (tok === "(") {
      const inner = expr();
      take(")");
      return inner;
    }
    if (tok === "[") {
      const items: Node[] = [];
      if (peek() !== "]") for (items.push(expr()); peek() === ","; take(), items.push(expr()));
      take("]");
      return { t: "list", items };
    }
    if (/^[A-Za-z_]/.test(tok)) {
      if (peek() !== "(") return { t: "id", name: tok };
      const fn = tok.toUpperCase();
      if (!FUNCTIONS.has(fn)) throw new MathError(`The function ${tok} is not supported by the local cloud's metric math (supported: ${[...FUNCTIONS].join(", ")}).`);
      take("(");
      const args: Node[] = [];
      if (peek() !== ")") for (args.push(expr()); peek() === ","; take(), args.push(expr()));
      take(")");
      return { t: "call", fn, args };
    }
    throw new MathError(`Syntax error at "${tok}".`);
  };
  const root = expr();
  if (i < tokens.length) throw new MathError(`Syntax error at "${tokens[i]}".`);
  return root;
}

/** Ids an expression refers to (to order evaluation). */
export function referencedIds(node: Node): string[] {
  switch (node.t) {
    case "id":
      return [node.name];
    case "neg":
      return referencedIds(node.e);
    case "bin":
      return [...referencedIds(node.l), ...referencedIds(node.r)];
    case "call":
    case "list":
      return (node.t === "call" ? node.args : node.items).flatMap(referencedIds);
    default:
      return [];
  }
}

export function usesMetrics(node: Node): boolean {
  if (node.t === "call") return node.fn === "METRICS" || node.args.some(usesMetrics);
  if (node.t === "bin") return usesMetrics(node.l) || usesMetrics(node.r);
  if (node.t === "neg") return usesMetrics(node.e);
  if (node.t === "list") return node.items.some(usesMetrics);
  return false;
}

export interface MathEnv {
  /** Query id → its value (MetricStat series or an evaluated expression). */
  values: Map<string, MathValue>;
  /** Ids of the MetricStat queries, in request order (METRICS()). */
  metricIds: string[];
  /** Every period start of the query's range (FILL). */
  grid: number[];
}

function arith(op: string, a: number, b: number): number | undefined {
  const r = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : op === "/" ? (b === 0 ? NaN : a / b) : Math.pow(a, b);
  return Number.isFinite(r) ? r : undefined;
}

function mapSeries(s: Series, f: (v: number) => number | undefined): Series {
  const out: Series = new Map();
  for (const [t, v] of s) {
    const r = f(v);
    if (r !== undefined) out.set(t, r);
  }
  return out;
}

function combine(op: string, a: MathValue, b: MathValue): MathValue {
  if (a.kind === "scalar" && b.kind === "scalar") return { kind: "scalar", v: arith(op, a.v, b.v) ?? NaN };
  if (a.kind === "array" || b.kind === "array") {
    if (a.kind === "array" && b.kind === "scalar") return { kind: "array", items: a.items.map((s) => mapSeries(s, (v) => arith(op, v, b.v))) };
    if (b.kind === "array" && a.kind === "scalar") return { kind: "array", items: b.items.map((s) => mapSeries(s, (v) => arith(op, a.v, v))) };
    throw new MathError("Arithmetic between an array of time series and a time series is not supported by the local cloud.");
  }
  if (a.kind === "series" && b.kind === "scalar") return { kind: "series", s: mapSeries(a.s, (v) => arith(op, v, b.v)) };
  if (a.kind === "scalar" && b.kind === "series") return { kind: "series", s: mapSeries(b.s, (v) => arith(op, a.v, v)) };
  const left = (a as { s: Series }).s;
  const right = (b as { s: Series }).s;
  const out: Series = new Map();
  for (const [t, v] of left) {
    const w = right.get(t);
    if (w === undefined) continue;
    const r = arith(op, v, w);
    if (r !== undefined) out.set(t, r);
  }
  return { kind: "series", s: out };
}

const REDUCE: Record<string, (values: number[]) => number> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => Math.min(...v),
  MAX: (v) => Math.max(...v),
};

export function evaluate(node: Node, env: MathEnv): MathValue {
  switch (node.t) {
    case "num":
      return { kind: "scalar", v: node.v };
    case "str":
      throw new MathError("A string is only allowed as the argument of METRICS().");
    case "id": {
      const value = env.values.get(node.name);
      if (!value) throw new MathError(`The expression refers to ${node.name}, which is not the Id of a query in this request.`);
      return value;
    }
    case "neg":
      return combine("*", { kind: "scalar", v: -1 }, evaluate(node.e, env));
    case "bin":
      return combine(node.op, evaluate(node.l, env), evaluate(node.r, env));
    case "list": {
      const items: Series[] = [];
      for (const item of node.items) {
        const v = evaluate(item, env);
        if (v.kind === "series") items.push(v.s);
        else if (v.kind === "array") items.push(...v.items);
        else throw new MathError("An array may hold only time series.");
      }
      return { kind: "array", items };
    }
    case "call":
      return call(node.fn, node.args, env);
  }
}

function call(fn: string, args: Node[], env: MathEnv): MathValue {
  if (fn === "METRICS") {
    const filter = args[0]?.t === "str" ? args[0].v : undefined;
    if (args.length > 1 || (args.length === 1 && filter === undefined)) throw new MathError('METRICS takes no argument or one string: METRICS() or METRICS("text").');
    const items = env.metricIds.filter((id) => filter === undefined || id.includes(filter)).map((id) => env.values.get(id)).filter((v): v is { kind: "series"; s: Series } => v?.kind === "series").map((v) => v.s);
    return { kind: "array", items };
  }
  const values = args.map((a) => evaluate(a, env));
  const arg = values[0];
  if (!arg) throw new MathError(`${fn} needs an argument.`);
  if (fn === "FILL") {
    const fill = values[1];
    if (values.length !== 2 || fill?.kind !== "scalar") throw new MathError("FILL takes a time series (or an array) and a number: FILL(m1, 0).");
    const fillOne = (s: Series): Series => {
      const out: Series = new Map(s);
      for (const t of env.grid) if (!out.has(t)) out.set(t, fill.v);
      return out;
    };
    if (arg.kind === "series") return { kind: "series", s: fillOne(arg.s) };
    if (arg.kind === "array") return { kind: "array", items: arg.items.map(fillOne) };
    throw new MathError("FILL needs a time series.");
  }
  if (fn === "ABS" || fn === "CEIL" || fn === "FLOOR") {
    const f = fn === "ABS" ? Math.abs : fn === "CEIL" ? Math.ceil : Math.floor;
    if (values.length !== 1) throw new MathError(`${fn} takes one argument.`);
    if (arg.kind === "scalar") return { kind: "scalar", v: f(arg.v) };
    if (arg.kind === "series") return { kind: "series", s: mapSeries(arg.s, f) };
    return { kind: "array", items: arg.items.map((s) => mapSeries(s, f)) };
  }
  const reduce = REDUCE[fn]!;
  if (values.length !== 1) throw new MathError(`${fn} takes one argument (a time series or an array of them).`);
  if (arg.kind === "scalar") return arg;
  if (arg.kind === "series") {
    const all = [...arg.s.values()];
    return { kind: "scalar", v: all.length ? reduce(all) : NaN };
  }
  const byTime = new Map<number, number[]>();
  for (const s of arg.items) for (const [t, v] of s) (byTime.get(t) ?? byTime.set(t, []).get(t)!).push(v);
  const out: Series = new Map();
  for (const [t, vs] of byTime) out.set(t, reduce(vs));
  return { kind: "series", s: out };
}

/** An expression's result as one series over the grid (a scalar becomes a constant series, as AWS draws it). */
export function asSeries(value: MathValue, grid: number[]): Series {
  if (value.kind === "series") return value.s;
  if (value.kind === "scalar") {
    const out: Series = new Map();
    if (Number.isFinite(value.v)) for (const t of grid) out.set(t, value.v);
    return out;
  }
  throw new MathError("The expression returns an array of time series; the local cloud returns one series per query (wrap it in SUM, AVG, MIN or MAX).");
}
