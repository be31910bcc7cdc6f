/**
 * The local cloud's own small API, beside the AWS ones (design.md):
 * - GET  /_localcloud/health  → status, services, mode, uptime (open: no secrets in it)
 * - POST /_localcloud/reset   → forget every resource (tests, "start over")
 * - GET  /_localcloud/traces  → recent delivery trace entries
 *        (?correlationId=…&kind=…&since=ISO&faults=1 for injected faults only)
 * - GET/POST/DELETE /_localcloud/faults, DELETE /_localcloud/faults/<id> →
 *        list, add (a JSON rule, core/faults/rules.ts), clear (?prefix=…) or
 *        remove injected-fault rules (`npm run faults`)
 * - GET  /_localcloud/outbox  → what SNS "sent" to email/email-json subscriptions
 *        (?address=…&topicArn=…&since=ISO; services/sns/outbox.ts) — never mailed
 *
 * Everything but health needs the administrator: the admin token printed at
 * start (header `x-localcloud-token`, or `Authorization: Bearer <token>`), or
 * a SigV4 Authorization header signed with the administrator's credentials.
 * Both are headers a web page cannot send without a CORS preflight, which
 * this API never answers — so no page can reset the cloud or read its traces
 * (they carry message bodies and ARNs). A request with a foreign Origin is
 * refused outright.
 */
import type { Cloud } from "../core/cloud.js";
import type { GatewayRequest, GatewayResponse } from "../core/service.js";
import { timingSafeEqual } from "node:crypto";
import { authenticate } from "./auth/verify.js";
import { isSameOrigin } from "./auth/host-origin.js";
import { isFaultRuleError } from "../core/faults/index.js";
import type { SnsOutboxInternalApi } from "../core/internal-apis.js";

function json(status: number, body: unknown): GatewayResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body, null, 2) };
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given || !token) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why an admin request is refused, or undefined when it comes from the administrator. */
export function adminRefusal(cloud: Cloud, req: GatewayRequest, rawQuery: string, token: string): string | undefined {
  const origin = req.headers["origin"];
  if (origin !== undefined && !isSameOrigin(origin, req.host)) return `requests from web pages (Origin: ${origin}) are not accepted`;
  const auth = req.headers["authorization"];
  const bearer = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
  if (sameToken(req.headers["x-localcloud-token"] ?? bearer, token)) return undefined;
  if (auth?.startsWith("AWS4-HMAC-SHA256")) {
    try {
      const found = authenticate(cloud.identity, { ...req, rawQuery, s3: false });
      if (found?.principal.kind === "admin") return undefined;
      return "only the administrator may use it";
    } catch (err) {
      return `the signature was not accepted (${(err as Error).message})`;
    }
  }
  return "it needs the admin token printed at start (header x-localcloud-token) or a SigV4 signature with the administrator's credentials";
}

const ADMIN_ROUTES = new Set(["POST /_localcloud/reset", "GET /_localcloud/traces", "GET /_localcloud/outbox", "GET /_localcloud/faults", "POST /_localcloud/faults", "DELETE /_localcloud/faults"]);

