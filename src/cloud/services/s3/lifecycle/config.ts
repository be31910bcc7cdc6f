/**
 * A bucket's lifecycle configuration: the <LifecycleConfiguration> XML of
 * PutBucketLifecycleConfiguration parsed into rules and validated the way S3
 * answers (S3 API reference and user guide, "Lifecycle configuration
 * elements"): MalformedXML for what breaks the schema (no rule, a bad Status,
 * both Days and Date, Filter next to the legacy Prefix, an unknown storage
 * class), InvalidArgument for values S3 refuses (Days ≤ 0, a Date not at
 * midnight UTC, duplicate or over-long IDs, STANDARD_IA/ONEZONE_IA before 30
 * days, Expiration not after the Transition), InvalidRequest for a rule with
 * no action. Messages marked UNCERTAIN in the lifecycle header are our wording.
 */
import { AwsError } from "../../../core/aws-error.js";
import { parseXml, XmlParseError } from "../../../protocols/xml.js";
import { malformedXml } from "../errors.js";
import type { Tag } from "../object-store.js";

export interface LifecycleFilter {
  prefix: string;
  tags: Tag[];
  sizeGreaterThan?: number;
  sizeLessThan?: number;
}

export interface LifecycleRule {
  id: string;
  enabled: boolean;
  filter: LifecycleFilter;
  /** Expiration after N days, or on a date (ISO, midnight UTC). */
  expirationDays?: number;
  expirationDate?: string;
  expiredObjectDeleteMarker?: boolean;
  transitions: Array<{ days?: number; date?: string; storageClass: string }>;
  noncurrentDays?: number;
  noncurrentTransitions: Array<{ days: number; storageClass: string }>;
  abortMultipartDays?: number;
  /** The XML as received, returned by Get (S3 returns what it stored). */
  raw: Record<string, unknown>;
}

export const TRANSITION_CLASSES = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];
const THIRTY_DAY_CLASSES = new Set(["STANDARD_IA", "ONEZONE_IA"]);

const invalid = (message: string, name?: string, value?: string) => new AwsError("InvalidArgument", message, { fields: name ? { ArgumentName: name, ArgumentValue: value } : undefined });

function positiveDays(value: unknown, what: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(String(value))) throw malformedXml();
  if (n <= 0) throw invalid(`'Days' for ${what} action must be a positive integer`);
  return n;
}

function midnightDate(value: unknown): string {
  const d = new Date(String(value));
  if (Number.isNaN(d.getTime())) throw malformedXml();
  if (d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() || d.getUTCMilliseconds()) throw invalid("'Date' must be at midnight GMT");
  return d.toISOString();
}

