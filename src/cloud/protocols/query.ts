/**
 * The awsQuery protocol (IAM, STS, SNS, and older SQS clients): a form-encoded
 * `Action=…&Version=…` body, answered with
 * `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>…`.
 *
 * Input flattening is undone generically: `Tags.member.1.Key=a` becomes
 * `{ Tags: [{ Key: "a" }] }`, `Attributes.entry.1.key=k&…value=v` becomes
 * `{ Attributes: { k: v } }` (also with `Name`/`Value` entries, as SNS
 * message attributes use), and flattened lists (`AttributeName.1=All`) become
 * arrays. Handlers return plain objects; use `members()`/`entries()` from
 * xml.ts where the output needs <member> lists or <entry> maps.
 */
import { AwsError, internalError, isAwsError } from "../core/aws-error.js";
import type { RequestContext } from "../core/context.js";
import type { GatewayRequest, GatewayResponse } from "../core/service.js";
import { buildXml } from "./xml.js";
import { checkInputShape } from "./json-shapes.js";

/** How each awsQuery service names a parameter of the wrong kind (a list where one value belongs). */
const SHAPE_ERROR: Record<string, string> = { iam: "ValidationError", sts: "ValidationError", sns: "InvalidParameter" };

export type QueryHandler = (ctx: RequestContext, input: any) => unknown | Promise<unknown>;

export interface QueryProtocolOptions {
  service: string;
  xmlns: string;
  operations: Record<string, QueryHandler>;
  /** Result element name when it is not `<Action>Result` (rare). */
  resultName?: (action: string) => string;
  /** Operations whose response has no Result element (e.g. SNS DeleteTopic still has none). */
  noResult?: Set<string>;
}

/** Read the form parameters of a query request: body for POST, query string for GET. */
export function queryParams(req: GatewayRequest): URLSearchParams {
  if (req.method === "GET") return req.query;
  const type = req.headers["content-type"] ?? "";
  if (req.body.length && !type.includes("x-www-form-urlencoded")) {
    throw new AwsError("InvalidParameterValue", "awsQuery requests must be application/x-www-form-urlencoded.");
  }
  return new URLSearchParams(req.body.toString("utf8"));
}

type Node = { [key: string]: Node | string };

/** Undo awsQuery flattening (see header). */
export function unflatten(params: URLSearchParams): Record<string, unknown> {
  const root: Node = {};
  for (const [name, value] of params) {
    if (name === "Action" || name === "Version") continue;
    const parts = name.split(".");
    let node: Node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const next = node[part];
      if (typeof next !== "object") node[part] = {};
      node = node[part] as Node;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return convert(root) as Record<string, unknown>;
}

function isIndexKeyed(node: Node): boolean {
  const keys = Object.keys(node);
  return keys.length > 0 && keys.every((k) => /^\d+$/.test(k));
}

function convert(node: Node | string): unknown {
  if (typeof node === "string") return node;
  // `X.member.N…` and `X.entry.N…`: lists and maps wrapped in a member/entry element.
  const keys = Object.keys(node);
  if (keys.length === 1 && (keys[0] === "member" || keys[0] === "entry") && typeof node[keys[0]] === "object") {
    const inner = node[keys[0]] as Node;
    if (isIndexKeyed(inner)) {
      const list = indexedList(inner);
      if (keys[0] === "entry") return toMap(list);
      return list;
    }
  }
  if (isIndexKeyed(node)) return indexedList(node);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = convert(v);
  return out;
}

function indexedList(node: Node): unknown[] {
  return Object.keys(node)
    .map(Number)
    .sort((a, b) => a - b)
    .map((i) => convert(node[String(i)]!));
}

function toMap(list: unknown[]): Record<string, unknown> | unknown[] {
  const out: Record<string, unknown> = {};
  for (const item of list) {
    if (!item || typeof item !== "object") return list;
    const rec = item as Record<string, unknown>;
    const key = rec.key ?? rec.Key ?? rec.Name ?? rec.name;
    if (typeof key !== "string") return list;
    out[key] = rec.value ?? rec.Value;
  }
  return out;
}

export function queryResponse(action: string, result: unknown, options: QueryProtocolOptions, requestId: string): GatewayResponse {
  const body: Record<string, unknown> = {};
  if (!options.noResult?.has(action)) {
    const resultName = options.resultName?.(action) ?? `${action}Result`;
    body[resultName] = result ?? "";
  }
  body.ResponseMetadata = { RequestId: requestId };
  return {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
    body: buildXml(`${action}Response`, body, options.xmlns),
  };
}

export function queryError(err: AwsError, xmlns: string, requestId: string): GatewayResponse {
  const error: Record<string, unknown> = { Type: err.fault, Code: err.queryCode ?? err.code, Message: err.message };
  for (const [k, v] of Object.entries(err.fields)) if (v !== undefined) error[k] = v;
  return {
    status: err.status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId, ...err.headers },
    body: buildXml("ErrorResponse", { Error: error, RequestId: requestId }, xmlns),
  };
}

export function queryProtocol(options: QueryProtocolOptions) {
  return async function handleQuery(req: GatewayRequest, ctx: RequestContext): Promise<GatewayResponse> {
    try {
      const params = queryParams(req);
      const action = params.get("Action");
      if (!action) throw new AwsError("MissingAction", "The request must contain the parameter Action.");
      const handler = Object.prototype.hasOwnProperty.call(options.operations, action) ? options.operations[action] : undefined;
      if (!handler) {
        throw new AwsError("InvalidAction", `The action ${action} is not valid for this endpoint, or the local cloud does not implement ${options.service}:${action}.`);
      }
      const input = unflatten(params);
      checkInputShape(options.service, action, input, { query: true, code: SHAPE_ERROR[options.service] ?? "InvalidParameterValue" });
      await ctx.cloud.authorizer.authorize(ctx, { service: options.service, operation: action, input });
      const result = await handler(ctx, input);
      return queryResponse(action, result, options, ctx.requestId);
    } catch (err) {
      if (!isAwsError(err)) ctx.cloud.log.error(`${options.service}: unexpected failure: ${(err as Error)?.stack ?? err}`);
      return queryError(isAwsError(err) ? err : internalError(err), options.xmlns, ctx.requestId);
    }
  };
}
