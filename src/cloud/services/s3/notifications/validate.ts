/**
 * The structural half of PutBucketNotificationConfiguration's validation
 * (aws-behavior.md §3, items 1–5), in AWS's order, on the whole document
 * before anything is saved: ARNs that cannot be parsed, filter rules (name,
 * one prefix / one suffix, value length), unknown event names, duplicate
 * Ids, overlapping configurations. Each failure is InvalidArgument (400)
 * with S3's <ArgumentName>/<ArgumentValue>. The destination half (existence
 * and resource policy) needs the other services and lives in
 * destination-check.ts. Missing Ids are generated here, the way S3 does, so
 * GET can return them and records can carry them as configurationId.
 */
import { randomUUID } from "node:crypto";
import { AwsError } from "../../../core/aws-error.js";
import type { RawConfig, RawDestination } from "./config-parse.js";
import { SERVICE_OF, type DestinationConfig, type FilterRule, type NotificationConfig } from "./config-types.js";
import { SUPPORTED_EVENTS, eventTypesOverlap } from "./event-names.js";
import { filtersOverlap } from "./key-filter.js";

/** S3 limits a filter value to 1,024 characters (FilterRule.Value in the API reference). */
export const MAX_FILTER_VALUE = 1024;

const invalidArgument = (message: string, name?: string, value?: string) =>
  new AwsError("InvalidArgument", message, { fields: { ArgumentName: name, ArgumentValue: value } });

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** arn:partition:service:region:account:resource — undefined when the string is not one. */
export function parseArn(arn: string): ParsedArn | undefined {
  const m = /^arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/.exec(arn);
  if (!m) return undefined;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4]!, resource: m[5]! };
}

/** Item 1: every destination ARN parses, and names the service its element says (a topic ARN in <Queue> cannot be a queue). */
function checkArns(raw: RawConfig, bucketRegion: string): void {
  for (const d of raw.destinations) {
    const arn = parseArn(d.arn);
    const valid = arn && arn.service === SERVICE_OF[d.type] && arn.region !== "" && arn.account !== "" && (d.type !== "CloudFunction" || arn.resource.startsWith("function:"));
    if (!valid) throw invalidArgument("The ARN could not be parsed", d.type, d.arn);
    // Destinations must be in the bucket's region (S3 user guide, "notification destinations").
    if (arn.region !== bucketRegion) {
      throw invalidArgument("The notification destination service region is not valid for the bucket location constraint", d.type, d.arn);
    }
  }
}

/** Item 2: rule names prefix|suffix in any case, at most one of each, values ≤ 1,024 characters. */
function checkFilterRules(d: RawDestination): FilterRule[] {
  const rules: FilterRule[] = [];
  for (const rule of d.filterRules) {
    const lower = rule.name.toLowerCase();
    if (lower !== "prefix" && lower !== "suffix") {
      throw invalidArgument("filter rule name must be either prefix or suffix", "FilterRule.Name", rule.name);
    }
    const name = lower === "prefix" ? "Prefix" : "Suffix";
    if (rules.some((r) => r.name === name)) throw invalidArgument(`Cannot specify more than one ${lower} rule in a filter.`, "FilterRule.Name", rule.name);
    if (rule.value.length > MAX_FILTER_VALUE) {
      throw invalidArgument(`The ${lower} value of a filter rule cannot be longer than ${MAX_FILTER_VALUE} characters.`, "FilterRule.Value", rule.value);
    }
    rules.push({ name, value: rule.value });
  }
  return rules;
}

/** AWS's generated ids look like base64 of a UUID string. */
export function generateConfigurationId(): string {
  return Buffer.from(randomUUID()).toString("base64");
}

/** Item 5: two configurations overlap when an event type, the prefixes and the suffixes all overlap. */
function checkOverlap(destinations: DestinationConfig[]): void {
  for (let i = 0; i < destinations.length; i++) {
    for (let j = i + 1; j < destinations.length; j++) {
      const a = destinations[i]!;
      const b = destinations[j]!;
      if (!filtersOverlap(a.filterRules, b.filterRules)) continue;
      for (const ea of a.events) {
        const eb = b.events.find((e) => eventTypesOverlap(ea, e));
        if (eb === undefined) continue;
        const filtered = a.filterRules.length > 0 || b.filterRules.length > 0;
        // UNCERTAIN which message AWS picks when; aws-behavior.md §3 says: filters involved → the second.
        const message = filtered
          ? "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type."
          : "Configurations overlap. Configurations on the same bucket cannot share a common event type.";
        throw invalidArgument(message, "Event", `${ea}, ${eb}`);
      }
    }
  }
}

/** Items 1–5. Returns the configuration to save (ids filled in, rule names capitalised). */
export function validateStructure(raw: RawConfig, bucketRegion: string): NotificationConfig {
  checkArns(raw, bucketRegion);
  const rules = raw.destinations.map(checkFilterRules);
  for (const d of raw.destinations) {
    for (const event of d.events) {
      // UNCERTAIN code/wording (aws-behavior.md §3, item 3).
      if (!SUPPORTED_EVENTS.has(event)) throw invalidArgument("The event is not supported for notifications", "Event", event);
    }
  }
  const seen = new Set<string>();
  for (const d of raw.destinations) {
    if (d.id === undefined) continue;
    // UNCERTAIN wording (aws-behavior.md §3, item 4).
    if (seen.has(d.id)) throw invalidArgument("Same ID used for multiple configurations. IDs must be unique.", "Id", d.id);
    seen.add(d.id);
  }
  const destinations: DestinationConfig[] = raw.destinations.map((d, i) => ({
    id: d.id ?? generateConfigurationId(),
    type: d.type,
    arn: d.arn,
    events: [...new Set(d.events)],
    filterRules: rules[i]!,
    hasFilter: d.hasFilter,
  }));
  checkOverlap(destinations);
  return { destinations, eventBridge: raw.eventBridge };
}
