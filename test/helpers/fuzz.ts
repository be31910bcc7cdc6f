/**
 * A small, seeded request fuzzer for the local cloud (issue 11): takes one
 * valid request per operation and sends mutated copies of it — fields with
 * the wrong type, null, huge or unicode/NUL strings, deep nesting, deleted or
 * extra fields, truncated and oversized bodies, invalid UTF-8, wrong content
 * types, odd headers — all SigV4-signed with the admin credentials so they
 * reach the services. The seed fixes every choice, so a failure replays.
 *
 * The verdict: no answer is a 5xx, every request gets an answer, the health
 * check answers after each batch, and the process guard caught nothing
 * (escapedErrors 0). Failures list each offending request.
 */
import { expect } from "vitest";
import { signedRequest, type RawRequest, type RawResponse } from "./signed-request.js";

/** mulberry32: a tiny, good-enough PRNG with a 32-bit seed. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}
export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

/** A request to mutate: a JSON body (object), a form (query protocols), XML text, or raw. */
export interface Seed {
  name: string;
  request: RawRequest;
  json?: Record<string, unknown>;
  form?: Record<string, string>;
  xml?: string;
  /** Do not touch these headers (e.g. Lambda's DryRun invocation type). */
  keepHeaders?: boolean;
  /** Do not mutate the path (only body, query, headers). */
  keepPath?: boolean;
}

const deepJsonText = (rng: Rng) => {
  const n = rng.pick([50, 200, 1000, 5000]);
  return rng.chance(0.5) ? '{"a":'.repeat(n) + "1" + "}".repeat(n) : "[".repeat(n) + "]".repeat(n);
};
const deepValue = (n: number): unknown => {
  let v: unknown = "x";
  for (let i = 0; i < n; i++) v = i % 2 ? { k: v } : [v];
  return v;
};

/** Values a field may be replaced with. */
function oddValue(rng: Rng): unknown {
  switch (rng.int(22)) {
    case 0: return null;
    case 1: return -1;
    case 2: return 1e308;
    case 3: return -0.5;
    case 4: return 2 ** 53 + 1;
    case 5: return "";
    case 6: return "x".repeat(rng.pick([300, 5000, 70_000]));
    case 7: return "nul\u0000byte";
    case 8: return "💥\uFFFF\uD800 ünïcödé \u202E";
    case 9: return true;
    case 10: return [];
    case 11: return {};
    case 12: return [null, 1, "a", {}];
    case 13: return deepValue(rng.pick([40, 120, 3000]));
    case 14: return deepJsonText(rng);
    case 15: return "{not json";
    case 16: return "*".repeat(rng.pick([10, 500])) + "?".repeat(20);
    case 17: return "a*".repeat(rng.pick([30, 800])) + "b";
    case 18: return "arn:aws:::" + ":".repeat(50);
    case 19: return "../../../../etc/passwd";
    case 20: return '{"$or":[' + '{"a":["x"]},'.repeat(200) + '{"a":["y"]}]}';
    default: return "%s%n%x{{}}${x}<script>";
  }
}
const oddString = (rng: Rng): string => {
  const v = oddValue(rng);
  return typeof v === "string" ? v : JSON.stringify(v) ?? "null";
};

/** Every path (list of keys) to a value inside a JSON value. */
function paths(value: unknown, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  if (prefix.length > 0) out.push(prefix);
  if (value && typeof value === "object" && prefix.length < 8) {
    for (const [k, v] of Object.entries(value)) paths(v, [...prefix, Array.isArray(value) ? Number(k) : k], out);
  }
  return out;
}

function mutateJson(rng: Rng, original: Record<string, unknown>): unknown {
  const doc = structuredClone(original) as Record<string, unknown>;
  const all = paths(doc);
  const times = 1 + rng.int(3);
  for (let i = 0; i < times && all.length > 0; i++) {
    const at = rng.pick(all);
    let parent: any = doc;
    for (const k of at.slice(0, -1)) parent = parent?.[k];
    if (!parent || typeof parent !== "object") continue;
    const key = at[at.length - 1]!;
    const what = rng.int(10);
    if (what === 0) delete parent[key];
    else if (what === 1) parent[`${String(key)}Extra${rng.int(9)}`] = oddValue(rng);
    else parent[key] = oddValue(rng);
  }
  if (rng.chance(0.05)) return rng.pick([null, [], 42, "str", [doc]]);
  return doc;
}

