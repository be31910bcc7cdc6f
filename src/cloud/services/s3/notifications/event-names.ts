/**
 * The event names a notification configuration may list (the S3 API model's
 * `Event` enum, which the SDK v3 is generated from), and the two questions
 * asked of them: do two configured names overlap (validate.ts, "Configurations
 * overlap"), and does a configured name cover an event that happened
 * (router.ts). "s3:ObjectCreated:*" covers every "ObjectCreated:…" event.
 */

export const SUPPORTED_EVENTS: ReadonlySet<string> = new Set([
  "s3:ReducedRedundancyLostObject",
  "s3:ObjectCreated:*",
  "s3:ObjectCreated:Put",
  "s3:ObjectCreated:Post",
  "s3:ObjectCreated:Copy",
  "s3:ObjectCreated:CompleteMultipartUpload",
  "s3:ObjectRemoved:*",
  "s3:ObjectRemoved:Delete",
  "s3:ObjectRemoved:DeleteMarkerCreated",
  "s3:ObjectRestore:*",
  "s3:ObjectRestore:Post",
  "s3:ObjectRestore:Completed",
  "s3:ObjectRestore:Delete",
  "s3:Replication:*",
  "s3:Replication:OperationFailedReplication",
  "s3:Replication:OperationNotTracked",
  "s3:Replication:OperationMissedThreshold",
  "s3:Replication:OperationReplicatedAfterThreshold",
  "s3:LifecycleTransition",
  "s3:IntelligentTiering",
  "s3:ObjectAcl:Put",
  "s3:LifecycleExpiration:*",
  "s3:LifecycleExpiration:Delete",
  "s3:LifecycleExpiration:DeleteMarkerCreated",
  "s3:ObjectTagging:*",
  "s3:ObjectTagging:Put",
  "s3:ObjectTagging:Delete",
  "s3:ObjectRetention:Put",
  "s3:ObjectAnnotation:*",
  "s3:ObjectAnnotation:Put",
  "s3:ObjectAnnotation:Delete",
]);

/** "s3:ObjectCreated:Put" → ["ObjectCreated", "Put"]; "s3:LifecycleTransition" → ["LifecycleTransition", undefined]. */
function split(name: string): [string, string | undefined] {
  const rest = name.startsWith("s3:") ? name.slice(3) : name;
  const i = rest.indexOf(":");
  return i < 0 ? [rest, undefined] : [rest.slice(0, i), rest.slice(i + 1)];
}

/** Do two configured event names share an event type? (`ObjectCreated:*` overlaps `ObjectCreated:Put`.) */
export function eventTypesOverlap(a: string, b: string): boolean {
  const [familyA, opA] = split(a);
  const [familyB, opB] = split(b);
  if (familyA !== familyB) return false;
  return opA === opB || opA === "*" || opB === "*";
}

/** Does a configured name (with "s3:") cover an event that happened (without "s3:", e.g. "ObjectCreated:Put")? */
export function eventNameMatches(configured: string, happened: string): boolean {
  const [family, op] = split(configured);
  const [hFamily, hOp] = split(happened);
  return family === hFamily && (op === "*" || op === hOp);
}
