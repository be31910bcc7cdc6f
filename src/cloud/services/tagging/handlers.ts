/**
 * GetResources, GetTagKeys and GetTagValues over the tagged resources every
 * service lists through its "tags:<service>" internal API (resources.ts).
 * Filters follow the API reference: TagFilters are ANDed, the Values of one
 * filter ORed, a filter without Values matches the key with any value;
 * ResourceTypeFilters name a service ("sqs") or a service and type
 * ("lambda:function"); ResourceARNList excludes TagFilters,
 * ResourceTypeFilters and paging. Results are in ARN order, so a page token
 * (the last ARN of the page, opaque to the client) walks every resource once
 * even while resources come and go between pages.
 */
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import type { TaggedResource } from "../../core/internal-apis.js";
import type { JsonHandler } from "../../protocols/json.js";
import { badToken, invalidParameter } from "./errors.js";
import { taggedResources } from "./resources.js";

/** AWS documents no default page size; 50 keeps an unpaged caller's first page small, as AWS's does. */
const DEFAULT_RESOURCES_PER_PAGE = 50;
const LIMITS = { tagFilters: 50, valuesPerFilter: 20, typeFilters: 100, arns: 100, keyLength: 128, valueLength: 256 };

interface TagFilter {
  Key: string;
  Values: string[];
}

/** An integer parameter within [min, max], or undefined when absent (JSON may carry numbers as strings). */
function integerParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) {
    throw invalidParameter(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return n;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) throw invalidParameter(`${name} must be a list of strings.`);
  return value as string[];
}

function tagFilters(value: unknown): TagFilter[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter("TagFilters must be a list of { Key, Values }.");
  if (value.length > LIMITS.tagFilters) throw invalidParameter(`TagFilters may hold at most ${LIMITS.tagFilters} filters; got ${value.length}.`);
  return value.map((f: { Key?: unknown; Values?: unknown }) => {
    const key = f?.Key;
    if (typeof key !== "string" || key.length < 1 || key.length > LIMITS.keyLength) {
      throw invalidParameter(`Each TagFilter needs a Key of 1 to ${LIMITS.keyLength} characters; got ${JSON.stringify(key ?? null)}.`);
    }
    const values = stringList(f.Values, `TagFilter ${key}: Values`) ?? [];
    if (values.length > LIMITS.valuesPerFilter) throw invalidParameter(`TagFilter ${key} may list at most ${LIMITS.valuesPerFilter} Values; got ${values.length}.`);
    const tooLong = values.find((v) => v.length > LIMITS.valueLength);
    if (tooLong !== undefined) throw invalidParameter(`TagFilter ${key}: a Value may be at most ${LIMITS.valueLength} characters.`);
    return { Key: key, Values: values };
  });
}

/** "service" or "service:type", as embedded in ARNs (lower-case service, type as the ARN spells it). */
function typeFilters(value: unknown): string[] | undefined {
  const list = stringList(value, "ResourceTypeFilters");
  if (!list) return undefined;
  if (list.length > LIMITS.typeFilters) throw invalidParameter(`ResourceTypeFilters may hold at most ${LIMITS.typeFilters} types; got ${list.length}.`);
  for (const f of list) {
    if (!/^[a-z0-9-]{1,64}(:[A-Za-z0-9_.-]{1,128})?$/.test(f)) {
      throw invalidParameter(`ResourceTypeFilters: "${f}" is not a resource type; write the service as in ARNs, alone or with the type ("sqs", "lambda:function").`);
    }
  }
  return list;
}

function arnList(value: unknown, region: string): string[] | undefined {
  const list = stringList(value, "ResourceARNList");
  if (!list) return undefined;
  if (list.length < 1 || list.length > LIMITS.arns) throw invalidParameter(`ResourceARNList must hold 1 to ${LIMITS.arns} ARNs; got ${list.length}.`);
  for (const arn of list) {
    const parts = arn.split(":");
    if (parts.length < 6 || parts[0] !== "arn" || !parts[2]) throw invalidParameter(`ResourceARNList: "${arn}" is not an ARN.`);
    // The partition must be the one the request was sent to (aws, for every region this cloud serves).
    if (parts[1] !== "aws") throw invalidParameter(`ResourceARNList: the partition of ${arn} is not the partition of ${region} (aws).`);
  }
  return list;
}

function encodeToken(operation: string, after: string): string {
  return Buffer.from(JSON.stringify({ op: operation, after }), "utf8").toString("base64url");
}