const asList = (v: unknown): any[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function readTags(v: unknown): Tag[] {
  return asList(v).map((t) => {
    if (!t || typeof t.Key !== "string" || typeof t.Value !== "string") throw malformedXml();
    return { Key: t.Key, Value: t.Value };
  });
}

function readFilter(rule: any): LifecycleFilter {
  if (rule.Filter !== undefined && rule.Prefix !== undefined) throw malformedXml();
  if (rule.Filter === undefined) return { prefix: typeof rule.Prefix === "string" ? rule.Prefix : "", tags: [] };
  const f = rule.Filter === "" ? {} : rule.Filter;
  if (typeof f !== "object") throw malformedXml();
  const members = ["Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan"].filter((m) => f[m] !== undefined);
  if (members.length > 1) throw malformedXml(); // several conditions go inside <And>
  const and = f.And ?? {};
  const source = f.And !== undefined ? and : f;
  const size = (v: unknown) => (v === undefined ? undefined : Number(v));
  return {
    prefix: typeof source.Prefix === "string" ? source.Prefix : "",
    tags: readTags(f.And !== undefined ? and.Tag : f.Tag),
    sizeGreaterThan: size(source.ObjectSizeGreaterThan),
    sizeLessThan: size(source.ObjectSizeLessThan),
  };
}

function readRule(rule: any, index: number): LifecycleRule {
  if (!rule || typeof rule !== "object") throw malformedXml();
  if (rule.Status !== "Enabled" && rule.Status !== "Disabled") throw malformedXml();
  const id = typeof rule.ID === "string" && rule.ID !== "" ? rule.ID : `rule-${index + 1}`;
  if (id.length > 255) throw invalid("ID length should not exceed allowed limit of 255", "ID", id);
  const out: LifecycleRule = { id, enabled: rule.Status === "Enabled", filter: readFilter(rule), transitions: [], noncurrentTransitions: [], raw: rule };

  const exp = rule.Expiration;
  if (exp !== undefined) {
    if (typeof exp !== "object") throw malformedXml();
    const kinds = ["Days", "Date", "ExpiredObjectDeleteMarker"].filter((k) => exp[k] !== undefined);
    if (kinds.length !== 1) {
      if (kinds.includes("ExpiredObjectDeleteMarker")) throw invalid("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.");
      throw malformedXml();
    }
    if (exp.Days !== undefined) out.expirationDays = positiveDays(exp.Days, "Expiration");
    if (exp.Date !== undefined) out.expirationDate = midnightDate(exp.Date);
    if (exp.ExpiredObjectDeleteMarker !== undefined) out.expiredObjectDeleteMarker = String(exp.ExpiredObjectDeleteMarker) === "true";
  }
  for (const t of asList(rule.Transition)) {
    if (!t || typeof t !== "object" || !TRANSITION_CLASSES.includes(t.StorageClass)) throw malformedXml();
    if ((t.Days === undefined) === (t.Date === undefined)) throw malformedXml();
    const transition = { storageClass: t.StorageClass as string, days: t.Days !== undefined ? Number(t.Days) : undefined, date: t.Date !== undefined ? midnightDate(t.Date) : undefined };
    if (transition.days !== undefined) {
      if (!Number.isInteger(transition.days) || transition.days < 0) throw invalid("'Days' in Transition action must be a non-negative integer");
      if (THIRTY_DAY_CLASSES.has(transition.storageClass) && transition.days < 30) {
        throw invalid(`'Days' in Transition action must be greater than or equal to 30 for storageClass '${transition.storageClass}'`);
      }
    }
    out.transitions.push(transition);
  }
  if (out.expirationDays !== undefined) {
    for (const t of out.transitions) {
      if (t.days !== undefined && out.expirationDays <= t.days) {
        throw invalid(`'Days' in the Expiration action for filter '${out.filter.prefix}' must be greater than 'Days' in the Transition action`);
      }
    }
  }
  if (rule.NoncurrentVersionExpiration !== undefined) out.noncurrentDays = positiveDays(rule.NoncurrentVersionExpiration?.NoncurrentDays, "NoncurrentVersionExpiration");
  for (const t of asList(rule.NoncurrentVersionTransition)) {
    if (!t || !TRANSITION_CLASSES.includes(t.StorageClass)) throw malformedXml();
    out.noncurrentTransitions.push({ days: positiveDays(t.NoncurrentDays, "NoncurrentVersionTransition"), storageClass: t.StorageClass });
  }
  if (rule.AbortIncompleteMultipartUpload !== undefined) {
    out.abortMultipartDays = positiveDays(rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation, "AbortIncompleteMultipartUpload");
  }
  const hasAction = exp !== undefined || out.transitions.length || out.noncurrentDays !== undefined || out.noncurrentTransitions.length || out.abortMultipartDays !== undefined;
  if (!hasAction) throw new AwsError("InvalidRequest", "At least one action needs to be specified in a rule");
  return out;
}

export function parseLifecycle(body: Buffer): LifecycleRule[] {
  let doc: Record<string, any>;
  try {
    doc = parseXml(body.toString("utf8"), ["Rule", "Transition", "NoncurrentVersionTransition", "Tag"]);
  } catch (err) {
    if (err instanceof XmlParseError) throw malformedXml();
    throw err;
  }
  const rules = doc.LifecycleConfiguration?.Rule;
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > 1000) throw malformedXml();
  const parsed = rules.map(readRule);
  const ids = new Set<string>();
  for (const r of parsed) {
    if (ids.has(r.id)) throw invalid("Rule ID must be unique. Found same ID for more than one rule", "ID", r.id);
    ids.add(r.id);
  }
  return parsed;
}

/** Does a rule's filter select this object? */
export function filterMatches(filter: LifecycleFilter, key: string, size: number, tags: Tag[]): boolean {
  if (!key.startsWith(filter.prefix)) return false;
  if (filter.sizeGreaterThan !== undefined && !(size > filter.sizeGreaterThan)) return false;
  if (filter.sizeLessThan !== undefined && !(size < filter.sizeLessThan)) return false;
  return filter.tags.every((t) => tags.some((o) => o.Key === t.Key && o.Value === t.Value));
}
