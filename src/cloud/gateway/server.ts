/**
 * The gateway: one HTTP port for every service. For each request it refuses a
 * Host that is not the cloud's (auth/host-origin.ts), answers the admin API
 * itself (/_localcloud/…, admin.ts), otherwise works out the service
 * (identify.ts), reads the body, authenticates the caller (auth/gate.ts:
 * SigV4 verified, foreign Origins refused), and hands a GatewayRequest to the
 * service. /_localcloud/console is handed to the console (console/index.ts),
 * imported on its first request. A request whose X-Amzn-Trace-Id is a Lambda
 * invocation's gets `ctx.causedBy` and is traced as "sdk.call" (the console
 * shows a function's own calls under its invocation). Whatever happens — a body
 * that ends early, a handler that throws, a service the cloud does not have —
 * the client gets an AWS-shaped error and the server keeps running.
 * An authenticated role session's S3/DynamoDB request may instead get an
 * injected transient error (core/faults/, fault-target.ts) before the service
 * sees it.
 *
 * Request bodies (body.ts, spool.ts): S3 PutObject/UploadPart bodies past
 * the spool threshold (8 MiB, LOCALCLOUD_SPOOL_BYTES; or of unknown length)
 * stream to a temp file in the blob dir with their MD5/SHA-256 computed on
 * the way (GatewayRequest.bodyFile, up to 5 GiB as on AWS; the SigV4 check
 * uses that SHA-256); the service renames it into the blob store, and
 * whatever is left is removed before the response is written. Other S3
 * requests are buffered up to 1 GiB, other services capped at 16 MiB (Lambda
 * 72 MiB) before buffering.
 *
 * **Gaps** (request bodies)
 * - POST Object (browser form uploads) is still buffered, up to 1 GiB.
 */
import * as http from "node:http";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import type { Cloud } from "../core/cloud.js";
import { AwsError, internalError, isAwsError } from "../core/aws-error.js";
import type { RequestContext } from "../core/context.js";
import type { GatewayRequest, GatewayResponse, ServiceModule } from "../core/service.js";
import { uuid } from "../core/ids.js";
import { readCredential, ServiceRouter } from "./identify.js";
import { adminRefusal, handleAdmin } from "./admin.js";
import { jsonError } from "../protocols/json.js";
import { queryError } from "../protocols/query.js";
import { s3ErrorResponse } from "../protocols/rest-xml.js";
import { restError } from "../protocols/rest-json.js";
import { s3HostId, s3RequestId } from "../core/ids.js";
import { bodyLimitFor, bodyTooLargeFor, MAX_S3_SPOOLED_BYTES, readBody, spooledTooLarge } from "./body.js";
import { spoolBody } from "./spool.js";
import { spoolThresholdBytes } from "../core/blob-store.js";
import * as fs from "node:fs";
import { familyOf, gate, gateBeforeBody } from "./auth/gate.js";
import { authError } from "./auth/errors.js";
import { HostRules, hostnameOf } from "./auth/host-origin.js";
import { faultTarget } from "./fault-target.js";


function flatHeaders(raw: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/**
 * How large a body says it is: Content-Length, else (HTTP chunked, as SDK v3
 * sends stream bodies) the aws-chunked decoded length, else unknown — treated
 * as large, so a body of unknown size is never buffered just in case.
 */
function declaredBodySize(headers: Record<string, string>): number {
  const length = headers["content-length"] ?? headers["x-amz-decoded-content-length"];
  if (length !== undefined) return Number(length) || 0;
  return headers["transfer-encoding"] !== undefined ? Infinity : 0;
}

/** An error in the shape the request's protocol expects, for failures before a service takes over. */
function errorFor(req: GatewayRequest, err: AwsError, service: ServiceModule | undefined, requestId: string): GatewayResponse {
  const target = req.headers["x-amz-target"];
  const contentType = req.headers["content-type"] ?? "";
  if (service?.name === "lambda") return restError(err, requestId);
  if (target || contentType.includes("x-amz-json")) {
    const version = contentType.includes("1.1") ? "1.1" : "1.0";
    return jsonError(err, { version, errorNamespace: `com.amazonaws.${service?.name ?? "localcloud"}`, queryCompatible: service?.name === "sqs" }, requestId);
  }
  if (contentType.includes("x-www-form-urlencoded") && !service?.name.startsWith("s3")) {
    return queryError(err, "https://localcloud.invalid/doc/", requestId);
  }
  return s3ErrorResponse(err, { requestId: s3RequestId(), hostId: s3HostId() }, req.method);
}

async function writeResponse(res: http.ServerResponse, response: GatewayResponse, method: string): Promise<void> {
  const headers: Record<string, string | number | string[]> = { ...(response.headers ?? {}) };
  const body = response.body;
  if (body === undefined || Buffer.isBuffer(body) || typeof body === "string") {
    const length = body === undefined ? 0 : Buffer.byteLength(body);
    if (headers["content-length"] === undefined) headers["content-length"] = length;
    res.writeHead(response.status, headers);
    res.end(method === "HEAD" ? undefined : body);
    return;
  }
  res.writeHead(response.status, headers);
  if (method === "HEAD") {
    (body as Readable).destroy();
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    (body as Readable).on("error", () => {
      res.destroy();
      resolve();
    });
    res.on("close", resolve);
    (body as Readable).pipe(res);
  });
}

