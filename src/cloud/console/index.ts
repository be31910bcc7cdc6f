/**
 * The local cloud's console (issue 19): a browser view of what happened to an
 * upload — the event trace, live — and of the resources it touched, served at
 * /_localcloud/console/ on the cloud's own port. It is a client, not a
 * service (design.md): it reads the trace (core/trace.ts) and the services
 * through their AWS APIs (resources/, SDK v3 clients signed as the
 * administrator) and the few internal APIs meant for it (SQS peek); it keeps
 * no state of its own. Loaded lazily by the gateway on the first request to
 * /_localcloud/console, so it costs the cloud's start-up nothing.
 *
 * Routes:
 * - GET /_localcloud/console/            the page (web/index.html) and its modules, CSS
 * - GET /_localcloud/console/api/traces  the trace as JSON (?after=<seq>)
 * - GET /_localcloud/console/api/stream  the trace as server-sent events (?after=<seq>), stream.ts
 * - GET /_localcloud/console/api/resources…  buckets, objects, queues, topics, tables, functions, rules, email outbox, state machines and executions, alarms (resources/)
 *
 * **By design** (security, docs/architecture.md "The security model")
 * - The token printed at start travels in the URL's *fragment*
 *   (`/_localcloud/console/#token=…`): browsers never send a fragment to a
 *   server (no logs, no Referer). The page keeps it in memory and sends it on
 *   every API call as the `x-localcloud-token` header — the admin API's own
 *   check (gateway/admin.ts adminRefusal). No cookie is set, so there is no
 *   ambient authority: a page of another origin cannot make the browser call
 *   the API with the token (a custom header needs a CORS preflight, which is
 *   never answered), and cannot read answers (no CORS headers). A foreign
 *   Origin, or a Sec-Fetch-Site other than same-origin, is refused outright;
 *   DNS rebinding fails at the gateway's Host rule (auth/host-origin.ts).
 * - The page and its modules are not secret and are served without the
 *   token (a navigation cannot carry a header), with a strict CSP
 *   (script-src 'self', frame-ancestors 'none'), no-referrer, nosniff and
 *   Cross-Origin-Opener-Policy, so it cannot be framed or scripted by others.
 * - Read-only: every API route is a GET; reading a queue peeks (no receive).
 * - Object bodies are answered as application/octet-stream with a sandbox
 *   CSP; the page previews images from a Blob, text as text, never as HTML.
 *
 * **Gaps**
 * - S3 objects are served by the same origin (path-style URLs): an HTML
 *   object opened in a tab runs at the console's origin. It still cannot use
 *   the console — the token is in no cookie or storage, only in the
 *   console tab's memory and address bar — but it could read other
 *   same-origin pages it opens itself.
 * - Resources are listed in one region at a time (?region=, default us-east-1),
 *   at most 1000 objects / 100 messages / 50 items / 50 mails per address /
 *   100 executions / 1000 history events / 100 alarms per view.
 * - The state machine graph is boxes in run order with their transitions
 *   named (Next, Choice rules, Default, Catch, End), Parallel/Map nested —
 *   no drawn arrows; it marks the states an execution entered and the one it
 *   failed in, not the path inside a Map iteration or Parallel branch.
 * - A detail is a snapshot: it does not refresh live (reopen the row).
 * - The trace lives in memory: the newest 10,000 entries, gone on restart;
 *   the page draws the newest 100 stories that pass its filters.
 * - An SNS subscription's FilterPolicy decision says "filtered out", not
 *   which attribute failed; EventBridge rules say matched or not, not which
 *   field of the pattern differed.
 * - S3 → SQS/SNS deliveries are not re-checked against the queue or topic
 *   policy at delivery time (only when the configuration is saved), so no
 *   denial can appear there; S3 → Lambda, SNS → * and EventBridge → * can.
 *
 * **Extension points**: resources/registry.ts holds one entry per resource
 * kind (list + detail, returned as generic sections the page renders), as
 * the email outbox, state machines and alarms did (web/ only gained the
 * "graph" section, web/asl-graph.js). Trace kinds the page does not know are shown as plain steps.
 */
