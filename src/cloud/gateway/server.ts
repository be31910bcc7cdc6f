/**
 * The gateway: one HTTP port for every service. For each request it answers
 * the admin API itself (/_localcloud/…), otherwise works out the service
 * (identify.ts) and the caller (the access key → identity registry), reads the
 * body, and hands a GatewayRequest to the service. Whatever happens — a body
 * that ends early, a handler that throws, a service the cloud does not have —
 * the client gets an AWS-shaped error and the server keeps running.
 *
 * Request bodies (body.ts, spool.ts): S3 PutObject/UploadPart bodies past
 * the spool threshold (8 MiB, LOCALCLOUD_SPOOL_BYTES; or of unknown length)
 * stream to a temp file in the blob dir with their MD5/SHA-256 computed on
 * the way (GatewayRequest.bodyFile, up to 5 GiB as on AWS); the service
 * renames it into the blob store, and whatever is left is removed once the
 * handler returns. Other S3 requests are buffered up to 1 GiB, other services
 * capped at 16 MiB (Lambda 72 MiB) before buffering.
 *
 * **Gaps** (request bodies)
 * - POST Object (browser form uploads) is still buffered, up to 1 GiB.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import type { Cloud } from "../core/cloud.js";
import { AwsError, internalError, isAwsError } from "../core/aws-error.js";
import type { RequestContext } from "../core/context.js";
import type { GatewayRequest, GatewayResponse, ServiceModule } from "../core/service.js";
import { uuid } from "../core/ids.js";
import { readCredential, ServiceRouter } from "./identify.js";
import { handleAdmin } from "./admin.js";
import { jsonError } from "../protocols/json.js";
import { queryError } from "../protocols/query.js";
import { s3ErrorResponse } from "../protocols/rest-xml.js";
import { s3HostId, s3RequestId } from "../core/ids.js";
import { bodyLimitFor, bodyTooLargeFor, MAX_S3_SPOOLED_BYTES, readBody, spooledTooLarge } from "./body.js";
import { spoolBody } from "./spool.js";
import { spoolThresholdBytes } from "../core/blob-store.js";
import * as fsp from "node:fs/promises";

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

export interface RunningGateway {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

export async function startGateway(cloud: Cloud, port: number, host: string): Promise<RunningGateway> {
  const router = new ServiceRouter(cloud.services);

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
    if (url.pathname.startsWith("/_localcloud/")) {
      const body = await readBody(req, 1024 * 1024).catch(() => Buffer.alloc(0));
      await writeResponse(res, await handleAdmin(cloud, req.method ?? "GET", url, body), req.method ?? "GET");
      return;
    }
    const headers = flatHeaders(req.headers);
    const requestId = uuid();
    const partial: GatewayRequest = {
      method: req.method ?? "GET",
      // As sent, not URL-normalized: "/bucket/a/../b" names the S3 key "a/../b".
      rawPath: req.url?.startsWith("/") ? req.url.split("?")[0]! : url.pathname,
      query: url.searchParams,
      headers,
      body: Buffer.alloc(0),
      host: headers.host ?? `127.0.0.1`,
    };
    const credential = readCredential(partial);
    let service: ServiceModule | undefined = router.identify(partial, credential);

    const principal = cloud.identity.resolve(credential.accessKeyId);
    const ctx: RequestContext | null = principal
      ? {
          cloud,
          requestId,
          service: service?.name ?? "unknown",
          region: credential.region,
          account: principal.account,
          principal,
          sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
          endpoint: `http://${partial.host}`,
          traceHeader: headers["x-amzn-trace-id"],
        }
      : null;

    if (service?.handleRaw && ctx) {
      await service.handleRaw(req, res, ctx);
      return;
    }

    let gatewayReq: GatewayRequest;
    try {
      // Large S3 uploads go to a temp file (spool.ts), everything else to a Buffer.
      if (ctx && declaredBodySize(headers) > spoolThresholdBytes() && service?.spoolsBody?.(partial)) {
        gatewayReq = { ...partial, bodyFile: await spoolBody(req, cloud.store.blobs.spoolPath(), MAX_S3_SPOOLED_BYTES, spooledTooLarge) };
      } else gatewayReq = { ...partial, body: await readBody(req, bodyLimitFor(service?.name), bodyTooLargeFor(service?.name)) };
    } catch (err) {
      if (isAwsError(err)) await writeResponse(res, errorFor(partial, err, service, requestId), partial.method);
      else res.destroy(); // the client went away mid-body: nothing to answer, nothing stored
      return;
    }

    if (!service && !credential.signingName && !headers["x-amz-target"]) {
      // Unsigned awsQuery (rare): find the service by the form's Version.
      const version = new URLSearchParams(gatewayReq.body.toString("utf8")).get("Version") ?? undefined;
      service = router.identify(gatewayReq, credential, version);
    }
    if (!ctx) {
      const err = new AwsError("ExpiredToken", "The security token included in the request is expired", { status: 403 });
      await writeResponse(res, errorFor(gatewayReq, err, service, requestId), partial.method);
      return;
    }
    if (!service?.handle) {
      const name = credential.signingName ?? headers["x-amz-target"]?.split(".")[0] ?? "unknown";
      const err = new AwsError("NotImplemented", `The local cloud does not provide the service "${name}". It serves: ${cloud.services.map((s) => s.name).join(", ")}.`, { status: 501 });
      await writeResponse(res, errorFor(gatewayReq, err, service, requestId), partial.method);
      return;
    }
    ctx.service = service.name;
    let response: GatewayResponse;
    try {
      response = await service.handle(gatewayReq, ctx);
    } catch (err) {
      cloud.log.error(`${service.name}: unexpected failure: ${(err as Error)?.stack ?? err}`);
      response = errorFor(gatewayReq, isAwsError(err) ? err : internalError(err), service, requestId);
    } finally {
      // A spooled body the service did not move into the blob store (refused, failed) is removed.
      if (gatewayReq.bodyFile) await fsp.rm(gatewayReq.bodyFile.path, { force: true });
    }
    await writeResponse(res, response, partial.method);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