/** A Lambda function's own SDK call, in the trace under the invocation that made it (the console shows it). */
function recordSdkCall(cloud: Cloud, ctx: RequestContext, req: GatewayRequest, status: number): void {
  const target = req.headers["x-amz-target"]?.split(".").pop();
  const action = req.query.get("Action") ?? (/(?:^|&)Action=([A-Za-z]+)/.exec(req.body.length < 65536 ? req.body.toString("latin1") : "")?.[1]);
  const operation = target ?? action ?? `${req.method} ${req.rawPath.length > 200 ? req.rawPath.slice(0, 200) + "…" : req.rawPath}`;
  cloud.trace.record({
    correlationId: ctx.causedBy!.correlationId,
    kind: "sdk.call",
    source: ctx.causedBy!.functionArn,
    target: ctx.service,
    status: status < 400 ? "ok" : status === 403 ? "denied" : "failed",
    detail: `${ctx.service} ${operation} → HTTP ${status}`,
    data: { service: ctx.service, operation, status, requestId: ctx.requestId },
    causedBy: ctx.causedBy,
  });
}

export interface RunningGateway {
  server: http.Server;
  port: number;
  /** The token /_localcloud/* writes and traces need (admin.ts). */
  adminToken: string;
  close(): Promise<void>;
}