function mutateForm(rng: Rng, original: Record<string, string>): Record<string, string> {
  const form = { ...original };
  const keys = Object.keys(form).filter((k) => k !== "Version");
  const times = 1 + rng.int(3);
  for (let i = 0; i < times; i++) {
    const key = rng.pick(keys);
    const what = rng.int(10);
    if (what === 0) delete form[key];
    else if (what === 1) form[`${key}.member.${rng.pick(["0", "1", "99999999", "-1", "x"])}`] = oddString(rng);
    else if (what === 2) form[rng.pick(["Attribute.1.Name", "Attributes.entry.1.key", "MessageAttribute.1.Name", "Tags.member.1.Key", "Entries.member.1.Id"])] = oddString(rng);
    else form[key] = oddString(rng);
  }
  return form;
}

function mutateXml(rng: Rng, xml: string): string {
  switch (rng.int(8)) {
    case 0: return xml.slice(0, rng.int(xml.length));
    case 1: return '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x"><!ENTITY f "&e;&e;&e;&e;">]>' + xml.replace(/>([^<]+)</, ">&f;<");
    case 2: {
      const n = rng.pick([100, 20_000]);
      return xml.replace(/(<[A-Za-z]+>)/, `$1${"<Deep>".repeat(n)}${"</Deep>".repeat(n)}`);
    }
    case 3: return xml.replace(/>([^<]+)</, `>${oddString(rng).replace(/[<&]/g, "")}<`);
    case 4: return xml.replace(/<([A-Za-z]+)>/, "<$1 attr='1' xmlns:x='urn:x'><x:Odd/>");
    case 5: return xml + xml;
    case 6: return "<" + xml;
    default: return xml.replace(/<\/[A-Za-z]+>$/, "");
  }
}

const ODD_HEADERS: Array<[string, string]> = [
  ["content-type", "text/plain"],
  ["content-type", "application/x-www-form-urlencoded"],
  ["content-type", "application/xml"],
  ["content-type", "multipart/form-data; boundary=x"],
  ["content-encoding", "gzip"],
  ["content-md5", "bm90LWEtbWQ1"],
  ["range", "bytes=abc-def"],
  ["range", "bytes=99999999999999999999-"],
  ["x-amz-copy-source", "/nope/%ZZ"],
  ["x-amz-tagging", "a=%ZZ&&=="],
  ["x-amz-acl", "public-read-write-ish"],
  ["x-amz-checksum-crc32", "not-base64!"],
  ["x-amz-meta-odd", "\u00ff\u00fe"],
  ["if-modified-since", "yesterday"],
  ["x-amz-target", "Nope.Nothing"],
  ["x-amz-invocation-type", "Sideways"],
  ["x-amz-log-type", "Everything"],
  ["x-amz-client-context", "!!!not base64"],
  ["expect", "100-continue"],
  ["origin", "http://localhost"],
];

/** Percent-encode a string's UTF-8 bytes (lone surrogates become U+FFFD instead of throwing). */
function pct(s: string): string {
  return [...Buffer.from(s, "utf8")].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
}

function latin1(s: string): string {
  // Header values must be Latin-1 for Node's HTTP client.
  return s.replace(/[^\x20-\x7e\xa0-\xff]/g, "?");
}

/** One mutated copy of a seed request. */
export function mutate(rng: Rng, seed: Seed): RawRequest {
  const req: RawRequest = { ...seed.request, headers: { ...(seed.request.headers ?? {}) }, query: { ...(seed.request.query ?? {}) } };
  const kind = rng.int(10);
  if (seed.json && kind < 6) req.body = JSON.stringify(mutateJson(rng, seed.json));
  else if (seed.form && kind < 6) req.body = new URLSearchParams(mutateForm(rng, seed.form)).toString();
  else if (seed.xml && kind < 6) req.body = mutateXml(rng, seed.xml);
  else if (kind === 6) {
    const body = Buffer.from(req.body ?? "");
    req.body = rng.chance(0.5) ? body.subarray(0, rng.int(body.length + 1)) : Buffer.concat([body.subarray(0, rng.int(body.length + 1)), Buffer.from([0xff, 0xc3, 0x28, 0x00]), body]);
  } else if (kind === 7) {
    // Oversized: a few MB of one value.
    const big = "A".repeat(rng.pick([300 * 1024, 1024 * 1024, 3 * 1024 * 1024]));
    req.body = seed.json ? JSON.stringify({ ...seed.json, Big: big }) : seed.form ? new URLSearchParams({ ...seed.form, Big: big }).toString() : big;
  } else if (kind === 8 && !seed.keepHeaders) {
    for (let i = 0; i < 1 + rng.int(3); i++) {
      const [name, value] = rng.pick(ODD_HEADERS);
      req.headers![name] = value;
    }
  } else {
    // Query string and path.
    const q = req.query!;
    const keys = Object.keys(q);
    if (keys.length > 0 && rng.chance(0.6)) q[rng.pick(keys)] = latin1(oddString(rng)).slice(0, 3000);
    else if (!seed.keepPath && rng.chance(0.7)) {
      const segs = req.path.split("/");
      const i = 1 + rng.int(Math.max(1, segs.length - 1));
      segs[i] = pct(oddString(rng).slice(0, 1500));
      req.path = segs.join("/");
    } else q[rng.pick(["max-keys", "MaxItems", "Marker", "prefix", "continuation-token", "uploadId", "partNumber", "versionId", "Qualifier"])] = latin1(oddString(rng)).slice(0, 500);
  }
  if (req.headers) for (const k of Object.keys(req.headers)) req.headers[k] = latin1(req.headers[k]!);
  return req;
}

