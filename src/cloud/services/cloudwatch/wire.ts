/**
 * CloudWatch's three wire protocols (aws-behavior.md §11), one set of handlers:
 *
 * - awsJson 1.0 (what SDK v3 ≥ 3.949 and botocore ≥ 1.42.6, hence the AWS CLI
 *   here, send): `X-Amz-Target: GraniteServiceVersion20100801.<Op>`;
 *   timestamps are epoch seconds; errors carry `x-amzn-query-error`
 *   (the model is awsQueryCompatible), which SDK v3 names the error by.
 * - awsQuery 2010-08-01 (older SDKs and CLIs): form in, XML out, lists as
 *   <member>, ExtendedStatistics as <entry> maps, ISO 8601 timestamps.
 * - Smithy RPC v2 CBOR (what a client opts into with the `protocol` option,
 *   and other SDKs send): `POST /service/GraniteServiceVersion20100801/operation/<Op>`,
 *   `smithy-protocol: rpc-v2-cbor`; timestamps are CBOR tag 1. Encoding and
 *   decoding use @smithy/core's CBOR codec, the one the SDK itself uses
 *   (already installed with every @aws-sdk client), loaded on first use.
 *
 * Handlers return Date objects for timestamps; each protocol writes them.
 *
 * Request compression: SDK v3 gzips PutMetricData bodies of 10 KiB or more
 * (the model's requestCompression trait; `Content-Encoding: gzip`), so gzip
 * bodies are inflated here first, up to MAX_INFLATED_BYTES (a zip bomb gets
 * a 400, never an out-of-memory).
 */
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import { AwsError, internalError, isAwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import type { GatewayRequest, GatewayResponse } from "../../core/service.js";
import { jsonError, jsonProtocol, type JsonHandler } from "../../protocols/json.js";
import { queryError, queryProtocol, type QueryHandler } from "../../protocols/query.js";
import { entries, members } from "../../protocols/xml.js";

export const TARGET_PREFIX = "GraniteServiceVersion20100801";
const ERROR_NAMESPACE = "com.amazonaws.cloudwatch";
const XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
/** AWS takes PutMetricData up to 1 MB; inflated bodies past this are refused. */
const MAX_INFLATED_BYTES = 4 * 1024 * 1024;
const CBOR_PATH = new RegExp(`^/service/${TARGET_PREFIX}/operation/([A-Za-z]+)$`);

type Handler = (ctx: RequestContext, input: Record<string, unknown>) => unknown;

/** Dates → epoch seconds, recursively (awsJson). */
function forJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(forJson);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = forJson(v);
    return out;
  }
  return value;
}

/** Dates → ISO 8601, arrays → <member> lists, ExtendedStatistics → <entry> maps (awsQuery XML). */
function forQuery(value: unknown, key = ""): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return members(value.map((v) => forQuery(v)));
  if (value && typeof value === "object") {
    if (key === "ExtendedStatistics") return entries(value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = forQuery(v, k);
    return out;
  }
  return value;
}

interface CborApi {
  cbor: { serialize(v: unknown): Uint8Array; deserialize(b: Uint8Array): unknown };
  dateToTag(d: Date): unknown;
}
let cborApi: CborApi | null | undefined;
function loadCbor(): CborApi | null {
  if (cborApi !== undefined) return cborApi;
  try {
    const require = createRequire(import.meta.url);
    const fromClient = createRequire(require.resolve("@aws-sdk/client-cloudwatch"));
    cborApi = fromClient("@smithy/core/cbor") as CborApi;
  } catch {
    cborApi = null;
  }
  return cborApi;
}

/** CBOR tag 1 → Date, recursively (input). */
function fromCbor(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromCbor);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const rec = value as Record<string, unknown>;
    if (rec.tag === 1 && typeof rec.value === "number" && Object.keys(rec).length === 2) return new Date(rec.value * 1000);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) if (v !== null) out[k] = fromCbor(v);
    return out;
  }
  return value;
}

function forCbor(value: unknown, api: CborApi): unknown {
  if (value instanceof Date) return api.dateToTag(value);
  if (Array.isArray(value)) return value.map((v) => forCbor(v, api));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = forCbor(v, api);
    return out;
  }
  return value;
}

function cborResponse(status: number, body: unknown, requestId: string, api: CborApi, extra: Record<string, string> = {}): GatewayResponse {
  return {
    status,
    headers: { "content-type": "application/cbor", "smithy-protocol": "rpc-v2-cbor", "x-amzn-requestid": requestId, ...extra },
    body: Buffer.from(api.cbor.serialize(forCbor(body, api))),
  };
}

