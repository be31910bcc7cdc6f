/**
 * The restJson1 protocol (Lambda): operations are routes — method plus a path
 * template such as `/2015-03-31/functions/{FunctionName}/invocations` — with
 * inputs from the path, the query string, headers and a JSON body. Errors are
 * `x-amzn-ErrorType: <Code>` with `{"Type":"User","message":…}` (§1).
 * A handler may return a plain object (200 JSON) or a full `RestResult`
 * (status, headers, raw body), as Invoke does.
 */
import { AwsError, internalError, isAwsError } from "../core/aws-error.js";
import type { RequestContext } from "../core/context.js";
import type { GatewayRequest, GatewayResponse } from "../core/service.js";
import { parseJsonBody } from "./json.js";
import { checkInputShape } from "./json-shapes.js";

/** A body that is not JSON, or not of the operation's shape: Lambda calls it InvalidRequestContentException. */
function readBody(service: string, operation: string, body: Buffer): Record<string, any> {
  try {
    const parsed = parseJsonBody(body);
    checkInputShape(service, operation, parsed, { bodyOnly: true });
    return parsed;
  } catch (err) {
    if (isAwsError(err) && err.code === "SerializationException" && service === "lambda") {
      throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${err.message}`);
    }
    throw err;
  }
}

export interface RestInput {
  /** Path parameters, percent-decoded. */
  path: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** Parsed JSON body ({} when empty or when `rawBody` is set on the route). */
  body: Record<string, any>;
  rawBody: Buffer;
}

export interface RestResult {
  status?: number;
  headers?: Record<string, string>;
  /** Object → JSON; Buffer/string → sent as is. */
  body?: unknown;
}

export interface RestRoute {
  method: string;
  path: string;
  operation: string;
  /** Status on success when the handler returns a plain object (CreateFunction: 201). */
  status?: number;
  /** Do not parse the body as JSON (Invoke payloads are opaque bytes). */
  rawBody?: boolean;
  handler: (ctx: RequestContext, input: RestInput) => unknown | Promise<unknown>;
}

interface CompiledRoute extends RestRoute {
  regex: RegExp;
  names: string[];
}

export function isRestResult(value: unknown): value is RestResult & { __rest: true } {
  return !!value && typeof value === "object" && (value as { __rest?: boolean }).__rest === true;
}

/** Mark a handler's return value as a full response. */
export function restResult(result: RestResult): RestResult {
  return Object.assign(result, { __rest: true });
}

function compile(route: RestRoute): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .replace(/\/$/, "")
    .split("/")
    .map((seg) => {
      const m = /^\{(\w+)(\+?)\}$/.exec(seg);
      if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(m[1]!);
      return m[2] ? "(.+)" : "([^/]+)";
    })
    .join("/");
  return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
}

/** A path parameter, percent-decoded; broken encoding (`%E0%A4%A`) is the caller's 400, not a 500. */
function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AwsError("ValidationException", `The request path contains invalid percent-encoding: ${raw}`);
  }
}

export function restError(err: AwsError, requestId: string): GatewayResponse {
  return {
    status: err.status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": err.code,
      "x-amzn-requestid": requestId,
      ...err.headers,
    },
    body: JSON.stringify({ Type: err.fault === "Sender" ? "User" : "Service", message: err.message, ...err.fields }),
  };
}

export function restJsonProtocol(options: { service: string; routes: RestRoute[] }) {
  const routes = options.routes.map(compile);
  return async function handleRestJson(req: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse> {
    try {
      let matched: { route: CompiledRoute; params: Record<string, string> } | undefined;
      let pathMatchedOtherMethod = false;
      for (const route of routes) {
        const m = route.regex.exec(req.rawPath);
        if (!m) continue;
        if (route.method !== req.method) {
          pathMatchedOtherMethod = true;
          continue;
        }
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => (params[name] = decodePathParam(m[i + 1]!)));
        matched = { route, params };
        break;
      }
      if (!matched) {
        throw new AwsError(
          pathMatchedOtherMethod ? "MethodNotAllowedException" : "UnknownOperationException",
          `The local cloud does not implement ${req.method} ${req.rawPath} for ${options.service}.`,
          { status: pathMatchedOtherMethod ? 405 : 404 },
        );
      }
      const { route, params } = matched;
      const input: RestInput = {
        path: params,
        query: req.query,
        headers: req.headers,
        body: route.rawBody ? {} : readBody(options.service, route.operation, req.body),
        rawBody: req.body,
      };
      await ctx.cloud.authorizer.authorize(ctx, {
        service: options.service,
        operation: route.operation,
        input: { ...Object.fromEntries(req.query), ...input.body, ...params },
      });
      const output = await route.handler(ctx, input);
      if (isRestResult(output)) {
        const { status, headers, body } = output;
        const isRaw = Buffer.isBuffer(body) || typeof body === "string";
        return {
          status: status ?? route.status ?? 200,
          headers: {
            "x-amzn-requestid": ctx.requestId,
            ...(body !== undefined && !isRaw ? { "content-type": "application/json" } : {}),
            ...headers,
          },
          body: body === undefined ? undefined : isRaw ? (body as Buffer | string) : JSON.stringify(body),
        };
      }
      const status = route.status ?? 200;
      return {
        status,
        headers: { "content-type": "application/json", "x-amzn-requestid": ctx.requestId },
        body: status === 204 || output === undefined ? undefined : JSON.stringify(output),
      };
    } catch (err) {
      if (!isAwsError(err)) ctx.cloud.log.error(`${options.service}: unexpected failure: ${(err as Error)?.stack ?? err}`);
      return restError(isAwsError(err) ? err : internalError(err), ctx.requestId);
    }
  };
}