import type * as http from "node:http";
import type { Cloud } from "../core/cloud.js";
import type { GatewayRequest } from "../core/service.js";
import { serveStatic } from "./static-files.js";
import { streamTrace } from "./stream.js";
import { resourceResponse } from "./resources/registry.js";
import { isSameOrigin } from "../gateway/auth/host-origin.js";

export const CONSOLE_PATH = "/_localcloud/console/";

export interface ConsoleRequest {
  cloud: Cloud;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  gatewayRequest: GatewayRequest;
  /** Why the caller is not the administrator (gateway/admin.ts), or undefined. */
  refusal(): string | undefined;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers });
  res.end(text);
}

export async function handleConsole(c: ConsoleRequest): Promise<void> {
  const { req, res, url, cloud } = c;
  const path = url.pathname;
  const method = req.method ?? "GET";
  const origin = req.headers["origin"];
  const fetchSite = req.headers["sec-fetch-site"];
  if (path === "/_localcloud/console") {
    // The fragment (the token) survives a redirect.
    res.writeHead(308, { location: CONSOLE_PATH, "content-length": 0 });
    res.end();
    return;
  }
  if (method !== "GET" && method !== "HEAD") {
    send(res, 405, { error: "The console is read-only: only GET is answered." }, { allow: "GET, HEAD" });
    return;
  }
  if (!path.startsWith(`${CONSOLE_PATH}api/`)) {
    // The page itself: refused only to other origins' requests (scripts, fetches); a plain navigation has no Origin.
    if (origin !== undefined && !(req.headers.host && isSameOrigin(origin, req.headers.host))) {
      send(res, 403, { error: `requests from web pages (Origin: ${origin}) are not accepted` });
      return;
    }
    await serveStatic(res, path.slice(CONSOLE_PATH.length), method);
    return;
  }
  // The API: same-origin fetches of the console page, or non-browser clients, with the admin token.
  if (fetchSite !== undefined && fetchSite !== "same-origin") {
    cloud.log.warn(`console: refused ${path}: Sec-Fetch-Site ${fetchSite} (only the console page itself may call its API)`);
    send(res, 403, { error: `The console's API answers only the console page (Sec-Fetch-Site: ${fetchSite}).` });
    return;
  }
  const refusal = c.refusal();
  if (refusal) {
    cloud.log.warn(`console: refused ${path}: ${refusal}`);
    send(res, 403, { error: `${path} refused: ${refusal}. Open the console with the link the cloud printed (…/_localcloud/console/#token=…), or run \`npm run env\`.` });
    return;
  }
  const route = path.slice(`${CONSOLE_PATH}api/`.length);
  try {
    if (route === "stream") return streamTrace(cloud, req, res, afterOf(url));
    if (route === "traces") return send(res, 200, { lastSeq: cloud.trace.lastSeq(), traces: cloud.trace.list({ afterSeq: afterOf(url) }) });
    if (route === "info") return send(res, 200, { endpoint: cloud.endpoint, iam: cloud.config.iam, timeScale: cloud.config.timeScale, services: cloud.services.map((s) => s.name) });
    if (route === "resources" || route.startsWith("resources/")) {
      const answer = await resourceResponse(cloud, route.slice("resources".length).replace(/^\//, ""), url.searchParams);
      if (answer.bytes) {
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "x-object-content-type": answer.contentType ?? "application/octet-stream",
          "content-security-policy": "sandbox; default-src 'none'",
          "x-content-type-options": "nosniff",
          "cache-control": "no-store",
          "content-length": answer.bytes.length,
        });
        res.end(answer.bytes);
        return;
      }
      return send(res, answer.status ?? 200, answer.json);
    }
    send(res, 404, { error: `No console API ${route}.` });
  } catch (err) {
    cloud.log.warn(`console: ${route} failed: ${(err as Error)?.message ?? err}`);
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    send(res, status && status >= 400 && status < 500 ? status : 502, { error: `${(err as Error).name}: ${(err as Error).message}` });
  }
}

function afterOf(url: URL): number {
  const n = Number(url.searchParams.get("after") ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
