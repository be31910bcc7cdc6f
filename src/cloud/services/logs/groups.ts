/**
 * Log groups and log streams: create, describe, delete, retention. Names are
 * validated with AWS's patterns; descriptions carry the fields AWS returns
 * (arn with and without the trailing ":*", storedBytes, logGroupClass).
 */
import type { RequestContext } from "../../core/context.js";
import type { JsonHandler } from "../../protocols/json.js";
import { groupExists, groupNotFound, invalidParameter, requireString, streamExists, streamNotFound } from "./errors.js";
import { groupKey, streamKey, type LogGroupRecord, type LogsState } from "./state.js";

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;
/** The values PutRetentionPolicy accepts (AWS's fixed list). */
const RETENTION_DAYS = new Set([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);

export function validateGroupName(name: string): void {
  if (!GROUP_NAME.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`);
  }
}

export function validateStreamName(name: string): void {
  if (!STREAM_NAME.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`);
  }
}

/** logGroupName, or logGroupIdentifier (a name or an ARN, with or without ":*"). */
export function groupNameFrom(input: Record<string, unknown>): string {
  const identifier = input.logGroupIdentifier;
  if (typeof identifier === "string" && identifier) {
    const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(?::\*)?$/.exec(identifier);
    return m ? m[1]! : identifier;
  }
  return requireString(input, "logGroupName");
}

/** The group named by a resource ARN (TagResource & co.): arn:aws:logs:<r>:<acct>:log-group:<name>[:*]. */
function groupFromArn(arn: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(?::\*)?$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid resource ARN: ${arn}. Tagging is supported for log groups (arn:aws:logs:<region>:<account>:log-group:<name>).`);
  return m[1]!;
}

export function findGroup(state: LogsState, ctx: RequestContext, name: string): LogGroupRecord {
  const group = state.groups.get(groupKey(ctx.account, ctx.region, name));
  if (!group) throw groupNotFound();
  return group;
}

export const groupArn = (g: { account: string; region: string; name: string }) => `arn:aws:logs:${g.region}:${g.account}:log-group:${g.name}`;

function page<T>(items: T[], input: Record<string, unknown>, max: number): { items: T[]; nextToken?: string } {
  const limit = input.limit === undefined ? max : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw invalidParameter(`1 validation error detected: Value '${input.limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${max}`);
  const offset = typeof input.nextToken === "string" ? Number(Buffer.from(input.nextToken, "base64url").toString()) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalidParameter("The specified nextToken is invalid.");
  const slice = items.slice(offset, offset + limit);
  return { items: slice, nextToken: offset + limit < items.length ? Buffer.from(String(offset + limit)).toString("base64url") : undefined };
}