/** GET/POST/DELETE /_localcloud/faults[/<id>] (core/faults/). */
function handleFaults(cloud: Cloud, method: string, url: URL, body: Buffer, id: string | undefined): GatewayResponse {
  if (id !== undefined) {
    if (method !== "DELETE") return json(405, { error: `${method} /_localcloud/faults/${id}: only DELETE removes one rule` });
    return cloud.faults.remove(id) ? json(200, { removed: 1 }) : json(404, { error: `No fault rule "${id}". GET /_localcloud/faults lists them.` });
  }
  if (method === "GET") return json(200, { rules: cloud.faults.list() });
  if (method === "DELETE") {
    const removed = cloud.faults.clear(url.searchParams.get("prefix") ?? undefined);
    if (removed) cloud.log.info(`faults: ${removed} fault rule(s) removed`);
    return json(200, { removed });
  }
  let input: unknown;
  try {
    input = JSON.parse(body.toString("utf8"));
  } catch {
    return json(400, { error: "The body must be a JSON fault rule, e.g. {\"kind\":\"duplicate\",\"prefix\":\"sel-me-07-\",\"probability\":0.2,\"seed\":7}" });
  }
  try {
    const rule = cloud.faults.add(input);
    cloud.log.warn(`faults: injecting ${rule.kind} (rule ${rule.id}${rule.service ? `, service ${rule.service}` : ""}${rule.prefix ? `, names starting ${rule.prefix}` : ""}, probability ${rule.probability}, seed ${rule.seed})`);
    return json(201, { rule });
  } catch (err) {
    if (isFaultRuleError(err)) return json(400, { error: `Fault rule refused: ${err.message}.` });
    throw err;
  }
}

export async function handleAdmin(cloud: Cloud, req: GatewayRequest, url: URL, rawQuery: string, token: string): Promise<GatewayResponse> {
  const { method, body } = req;
  const path = url.pathname.replace(/\/$/, "");
  const faultId = /^\/_localcloud\/faults\/([^/]+)$/.exec(path)?.[1];
  const route = faultId !== undefined ? `${method} /_localcloud/faults/*` : `${method} ${path}`;
  if (route === "GET /_localcloud/health") {
    return json(200, {
      status: "ok",
      endpoint: cloud.endpoint,
      services: cloud.services.map((s) => s.name),
      iam: cloud.config.iam,
      auth: cloud.identity.auth.mode,
      dataDir: cloud.config.dataDir ?? "(in memory)",
      timeScale: cloud.config.timeScale,
      uptimeSeconds: Math.round((Date.now() - cloud.startedAt) / 1000),
      pid: process.pid,
      escapedErrors: cloud.escapedErrors,
    });
  }
  if (!ADMIN_ROUTES.has(route) && faultId === undefined) {
    return json(404, { error: `No admin endpoint ${route}. Try GET /_localcloud/health.` });
  }
  const refusal = adminRefusal(cloud, req, rawQuery, token);
  if (refusal) {
    cloud.log.warn(`gateway: refused ${route}: ${refusal}`);
    return json(403, { error: `${route} refused: ${refusal}.` });
  }
  if (path.startsWith("/_localcloud/faults")) {
    let id: string | undefined;
    try {
      id = faultId === undefined ? undefined : decodeURIComponent(faultId);
    } catch {
      return json(400, { error: `${faultId} is not a valid fault rule id` });
    }
    return handleFaults(cloud, method, url, body, id);
  }
  switch (route) {
    case "POST /_localcloud/reset":
      await cloud.reset();
      return json(200, { status: "reset" });
    case "GET /_localcloud/traces":
      return json(200, {
        traces: cloud.trace.list({
          correlationId: url.searchParams.get("correlationId") ?? undefined,
          kind: url.searchParams.get("kind") ?? undefined,
          since: url.searchParams.get("since") ?? undefined,
          faults: url.searchParams.get("faults") === "1" || url.searchParams.get("faults") === "true",
        }),
      });
    case "GET /_localcloud/outbox": {
      // Admin-only like /traces: confirmation mails carry the token that confirms a subscription.
      const outbox = cloud.use<SnsOutboxInternalApi>("sns-outbox");
      if (!outbox) return json(404, { error: "SNS is not running in this cloud, so there is no outbox." });
      const filter = { address: url.searchParams.get("address") ?? undefined, topicArn: url.searchParams.get("topicArn") ?? undefined, since: url.searchParams.get("since") ?? undefined };
      return json(200, { addresses: outbox.addresses(), messages: outbox.list(filter) });
    }
    default:
      return json(404, { error: `No admin endpoint ${route}. Try GET /_localcloud/health.` });
  }
}
