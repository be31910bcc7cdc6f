/**
 * `npm run faults`: the local cloud's fault switch (src/kit/faults.ts →
 * /_localcloud/faults). Lists the rules with how often each fired, adds one
 * (duplicate, delay, reorder, throttle, error) scoped by service, destination
 * ARN or name prefix with a seed, removes one or all, and shows the injected
 * faults from the trace. Works against the running local cloud (it starts
 * none) or --endpoint-url; AWS has no fault switch.
 */
import { FaultsApi, FaultsApiError, type FaultKind, type FaultRule, type FaultRuleInput } from "../faults.js";
import { DEFAULT_LOCAL_CREDENTIALS, findRunningCloud } from "../local-cloud.js";

export interface FaultsOptions {
  endpointUrl?: string;
  region?: string;
  json?: boolean;
}

export interface AddOptions {
  id?: string;
  service?: string;
  destination?: string;
  prefix?: string;
  operations?: string;
  probability?: string;
  seed?: string;
  max?: string;
  copies?: string;
  delayMs?: string;
  windowMs?: string;
  errorCode?: string;
}

async function api(opts: FaultsOptions): Promise<FaultsApi | undefined> {
  const region = opts.region ?? process.env.AWS_REGION ?? "us-east-1";
  const endpoint = opts.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
  if (endpoint) {
    const credentials = process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY } : DEFAULT_LOCAL_CREDENTIALS;
    return new FaultsApi(endpoint, region, credentials);
  }
  const running = await findRunningCloud();
  if (!running) {
    console.error("No local cloud is running, so there are no faults to change. `npm start` (or any lab command) starts one; `npm run cloud` runs one in this terminal.");
    return undefined;
  }
  return new FaultsApi(running.endpoint, region, running.credentials);
}

const num = (what: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new FaultsApiError(`--${what} must be a number (got "${v}")`, 400);
  return n;
};

export function ruleFromOptions(kind: string, o: AddOptions): FaultRuleInput {
  const delay = o.delayMs?.includes("-") ? (o.delayMs.split("-").map((p) => num("delay-ms", p)!) as [number, number]) : num("delay-ms", o.delayMs);
  const rule: FaultRuleInput = {
    kind: kind as FaultKind,
    id: o.id,
    service: o.service,
    destination: o.destination,
    prefix: o.prefix,
    operations: o.operations?.split(",").map((s) => s.trim()).filter(Boolean),
    probability: num("probability", o.probability),
    seed: num("seed", o.seed),
    max: num("max", o.max),
    copies: num("copies", o.copies),
    delayMs: delay,
    windowMs: num("window-ms", o.windowMs),
    errorCode: o.errorCode,
  };
  for (const k of Object.keys(rule) as Array<keyof FaultRuleInput>) if (rule[k] === undefined) delete rule[k];
  return rule;
}

export function describeRule(r: FaultRule): string {
  const scope = [r.service && `service ${r.service}`, r.destination && `to ${r.destination}`, r.prefix && `names ${r.prefix}*`, r.operations && `operations ${r.operations.join(",")}`].filter(Boolean).join(", ") || "everything";
  const what =
    r.kind === "duplicate" ? `+${r.copies ?? 1} cop${(r.copies ?? 1) > 1 ? "ies" : "y"}` :
    r.kind === "delay" ? `delay ${Array.isArray(r.delayMs) ? r.delayMs.join("–") : r.delayMs} ms` :
    r.kind === "reorder" ? `reorder within ${r.windowMs} ms` :
    r.kind === "error" ? `error ${r.errorCode}` : "TooManyRequestsException";
  return `${r.id.padEnd(12)} ${r.kind.padEnd(9)} ${what} · ${scope} · p=${r.probability} seed=${r.seed}${r.max ? ` max=${r.max}` : ""} · injected ${r.injected ?? 0}`;
}

async function guarded(opts: FaultsOptions, run: (a: FaultsApi) => Promise<void>): Promise<number> {
  const a = await api(opts);
  if (!a) return 1;
  try {
    await run(a);
    return 0;
  } catch (err) {
    if (err instanceof FaultsApiError) {
      console.error(err.status === 404 ? `This cloud has no fault switch (${err.message}). Fault injection is a feature of the kit's local cloud.` : err.message);
      return err.status === 400 ? 2 : 1;
    }
    throw err;
  }
}

export function listFaults(opts: FaultsOptions): Promise<number> {
  return guarded(opts, async (a) => {
    const rules = await a.list();
    if (opts.json) return void console.log(JSON.stringify(rules, null, 2));
    if (!rules.length) return void console.log("No faults are injected (the cloud behaves normally). Add one with: npm run faults -- add duplicate --prefix <namespace> --probability 0.2 --seed 7");
    for (const r of rules) console.log(describeRule(r));
  });
}

export function addFault(kind: string, o: AddOptions, opts: FaultsOptions): Promise<number> {
  return guarded(opts, async (a) => {
    const rule = await a.add(ruleFromOptions(kind, o));
    if (opts.json) return void console.log(JSON.stringify(rule, null, 2));
    console.log(`added: ${describeRule(rule)}`);
    console.log(`remove it with: npm run faults -- remove ${rule.id}   (or clear all: npm run faults -- clear)`);
  });
}

export function clearFaults(prefix: string | undefined, opts: FaultsOptions): Promise<number> {
  return guarded(opts, async (a) => {
    const n = await a.clear(prefix);
    console.log(opts.json ? JSON.stringify({ removed: n }) : `${n} fault rule(s) removed${prefix ? ` (prefix ${prefix})` : ""}`);
  });
}

export function removeFault(id: string, opts: FaultsOptions): Promise<number> {
  return guarded(opts, async (a) => {
    await a.remove(id);
    console.log(opts.json ? JSON.stringify({ removed: 1 }) : `fault rule ${id} removed`);
  });
}

export function faultTrace(opts: FaultsOptions & { since?: string }): Promise<number> {
  return guarded(opts, async (a) => {
    const entries = await a.injected(opts.since);
    if (opts.json) return void console.log(JSON.stringify(entries, null, 2));
    if (!entries.length) return void console.log("No injected faults in the trace.");
    for (const e of entries) console.log(`${e.time.slice(11, 23)} ${e.kind.padEnd(15)} ${e.detail ?? ""}${e.target ? ` → ${e.target}` : ""} (${e.correlationId.slice(0, 8)})`);
  });
}
