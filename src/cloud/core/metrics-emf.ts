/**
 * CloudWatch embedded metric format (CloudWatch guide
 * "CloudWatch_Embedded_Metric_Format_Specification"): a log event whose
 * whole message is a JSON object with `_aws: { Timestamp, CloudWatchMetrics:
 * [{ Namespace, Dimensions: [[names…]…], Metrics: [{ Name, Unit,
 * StorageResolution }] }] }` becomes metric values, read from the root
 * members the directive names (a number, or an array of ≤ 100 numbers;
 * dimension values are strings). Lambda hands its function's log lines here
 * (what Powertools Metrics and aws-embedded-metrics write), so they arrive
 * through the same core API as the built-in metrics — and, like them, not
 * when LOCALCLOUD_BUILTIN_METRICS=off. A document that breaks the rules is
 * skipped, as AWS skips it (AWS also counts it in AWS/Logs, not modelled).
 * UNCERTAIN: AWS publishes EMF values at the resolution asked; here every
 * value lands in the one-minute bucket (StorageResolution is ignored).
 */
import type { BuiltinMetrics } from "./metrics.js";

const UNITS = new Set([
  "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits",
  "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
  "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
]);

/** Quick test before parsing: only JSON objects mentioning "_aws" can be EMF. */
export function mayBeEmf(message: string): boolean {
  return message.length < 1_048_576 && message.charCodeAt(0) === 123 /* { */ && message.includes('"_aws"');
}

/** Record the metrics of one EMF document; returns how many values were taken (0 if it is not valid EMF). */
export function extractEmf(metrics: BuiltinMetrics, account: string, region: string, message: string): number {
  if (!metrics.enabled || !mayBeEmf(message)) return 0;
  let doc: Record<string, unknown>;
  try {
    const parsed = JSON.parse(message.trimEnd()) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return 0;
    doc = parsed as Record<string, unknown>;
  } catch {
    return 0;
  }
  const meta = doc._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!meta || typeof meta !== "object" || typeof meta.Timestamp !== "number" || !Array.isArray(meta.CloudWatchMetrics)) return 0;
  const at = meta.Timestamp;
  const pending: Array<() => void> = [];
  for (const directive of meta.CloudWatchMetrics as unknown[]) {
    const d = directive as { Namespace?: unknown; Dimensions?: unknown; Metrics?: unknown };
    if (!d || typeof d.Namespace !== "string" || !d.Namespace || d.Namespace.startsWith("AWS/") || !Array.isArray(d.Dimensions) || !Array.isArray(d.Metrics) || d.Metrics.length > 100) return 0;
    const dimensionSets: Array<Record<string, string>> = [];
    for (const set of d.Dimensions as unknown[]) {
      if (!Array.isArray(set) || set.length > 30) return 0;
      const dims: Record<string, string> = {};
      for (const name of set as unknown[]) {
        if (typeof name !== "string" || typeof doc[name] !== "string" || (doc[name] as string).length === 0) return 0;
        dims[name] = doc[name] as string;
      }
      dimensionSets.push(dims);
    }
    if (dimensionSets.length === 0) dimensionSets.push({});
    for (const metric of d.Metrics as unknown[]) {
      const m = metric as { Name?: unknown; Unit?: unknown };
      if (!m || typeof m.Name !== "string" || !m.Name) return 0;
      const unit = m.Unit === undefined ? "None" : m.Unit;
      if (typeof unit !== "string" || !UNITS.has(unit)) return 0;
      const raw = doc[m.Name];
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0 || values.length > 100 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) return 0;
      for (const dims of dimensionSets) {
        for (const v of values as number[]) pending.push(() => metrics.record(account, region, d.Namespace as string, m.Name as string, dims, v, unit, at));
      }
    }
  }
  // All or nothing: a document with one bad directive gives no values.
  for (const put of pending) put();
  return pending.length;
}