function decodeToken(operation: string, token: unknown): string | undefined {
  if (token === undefined || token === null || token === "") return undefined;
  if (typeof token !== "string") throw badToken();
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { op?: unknown; after?: unknown };
    if (parsed.op === operation && typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw badToken();
}

const tagMapping = (r: TaggedResource) => ({ ResourceARN: r.arn, Tags: Object.entries(r.tags).map(([Key, Value]) => ({ Key, Value })) });

function matchesTags(r: TaggedResource, filters: TagFilter[]): boolean {
  return filters.every((f) => Object.prototype.hasOwnProperty.call(r.tags, f.Key) && (f.Values.length === 0 || f.Values.includes(r.tags[f.Key]!)));
}

function matchesType(r: TaggedResource, filters: string[]): boolean {
  const service = r.resourceType.slice(0, r.resourceType.indexOf(":"));
  return filters.some((f) => f === r.resourceType || f === service);
}

export function taggingHandlers(cloud: Cloud): Record<string, JsonHandler> {
  return {
    async GetResources(ctx: RequestContext, input: Record<string, unknown>) {
      const filters = tagFilters(input.TagFilters);
      const types = typeFilters(input.ResourceTypeFilters);
      const arns = arnList(input.ResourceARNList, ctx.region);
      const perPage = integerParam(input.ResourcesPerPage, "ResourcesPerPage", 1, 100);
      const tagsPerPage = integerParam(input.TagsPerPage, "TagsPerPage", 100, 500);
      const token = input.PaginationToken;
      if (arns && filters) throw invalidParameter("ResourceARNList and TagFilters cannot be used in the same request.");
      if (arns && types) throw invalidParameter("ResourceARNList and ResourceTypeFilters cannot be used in the same request.");
      if (arns && (perPage !== undefined || tagsPerPage !== undefined || (token !== undefined && token !== null && token !== ""))) {
        throw invalidParameter("ResourceARNList cannot be used with ResourcesPerPage, TagsPerPage or PaginationToken.");
      }
      if (input.ExcludeCompliantResources === true && input.IncludeComplianceDetails !== true) {
        throw invalidParameter("ExcludeCompliantResources can be used only with IncludeComplianceDetails set to true.");
      }
      const after = decodeToken("GetResources", token);

      let found = (await taggedResources(cloud, ctx.account, ctx.region)).filter((r) => Object.keys(r.tags).length > 0);
      if (arns) {
        const wanted = new Set(arns);
        return { ResourceTagMappingList: found.filter((r) => wanted.has(r.arn)).map(tagMapping), PaginationToken: "" };
      }
      if (filters) found = found.filter((r) => matchesTags(r, filters));
      if (types) found = found.filter((r) => matchesType(r, types));
      if (after !== undefined) found = found.filter((r) => r.arn > after);

      const limit = perPage ?? DEFAULT_RESOURCES_PER_PAGE;
      const page: TaggedResource[] = [];
      let tagCount = 0;
      for (const r of found) {
        const count = Object.keys(r.tags).length; // at least 1: untagged resources were left out above
        if (page.length >= limit || (tagsPerPage !== undefined && page.length > 0 && tagCount + count > tagsPerPage)) break;
        page.push(r);
        tagCount += count;
      }
      const more = page.length < found.length;
      return {
        ResourceTagMappingList: page.map(tagMapping),
        // AWS ends with an empty string, not an absent token.
        PaginationToken: more ? encodeToken("GetResources", page[page.length - 1]!.arn) : "",
      };
    },

    async GetTagKeys(ctx: RequestContext, input: Record<string, unknown>) {
      decodeToken("GetTagKeys", input.PaginationToken); // every key fits one page: no token is ever handed out
      const keys = new Set<string>();
      for (const r of await taggedResources(cloud, ctx.account, ctx.region)) for (const k of Object.keys(r.tags)) keys.add(k);
      return { TagKeys: [...keys].sort(), PaginationToken: "" };
    },

    async GetTagValues(ctx: RequestContext, input: Record<string, unknown>) {
      const key = input.Key;
      if (typeof key !== "string" || key.length < 1 || key.length > LIMITS.keyLength) {
        throw invalidParameter(`Key is required: a tag key of 1 to ${LIMITS.keyLength} characters; got ${JSON.stringify(key ?? null)}.`);
      }
      decodeToken("GetTagValues", input.PaginationToken);
      const values = new Set<string>();
      for (const r of await taggedResources(cloud, ctx.account, ctx.region)) {
        if (Object.prototype.hasOwnProperty.call(r.tags, key)) values.add(r.tags[key]!);
      }
      return { TagValues: [...values].sort(), PaginationToken: "" };
    },
  };
}
