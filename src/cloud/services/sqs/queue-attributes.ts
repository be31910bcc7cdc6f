/**
 * Queue attributes: which names exist, their defaults, the ranges
 * CreateQueue/SetQueueAttributes enforce (InvalidAttributeValue /
 * InvalidAttributeName), and what GetQueueAttributes reports, including the
 * computed ones (QueueArn, timestamps, approximate counts). Values are strings
 * on the wire in both protocols, so they are stored as strings.
 */
import type { QueueRecord } from "./state.js";
import { invalidAttributeName, invalidAttributeValue, unsupportedOperation } from "./errors.js";
import { parseQueueArn } from "./queue-urls.js";

export const DEFAULTS: Record<string, string> = {
  DelaySeconds: "0",
  MaximumMessageSize: "262144",
  MessageRetentionPeriod: "345600",
  ReceiveMessageWaitTimeSeconds: "0",
  VisibilityTimeout: "30",
  SqsManagedSseEnabled: "true",
};

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  // AWS raised the ceiling to 1 MiB in 2025; the default stays 256 KiB here (UNCERTAIN, see index.ts).
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const JSON_ATTRIBUTES = new Set(["Policy", "RedrivePolicy", "RedriveAllowPolicy"]);
const OTHER_SETTABLE = new Set(["KmsMasterKeyId", "SqsManagedSseEnabled"]);
const FIFO_ONLY = new Set(["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);

const COMPUTED = [
  "QueueArn",
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
];

/** Every name GetQueueAttributes accepts. */
export const GETTABLE = new Set<string>(["All", ...Object.keys(RANGES), ...JSON_ATTRIBUTES, ...OTHER_SETTABLE, ...FIFO_ONLY, ...COMPUTED]);

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/**
 * Validate attributes for CreateQueue/SetQueueAttributes; returns them as
 * strings. `dlqExists` checks a RedrivePolicy's target (AWS refuses a missing one).
 */
export function validateQueueAttributes(raw: unknown, dlqExists: (arn: string) => boolean): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw invalidAttributeValue("Attributes must be a map of attribute name to value.");
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const text = typeof value === "number" || typeof value === "boolean" ? String(value) : value;
    if (typeof text !== "string") throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
    if (FIFO_ONLY.has(name)) {
      if (name === "FifoQueue" && text === "false") continue;
      throw unsupportedOperation(`FIFO queues are not implemented by the local cloud (attribute ${name}). Use a standard queue.`);
    }
    if (name in RANGES) {
      const [min, max] = RANGES[name]!;
      if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      out[name] = String(Number(text));
    } else if (JSON_ATTRIBUTES.has(name)) {
      if (text === "") {
        out[name] = ""; // an empty value removes the policy (SetQueueAttributes Policy="")
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw invalidAttributeValue(
          name === "RedrivePolicy" ? `Value ${text} for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map.` : `Invalid value for the parameter ${name}.`,
        );
      }
      if (name === "RedrivePolicy") validateRedrivePolicy(text, parsed as Record<string, unknown>, dlqExists);
      out[name] = text;
    } else if (name === "SqsManagedSseEnabled") {
      if (text !== "true" && text !== "false") throw invalidAttributeValue(`Invalid value for the parameter ${name}.`);
      out[name] = text;
    } else if (OTHER_SETTABLE.has(name)) {
      out[name] = text;
    } else {
      throw invalidAttributeName(name);
    }
  }
  return out;
}

function validateRedrivePolicy(text: string, policy: Record<string, unknown>, dlqExists: (arn: string) => boolean): void {
  const bad = (reason: string) => invalidAttributeValue(`Value ${text} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  const target = policy.deadLetterTargetArn;
  const count = typeof policy.maxReceiveCount === "string" ? Number(policy.maxReceiveCount) : policy.maxReceiveCount;
  if (typeof target !== "string" || count === undefined) throw bad("Redrive policy does not contain mandatory attribute: " + (typeof target !== "string" ? "deadLetterTargetArn" : "maxReceiveCount") + ".");
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1000) throw bad("Invalid value for maxReceiveCount: " + String(policy.maxReceiveCount) + ", valid values are from 1 to 1000 both inclusive.");
  if (!parseQueueArn(target)) throw bad("Invalid value for deadLetterTargetArn.");
  if (!dlqExists(target)) throw bad("Dead letter target does not exist.");
}

export function redrivePolicyOf(queue: QueueRecord): RedrivePolicy | undefined {
  const text = queue.attributes.RedrivePolicy;
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    if (typeof p.deadLetterTargetArn !== "string") return undefined;
    return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
  } catch {
    return undefined;
  }
}

/** An attribute's effective value as a number (stored or default). */
export function numberAttribute(queue: QueueRecord, name: string): number {
  return Number(queue.attributes[name] ?? DEFAULTS[name] ?? 0);
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** GetQueueAttributes output for the requested names (already validated). */
export function describeAttributes(queue: QueueRecord, names: string[], counts: QueueCounts): Record<string, string> {
  const all = names.includes("All");
  const want = (name: string) => all || names.includes(name);
  const out: Record<string, string> = {};
  const computed: Record<string, string> = {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(queue.createdTimestamp),
    LastModifiedTimestamp: String(queue.lastModifiedTimestamp),
  };
  for (const name of COMPUTED) if (want(name)) out[name] = computed[name]!;
  for (const [name, value] of Object.entries(DEFAULTS)) if (want(name)) out[name] = queue.attributes[name] ?? value;
  for (const [name, value] of Object.entries(queue.attributes)) {
    // Policies are only reported when set (AWS omits empty ones).
    if (want(name) && value !== "") out[name] = value;
  }
  return out;
}

/** Validate GetQueueAttributes/ReceiveMessage attribute names. */
export function validateAttributeNames(names: string[]): void {
  for (const name of names) if (!GETTABLE.has(name)) throw invalidAttributeName(name);
}