export async function startGateway(cloud: Cloud, port: number, host: string, options: { adminToken?: string } = {}): Promise<RunningGateway> {
  const router = new ServiceRouter(cloud.services);
  const hosts = new HostRules(host);
  const adminToken = options.adminToken ?? randomBytes(16).toString("hex");

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      cloud.log.error(`gateway: ${err?.stack ?? err}`);
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end("local cloud internal error");
      } else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = flatHeaders(req.headers);
    const requestId = uuid();
    const rawUrl = req.url?.startsWith("/") ? req.url : url.pathname + url.search;
    const queryAt = rawUrl.indexOf("?");
    const partial: GatewayRequest = {
      method: req.method ?? "GET",
      // As sent, not URL-normalized: "/bucket/a/../b" names the S3 key "a/../b".
      rawPath: queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt),
      query: url.searchParams,
      headers,
      body: Buffer.alloc(0),
      host: headers.host ?? `127.0.0.1`,
    };
    const rawQuery = queryAt < 0 ? "" : rawUrl.slice(queryAt + 1);
    const credential = readCredential(partial);
    let service: ServiceModule | undefined = router.identify(partial, credential);

    if (!hosts.allows(headers.host)) {
      // DNS rebinding: a page whose name now resolves to this machine still sends its own Host.
      cloud.log.warn(`gateway: refused ${partial.method} ${partial.rawPath} for Host "${headers.host ?? ""}" (not an address this cloud serves)`);
      req.resume();
      const err = authError(familyOf(partial, service), "forbidden", `The local cloud does not answer for host "${hostnameOf(headers.host ?? "")}". Use ${cloud.endpoint || "http://127.0.0.1:<port>"} (or localhost).`);
      await writeResponse(res, errorFor(partial, err, service, requestId), partial.method);
      return;
    }
    if (url.pathname === "/_localcloud/console" || url.pathname.startsWith("/_localcloud/console/")) {
      // The console (console/index.ts), loaded on its first request: it adds nothing to start-up.
      req.resume();
      const { handleConsole } = await import("../console/index.js");
      await handleConsole({ cloud, req, res, url, gatewayRequest: partial, refusal: () => adminRefusal(cloud, partial, rawQuery, adminToken) });
      return;
    }
    if (url.pathname.startsWith("/_localcloud/")) {
      const body = await readBody(req, 1024 * 1024).catch(() => Buffer.alloc(0));
      await writeResponse(res, await handleAdmin(cloud, { ...partial, body }, url, rawQuery, adminToken), partial.method);
      return;
    }

    // A request that will be refused whatever its body is refused before the body is read.
    const early = gateBeforeBody(cloud, partial, rawQuery, service);
    if (early) {
      cloud.log.debug(`gateway: refused ${partial.method} ${partial.rawPath} (${service?.name ?? "unknown service"}): ${early.failure} — ${early.error.message}`);
      req.resume();
      await writeResponse(res, errorFor(partial, early.error, service, requestId), partial.method);
      return;
    }

    let gatewayReq: GatewayRequest;
    try {
      // Large S3 uploads go to a temp file (spool.ts), everything else to a Buffer.
      if (declaredBodySize(headers) > spoolThresholdBytes() && service?.spoolsBody?.(partial)) {
        gatewayReq = { ...partial, bodyFile: await spoolBody(req, cloud.store.blobs.spoolPath(), MAX_S3_SPOOLED_BYTES, spooledTooLarge) };
      } else gatewayReq = { ...partial, body: await readBody(req, bodyLimitFor(service?.name), bodyTooLargeFor(service?.name)) };
    } catch (err) {
      if (isAwsError(err)) await writeResponse(res, errorFor(partial, err, service, requestId), partial.method);
      else res.destroy(); // the client went away mid-body: nothing to answer, nothing stored
      return;
    }

    // A spooled body the service did not move into the blob store (a refused signature, a bad
    // digest) is removed before any answer leaves: one unlink, synchronous so no client sees it.
    const respond = (response: GatewayResponse) => {
      if (gatewayReq.bodyFile) fs.rmSync(gatewayReq.bodyFile.path, { force: true });
      return writeResponse(res, response, partial.method);
    };

    // Unsigned awsQuery: find the service by the form's Version (an unsigned POST / is never an S3 operation).
    if ((!service || (service.name === "s3" && partial.method === "POST" && partial.rawPath === "/")) && !credential.signingName && !headers["x-amz-target"]) {
      const version = new URLSearchParams(gatewayReq.body.toString("utf8")).get("Version") ?? undefined;
      service = router.identify(gatewayReq, credential, version) ?? service;
    }

    const verdict = gate(cloud, gatewayReq, rawQuery, service);
    if ("error" in verdict) {
      cloud.log.debug(`gateway: refused ${partial.method} ${partial.rawPath} (${service?.name ?? "unknown service"}): ${verdict.failure} — ${verdict.error.message}`);
      await respond(errorFor(gatewayReq, verdict.error, service, requestId));
      return;
    }
    const principal = verdict.principal;
    const ctx: RequestContext = {
      cloud,
      requestId,
      service: service?.name ?? "unknown",
      region: credential.region,
      account: principal.account,
      principal,
      sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
      endpoint: `http://${partial.host}`,
      traceHeader: headers["x-amzn-trace-id"],
      causedBy: cloud.trace.invocationOf(headers["x-amzn-trace-id"]),
    };

    // Injected transient errors (core/faults/) for a function's own S3/DynamoDB calls, before the service acts.
    if (cloud.faults.active && (service?.name === "s3" || service?.name === "dynamodb")) {
      const injected = cloud.faults.forRequest({ service: service.name, ...faultTarget(service.name, gatewayReq), principal, requestId });
      if (injected) {
        await respond(errorFor(gatewayReq, injected, service, requestId));
        return;
      }
    }

    if (service?.handleRaw) {
      if (ctx.causedBy) res.once("finish", () => recordSdkCall(cloud, ctx, gatewayReq, res.statusCode));
      await service.handleRaw(req, res, ctx, gatewayReq.body);
      return;
    }
    if (!service?.handle) {
      const name = credential.signingName ?? headers["x-amz-target"]?.split(".")[0] ?? "unknown";
      const err = new AwsError("NotImplemented", `The local cloud does not provide the service "${name}". It serves: ${cloud.services.map((s) => s.name).join(", ")}.`, { status: 501 });
      await respond(errorFor(gatewayReq, err, service, requestId));
      return;
    }
    ctx.service = service.name;
    let response: GatewayResponse;
    try {
      response = await service.handle(gatewayReq, ctx);
    } catch (err) {
      cloud.log.error(`${service.name}: unexpected failure: ${(err as Error)?.stack ?? err}`);
      response = errorFor(gatewayReq, isAwsError(err) ? err : internalError(err), service, requestId);
    }
    if (ctx.causedBy) recordSdkCall(cloud, ctx, gatewayReq, response.status);
    await respond(response);
  }

  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // large uploads on slow links must not be cut off

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    server,
    port: actualPort,
    adminToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