/** An error in the protocol the request was sent in (for failures before the protocol layer runs). */
function errorFor(err: AwsError, req: GatewayRequest, ctx: RequestContext): GatewayResponse {
  if (isCborRequest(req)) {
    const api = loadCbor();
    if (api) return cborResponse(err.status, { __type: `${ERROR_NAMESPACE}#${err.code}`, message: err.message }, ctx.requestId, api, { "x-amzn-query-error": `${err.queryCode ?? err.code};${err.fault}` });
  }
  if (req.headers["x-amz-target"]) return jsonError(err, { version: "1.0", errorNamespace: ERROR_NAMESPACE, queryCompatible: true }, ctx.requestId);
  return queryError(err, XMLNS, ctx.requestId);
}

export function isCborRequest(req: GatewayRequest): boolean {
  return CBOR_PATH.test(req.rawPath);
}

export function cloudWatchWire(operations: Record<string, Handler>, noResult: Set<string>) {
  const jsonOps: Record<string, JsonHandler> = {};
  const queryOps: Record<string, QueryHandler> = {};
  for (const [name, handler] of Object.entries(operations)) {
    jsonOps[name] = async (ctx, input) => forJson(await handler(ctx, input));
    queryOps[name] = async (ctx, input) => forQuery(await handler(ctx, input));
  }
  const handleJson = jsonProtocol({ service: "cloudwatch", version: "1.0", errorNamespace: ERROR_NAMESPACE, queryCompatible: true, operations: jsonOps });
  const handleQuery = queryProtocol({ service: "cloudwatch", xmlns: XMLNS, operations: queryOps, noResult });

  async function handleCbor(req: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse> {
    const api = loadCbor();
    if (!api) {
      return { status: 415, headers: { "content-type": "text/plain" }, body: "The local cloud could not load a CBOR codec (@smithy/core/cbor); use the JSON protocol." };
    }
    try {
      if (req.method !== "POST") throw new AwsError("UnknownOperationException", "RPC v2 CBOR requests must be POST.");
      const operation = CBOR_PATH.exec(req.rawPath)![1]!;
      const handler = Object.prototype.hasOwnProperty.call(operations, operation) ? operations[operation] : undefined;
      if (!handler) throw new AwsError("UnknownOperationException", `The local cloud does not implement cloudwatch:${operation}.`, { status: 404 });
      let input: Record<string, unknown> = {};
      if (req.body.length) {
        let decoded: unknown;
        try {
          decoded = api.cbor.deserialize(new Uint8Array(req.body));
        } catch (err) {
          throw new AwsError("SerializationException", `The request body is not valid CBOR: ${(err as Error).message}`);
        }
        if (!decoded || typeof decoded !== "object" || Array.isArray(decoded)) throw new AwsError("SerializationException", "The request body must be a CBOR map.");
        input = fromCbor(decoded) as Record<string, unknown>;
      }
      await ctx.cloud.authorizer.authorize(ctx, { service: "cloudwatch", operation, input });
      return cborResponse(200, (await handler(ctx, input)) ?? {}, ctx.requestId, api);
    } catch (err) {
      if (!isAwsError(err)) ctx.cloud.log.error(`cloudwatch: unexpected failure: ${(err as Error)?.stack ?? err}`);
      const e = isAwsError(err) ? err : internalError(err);
      return cborResponse(e.status, { __type: `${ERROR_NAMESPACE}#${e.code}`, message: e.message }, ctx.requestId, api, {
        "x-amzn-query-error": `${e.queryCode ?? e.code};${e.fault}`,
        ...e.headers,
      });
    }
  }

  return async (raw: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse> => {
    let req = raw;
    const encoding = (raw.headers["content-encoding"] ?? "").toLowerCase();
    if (encoding.split(",").some((e) => e.trim() === "gzip") && raw.body.length) {
      let body: Buffer;
      try {
        body = gunzipSync(raw.body, { maxOutputLength: MAX_INFLATED_BYTES });
      } catch (err) {
        const tooBig = (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
        const e = new AwsError("InvalidParameterValueException", tooBig ? `The request body inflates past ${MAX_INFLATED_BYTES} bytes.` : "The request body is not valid gzip data (Content-Encoding: gzip).", { queryCode: "InvalidParameterValue", status: tooBig ? 413 : 400 });
        return errorFor(e, raw, ctx);
      }
      const headers = { ...raw.headers };
      delete headers["content-encoding"];
      req = { ...raw, body, headers };
    }
    if (isCborRequest(req)) return handleCbor(req, ctx);
    if (req.headers["x-amz-target"]) return handleJson(req, ctx);
    return handleQuery(req, ctx);
  };
}
