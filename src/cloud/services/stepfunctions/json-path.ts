/**
 * The JSONPath subset Wait states' SecondsPath / TimestampPath use here
 * (`$`, `$.a.b`, `$['a b']`, `$.list[0]`); the engine evaluates every other path.
 */
const STEP = /\.[^.[\]]+|\[\d+\]|\['[^']*'\]|\["[^"]*"\]/g;

export function selectPath(root: unknown, path: string): unknown {
  if (typeof path !== "string" || !path.startsWith("$")) return undefined;
  let node: unknown = root;
  for (const step of path.slice(1).match(STEP) ?? []) {
    if (node === null || typeof node !== "object") return undefined;
    const key = step.startsWith(".") ? step.slice(1) : step.startsWith("['") || step.startsWith('["') ? step.slice(2, -2) : Number(step.slice(1, -1));
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}