export function groupHandlers(state: LogsState): Record<string, JsonHandler> {
  return {
    CreateLogGroup(ctx, input) {
      const name = requireString(input, "logGroupName");
      validateGroupName(name);
      const key = groupKey(ctx.account, ctx.region, name);
      if (state.groups.has(key)) throw groupExists();
      state.groups.set(key, { account: ctx.account, region: ctx.region, name, creationTime: Date.now(), tags: { ...(input.tags ?? {}) } });
      return {};
    },

    DeleteLogGroup(ctx, input) {
      const name = requireString(input, "logGroupName");
      findGroup(state, ctx, name);
      state.deleteGroup(ctx.account, ctx.region, name);
      return {};
    },

    DescribeLogGroups(ctx, input) {
      const prefix = typeof input.logGroupNamePrefix === "string" ? input.logGroupNamePrefix : "";
      const pattern = typeof input.logGroupNamePattern === "string" ? input.logGroupNamePattern.toLowerCase() : "";
      const groups = state.groups
        .withPrefix(`${ctx.account}:${ctx.region}:`)
        .map(([, g]) => g)
        .filter((g) => g.name.startsWith(prefix) && (!pattern || g.name.toLowerCase().includes(pattern)));
      const { items, nextToken } = page(groups, input, 50);
      return {
        logGroups: items.map((g) => ({
          logGroupName: g.name,
          creationTime: g.creationTime,
          ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
          metricFilterCount: 0,
          arn: `${groupArn(g)}:*`,
          storedBytes: state.streamsOf(g.account, g.region, g.name).reduce((n, s) => n + s.storedBytes, 0),
          logGroupClass: "STANDARD",
          logGroupArn: groupArn(g),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    PutRetentionPolicy(ctx, input) {
      const group = findGroup(state, ctx, requireString(input, "logGroupName"));
      const days = Number(input.retentionInDays);
      if (!RETENTION_DAYS.has(days)) {
        throw invalidParameter(`1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(", ")}]`);
      }
      state.groups.set(groupKey(group.account, group.region, group.name), { ...group, retentionInDays: days });
      return {};
    },

    DeleteRetentionPolicy(ctx, input) {
      const group = findGroup(state, ctx, requireString(input, "logGroupName"));
      const { retentionInDays: _dropped, ...rest } = group;
      state.groups.set(groupKey(group.account, group.region, group.name), rest);
      return {};
    },

    CreateLogStream(ctx, input) {
      const group = findGroup(state, ctx, requireString(input, "logGroupName"));
      const name = requireString(input, "logStreamName");
      validateStreamName(name);
      const key = streamKey(ctx.account, ctx.region, group.name, name);
      if (state.streams.has(key)) throw streamExists();
      state.createStream({ account: ctx.account, region: ctx.region, group: group.name, name, creationTime: Date.now(), storedBytes: 0 });
      return {};
    },

    DeleteLogStream(ctx, input) {
      const group = findGroup(state, ctx, requireString(input, "logGroupName"));
      const key = streamKey(ctx.account, ctx.region, group.name, requireString(input, "logStreamName"));
      if (!state.streams.has(key)) throw streamNotFound();
      state.deleteStream(key);
      return {};
    },

    DescribeLogStreams(ctx, input) {
      const group = findGroup(state, ctx, groupNameFrom(input));
      const orderBy = input.orderBy ?? "LogStreamName";
      if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") {
        throw invalidParameter(`1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
      }
      const prefix = typeof input.logStreamNamePrefix === "string" ? input.logStreamNamePrefix : "";
      if (prefix && orderBy === "LastEventTime") throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
      let streams = state.streamsOf(group.account, group.region, group.name).filter((s) => s.name.startsWith(prefix));
      if (orderBy === "LastEventTime") streams.sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0));
      if (input.descending === true) streams = streams.reverse();
      const { items, nextToken } = page(streams, input, 50);
      return {
        logStreams: items.map((s) => ({
          logStreamName: s.name,
          creationTime: s.creationTime,
          ...(s.firstEventTimestamp !== undefined
            ? { firstEventTimestamp: s.firstEventTimestamp, lastEventTimestamp: s.lastEventTimestamp, lastIngestionTime: s.lastIngestionTime }
            : {}),
          arn: `${groupArn(group)}:log-stream:${s.name}`,
          storedBytes: s.storedBytes,
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    ListTagsForResource(ctx, input) {
      return { tags: findGroup(state, ctx, groupFromArn(requireString(input, "resourceArn"))).tags };
    },

    TagResource(ctx, input) {
      const group = findGroup(state, ctx, groupFromArn(requireString(input, "resourceArn")));
      state.groups.set(groupKey(group.account, group.region, group.name), { ...group, tags: { ...group.tags, ...(input.tags ?? {}) } });
      return {};
    },

    UntagResource(ctx, input) {
      const group = findGroup(state, ctx, groupFromArn(requireString(input, "resourceArn")));
      const tags = { ...group.tags };
      for (const key of Array.isArray(input.tagKeys) ? input.tagKeys : []) delete tags[key];
      state.groups.set(groupKey(group.account, group.region, group.name), { ...group, tags });
      return {};
    },

    ListTagsLogGroup(ctx, input) {
      return { tags: findGroup(state, ctx, requireString(input, "logGroupName")).tags };
    },

    TagLogGroup(ctx, input) {
      const group = findGroup(state, ctx, requireString(input, "logGroupName"));
      state.groups.set(groupKey(group.account, group.region, group.name), { ...group, tags: { ...group.tags, ...(input.tags ?? {}) } });
      return {};
    },
  };
}
