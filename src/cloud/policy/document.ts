/**
 * A policy document (JSON text) in the shape the evaluator walks: one
 * Statement or a list of them, each element normalised to lists. Parsed
 * documents are cached by their text, since the same role and resource
 * policies are read on every request. A document that is not JSON, or has no
 * Statement, throws: the caller turns that into an explanation.
 */

export type PrincipalBlock = "*" | Record<string, string[]>;

export interface Statement {
  /** 1-based position in the policy, to name statements without a Sid. */
  index: number;
  sid?: string;
  effect: "Allow" | "Deny" | "Invalid";
  principal?: PrincipalBlock;
  notPrincipal?: PrincipalBlock;
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  condition?: unknown;
}

export interface ParsedPolicy {
  version?: string;
  /** Policy variables apply only to Version 2012-10-17 (in older policies `${…}` is literal text). */
  variables: boolean;
  statements: Statement[];
}

const cache = new Map<string, ParsedPolicy>();
const CACHE_LIMIT = 512;

function list(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map((v) => String(v)) : [String(value)];
}

function principalBlock(value: unknown): PrincipalBlock | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === "*") return "*";
  if (typeof value !== "object" || Array.isArray(value)) return {};
  const block: Record<string, string[]> = {};
  for (const [type, values] of Object.entries(value as Record<string, unknown>)) block[type] = list(values) ?? [];
  return block;
}

/** Parse (or fetch from the cache) a policy document. Throws Error with a readable message. */
export function parsePolicy(text: string): ParsedPolicy {
  const cached = cache.get(text);
  if (cached) return cached;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error("the policy is not valid JSON");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("the policy is not a JSON object");
  const raw = doc as Record<string, unknown>;
  if (raw.Statement === undefined) throw new Error("the policy has no Statement");
  const rawStatements = Array.isArray(raw.Statement) ? raw.Statement : [raw.Statement];
  const statements = rawStatements.map((entry, i): Statement => {
    const s = (entry && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
    return {
      index: i + 1,
      sid: typeof s.Sid === "string" && s.Sid !== "" ? s.Sid : undefined,
      effect: s.Effect === "Allow" || s.Effect === "Deny" ? s.Effect : "Invalid",
      principal: principalBlock(s.Principal),
      notPrincipal: principalBlock(s.NotPrincipal),
      action: list(s.Action),
      notAction: list(s.NotAction),
      resource: list(s.Resource),
      notResource: list(s.NotResource),
      condition: s.Condition,
    };
  });
  const version = typeof raw.Version === "string" ? raw.Version : undefined;
  const parsed: ParsedPolicy = { version, variables: version === "2012-10-17", statements };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, parsed);
  return parsed;
}
