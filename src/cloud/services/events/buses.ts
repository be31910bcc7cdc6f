/**
 * Event buses: the default bus (always there, per account and region) and
 * custom buses — CreateEventBus, DeleteEventBus (its rules go with it; the
 * default bus cannot be deleted), DescribeEventBus, ListEventBuses — plus the
 * bus lookup every other operation uses (EventBusName may be a name or an ARN).
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { busArn, rulesOf, type BusRecord, type EventsState } from "./state.js";
import { busNotFound, validation } from "./errors.js";

const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;

export interface ResolvedBus {
  name: string;
  arn: string;
  account: string;
  region: string;
  record?: BusRecord;
}

/** A bus by name or ARN (default when absent); ResourceNotFoundException when it does not exist. */
export function resolveBus(state: EventsState, account: string, region: string, nameOrArn: unknown): ResolvedBus {
  let name = nameOrArn === undefined || nameOrArn === null || nameOrArn === "" ? "default" : String(nameOrArn);
  if (name.startsWith("arn:")) {
    const m = /^arn:aws:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(name);
    if (!m) throw validation(`Parameter EventBusName is not valid: ${name}`);
    [, region, account, name] = m as unknown as [string, string, string, string];
  }
  const arn = busArn(region, account, name);
  if (name === "default") return { name, arn, account, region };
  const record = state.buses.get(arn);
  if (!record) throw busNotFound(name);
  return { name, arn, account, region, record };
}

/** Does the bus an ARN names exist (the "events" destination adapter)? */
export function busExists(state: EventsState, arn: string): boolean {
  const m = /^arn:aws:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(arn);
  if (!m) return false;
  return m[1] === "default" || state.buses.has(arn);
}

function describe(bus: ResolvedBus) {
  return {
    Name: bus.name,
    Arn: bus.arn,
    Description: bus.record?.description,
    Policy: bus.record?.policy,
    CreationTime: bus.record ? Date.parse(bus.record.createdAt) / 1000 : undefined,
    LastModifiedTime: bus.record ? Date.parse(bus.record.modifiedAt) / 1000 : undefined,
  };
}

export function busHandlers(state: EventsState) {
  return {
    CreateEventBus(ctx: RequestContext, input: { Name?: string; Description?: string; EventSourceName?: string; Tags?: Array<{ Key: string; Value: string }> }) {
      const name = input.Name;
      if (typeof name !== "string" || !name) throw validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
      if (!BUS_NAME.test(name) || name.includes("/")) throw validation(`1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+`);
      if (input.EventSourceName) throw validation("Partner event sources are not supported by the local cloud.");
      const arn = busArn(ctx.region, ctx.account, name);
      if (name === "default" || state.buses.has(arn)) throw new AwsError("ResourceAlreadyExistsException", `Event bus ${name} already exists.`);
      const now = new Date().toISOString();
      const tags: Record<string, string> = {};
      for (const t of input.Tags ?? []) tags[t.Key] = t.Value;
      state.buses.set(arn, { arn, name, account: ctx.account, region: ctx.region, description: input.Description, tags, createdAt: now, modifiedAt: now });
      return { EventBusArn: arn, Description: input.Description };
    },

    DeleteEventBus(ctx: RequestContext, input: { Name?: string }) {
      if (input.Name === "default") throw validation("Cannot delete event bus default.");
      const arn = busArn(ctx.region, ctx.account, String(input.Name ?? ""));
      if (!state.buses.has(arn)) return {}; // AWS answers success for a bus that does not exist
      for (const rule of rulesOf(state, ctx.account, ctx.region, String(input.Name))) state.rules.delete(rule.arn);
      state.buses.delete(arn);
      return {};
    },

    DescribeEventBus(ctx: RequestContext, input: { Name?: string }) {
      return describe(resolveBus(state, ctx.account, ctx.region, input.Name));
    },

    ListEventBuses(ctx: RequestContext, input: { NamePrefix?: string; Limit?: number; NextToken?: string }) {
      const all: ResolvedBus[] = [{ name: "default", arn: busArn(ctx.region, ctx.account, "default"), account: ctx.account, region: ctx.region }];
      for (const record of state.buses.values()) {
        if (record.account === ctx.account && record.region === ctx.region) all.push({ name: record.name, arn: record.arn, account: record.account, region: record.region, record });
      }
      const filtered = all.filter((b) => !input.NamePrefix || b.name.startsWith(input.NamePrefix)).sort((a, b) => (a.name < b.name ? -1 : 1));
      return paginate(filtered.map(describe), input.Limit, input.NextToken, "EventBuses");
    },
  };
}

/** Limit/NextToken paging shared by the List operations. */
export function paginate<T>(items: T[], limit: number | undefined, nextToken: string | undefined, key: string): Record<string, unknown> {
  const start = nextToken ? Number(Buffer.from(nextToken, "base64").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation("The NextToken is not valid.");
  const size = limit && limit > 0 ? Math.min(limit, 100) : 100;
  const page = items.slice(start, start + size);
  return { [key]: page, NextToken: start + size < items.length ? Buffer.from(String(start + size)).toString("base64") : undefined };
}
