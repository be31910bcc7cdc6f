/**
 * Resource names. A class can share one AWS account, and S3 bucket names are
 * global across all of AWS, so every run gets its own namespace:
 *   sel-<participant>-<lab>-<6 hex>      e.g. sel-ana-01-3fa9c2
 * and every resource is <namespace>-<purpose> (sel-ana-01-3fa9c2-events).
 * A fresh namespace per run also sidesteps AWS's "you deleted a queue with
 * this name less than 60 s ago" rule when a lab is re-run.
 * The participant is --participant, LABS_PARTICIPANT, or the login name.
 */
import * as os from "node:os";
import { randomBytes } from "node:crypto";

export function participantId(explicit?: string): string {
  let raw = explicit ?? process.env.LABS_PARTICIPANT;
  if (!raw) {
    try {
      raw = os.userInfo().username;
    } catch {
      raw = "learner";
    }
  }
  const clean = raw.toLowerCase().replace(/[^a-z0-9]+/g, "").slice(0, 12);
  return clean || "learner";
}

export interface Names {
  /** e.g. sel-ana-01-3fa9c2 */
  namespace: string;
  /** <namespace>-<purpose>, lowercase, valid for buckets, queues, roles, functions, topics and tables. */
  resource(purpose: string): string;
}

export function namespaceFor(labId: string, participant?: string, runId = randomBytes(3).toString("hex")): Names {
  const namespace = `sel-${participantId(participant)}-${labId}-${runId}`;
  return {
    namespace,
    resource(purpose: string) {
      const name = `${namespace}-${purpose.toLowerCase().replace(/[^a-z0-9-]+/g, "-")}`;
      if (name.length > 63) throw new Error(`Resource name "${name}" is longer than 63 characters (the S3 bucket limit); use a shorter purpose.`);
      return name;
    },
  };
}

/** Tags put on everything the kit creates (where the service supports tags). */
export function kitTags(labId: string, namespace: string): Record<string, string> {
  return { "s3-event-labs:lab": labId, "s3-event-labs:namespace": namespace, "s3-event-labs:created-by": "s3-event-labs kit" };
}

/** The kit's tags as most AWS APIs take them: a list of { Key, Value }. */
export function kitTagList(labId: string, namespace: string): Array<{ Key: string; Value: string }> {
  return Object.entries(kitTags(labId, namespace)).map(([Key, Value]) => ({ Key, Value }));
}
