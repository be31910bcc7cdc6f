/**
 * The local cloud's own small API, beside the AWS ones (design.md):
 * - GET  /_localcloud/health  → status, services, mode, data dir, uptime
 * - POST /_localcloud/reset   → forget every resource (tests, "start over")
 * - GET  /_localcloud/traces  → recent delivery trace entries
 *        (?correlationId=…&kind=…&since=ISO)
 */
import type { Cloud } from "../core/cloud.js";
import type { GatewayResponse } from "../core/service.js";

function json(status: number, body: unknown): GatewayResponse {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(body, null, 2) };
}

export async function handleAdmin(cloud: Cloud, method: string, url: URL, _body: Buffer): Promise<GatewayResponse> {
  const route = `${method} ${url.pathname.replace(/\/$/, "")}`;
  switch (route) {
    case "GET /_localcloud/health":
      return json(200, {
        status: "ok",
        endpoint: cloud.endpoint,
        services: cloud.services.map((s) => s.name),
        iam: cloud.config.iam,
        dataDir: cloud.config.dataDir ?? "(in memory)",
        timeScale: cloud.config.timeScale,
        uptimeSeconds: Math.round((Date.now() - cloud.startedAt) / 1000),
        pid: process.pid,
        escapedErrors: cloud.escapedErrors,
      });
    case "POST /_localcloud/reset":
      await cloud.reset();
      return json(200, { status: "reset" });
    case "GET /_localcloud/traces":
      return json(200, {
        traces: cloud.trace.list({
          correlationId: url.searchParams.get("correlationId") ?? undefined,
          kind: url.searchParams.get("kind") ?? undefined,
          since: url.searchParams.get("since") ?? undefined,
        }),
      });
    default:
      return json(404, { error: `No admin endpoint ${route}. Try GET /_localcloud/health.` });
  }
}
