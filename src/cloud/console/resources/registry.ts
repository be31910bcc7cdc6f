/**
 * The resource kinds the console lists, in menu order. Other areas add
 * theirs by appending one ResourceKind (types.ts) — as the email outbox
 * (lab 05, outbox.ts), state machines and executions (lab 06, workflows.ts)
 * and alarms (lab 07, alarms.ts) did; the page renders whatever sections a
 * kind returns (a "graph" section draws an ASL definition).
 *
 * API: GET api/resources → the kinds; api/resources/<kind>?region= → rows;
 * api/resources/<kind>/detail?id=…; api/resources/<kind>/body?id=… → bytes.
 */
import type { Cloud } from "../../core/cloud.js";
import type { ResourceKind } from "./types.js";
import { consoleClients } from "./clients.js";
import { buckets, object, tables } from "./storage.js";
import { queues, rules, topics } from "./messaging.js";
import { functions } from "./functions.js";
import { outbox } from "./outbox.js";
import { executions, stateMachines } from "./workflows.js";
import { alarms } from "./alarms.js";

export const resourceKinds: ResourceKind[] = [buckets, object, queues, topics, tables, functions, rules, outbox, stateMachines, executions, alarms];

export interface ResourceAnswer {
  status?: number;
  json?: unknown;
  bytes?: Buffer;
  contentType?: string;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export async function resourceResponse(cloud: Cloud, route: string, query: URLSearchParams): Promise<ResourceAnswer> {
  if (route === "") return { json: { kinds: resourceKinds.filter((k) => !k.hidden).map((k) => ({ kind: k.kind, title: k.title })) } };
  const [name, action = "list"] = route.split("/");
  const kind = resourceKinds.find((k) => k.kind === name);
  if (!kind) return { status: 404, json: { error: `No resource kind ${name}. Kinds: ${resourceKinds.map((k) => k.kind).join(", ")}.` } };
  const region = query.get("region") ?? "us-east-1";
  if (!REGION.test(region)) return { status: 400, json: { error: `region ${region} is not a region name such as us-east-1` } };
  const clients = await consoleClients(cloud, region);
  const id = query.get("id") ?? "";
  if (action === "list" && kind.list) return { json: await kind.list(clients) };
  if (action === "detail" && id) return { json: await kind.detail(clients, id) };
  if (action === "body" && id && kind.body) {
    const { bytes, contentType } = await kind.body(clients, id);
    return { bytes, contentType };
  }
  return { status: 404, json: { error: `No ${action} for ${name}${id ? "" : " (id missing)"}.` } };
}