export interface FuzzOptions {
  seeds: Seed[];
  /** PRNG seed. */
  seed: number;
  count: number;
  batch?: number;
  concurrency?: number;
  /** Statuses ≥ 500 that AWS also sends for this request (none by default). */
  allow?: (req: RawRequest, res: RawResponse) => boolean;
}

function describe(req: RawRequest): string {
  const body = req.body === undefined ? "" : Buffer.isBuffer(req.body) ? req.body.toString("utf8") : req.body;
  const q = new URLSearchParams(req.query ?? {}).toString();
  return `${req.method} ${req.path.slice(0, 120)}${q ? "?" + q.slice(0, 120) : ""} [${req.service}] ${JSON.stringify(req.headers ?? {}).slice(0, 200)} body(${body.length})=${body.slice(0, 160)}`;
}

/** Send `count` mutated requests in batches; assert no 5xx, no hang, health after each batch, no guard escapes. */
export async function fuzz(endpoint: string, options: FuzzOptions): Promise<{ sent: number; statuses: Record<number, number> }> {
  // FUZZ_SEED shifts every seed, to explore beyond the fixed ones locally (CI uses the fixed ones).
  const rng = prng(options.seed + Number(process.env.FUZZ_SEED ?? 0));
  const batch = options.batch ?? 50;
  const concurrency = options.concurrency ?? 6;
  const offenders: string[] = [];
  const statuses: Record<number, number> = {};
  let sent = 0;
  while (sent < options.count) {
    const requests = Array.from({ length: Math.min(batch, options.count - sent) }, () => {
      const seed = rng.pick(options.seeds);
      return { seed, req: mutate(rng, seed) };
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests.length) {
          const { seed, req } = requests[next++]!;
          try {
            const res = await signedRequest(endpoint, req, undefined, 20_000);
            statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            if (res.status >= 500 && !options.allow?.(req, res)) offenders.push(`${seed.name}: ${describe(req)} → ${res.status} ${res.body.slice(0, 300)}`);
          } catch (err) {
            offenders.push(`${seed.name}: ${describe(req)} → no answer: ${(err as Error).message}`);
          }
        }
      }),
    );
    sent += requests.length;
    const health = await fetch(`${endpoint}/_localcloud/health`).then((r) => r.json() as Promise<{ status: string; escapedErrors: number }>);
    expect(health.status, "the cloud stopped answering its health check").toBe("ok");
    if (health.escapedErrors !== 0) offenders.push(`after ${sent} requests the process guard had caught ${health.escapedErrors} escaped error(s) (see the cloud's log)`);
    if (offenders.length > 0) break;
  }
  expect(offenders, `${offenders.length} fuzz request(s) got a 5xx, no answer, or escaped:\n${offenders.slice(0, 40).join("\n")}`).toEqual([]);
  return { sent, statuses };
}

export const json = (service: string, target: string, version: "1.0" | "1.1", body: Record<string, unknown>, name = target): Seed => ({
  name,
  json: body,
  request: { method: "POST", path: "/", service, headers: { "content-type": `application/x-amz-json-${version}`, "x-amz-target": target }, body: JSON.stringify(body) },
});

export const form = (service: string, params: Record<string, string>, path = "/"): Seed => ({
  name: `${service}:${params.Action}`,
  form: params,
  keepPath: true,
  request: { method: "POST", path, service, headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body: new URLSearchParams(params).toString() },
});
