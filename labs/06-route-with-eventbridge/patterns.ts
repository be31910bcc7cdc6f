/**
 * Lab 06 — your event patterns.
 *
 * With EventBridge, S3 does no filtering at all: the bucket sends EVERY event
 * to the account's default event bus, and rules on the bus pick events by
 * their content. An S3 event on the bus looks like (README "The event"):
 *   { "source": "aws.s3", "detail-type": "Object Created" | "Object Deleted",
 *     "detail": { "bucket": { "name": "…" }, "object": { "key": "uploads/a.png", "size": 4096, … } } }
 * A pattern is JSON whose leaves are ARRAYS: an event matches when every field
 * of the pattern matches, and a field matches when ANY element of its array
 * does. Elements can be values or matchers: { "prefix": "…" }, { "suffix": "…" },
 * { "wildcard": "dir/*.png" }, { "numeric": [">=", 10] }, { "anything-but": … }.
 * Keys are case-sensitive; the default bus carries every bucket's events, so
 * name your bucket. AWS: "Creating event patterns"
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export interface PatternInput {
  bucketName: string;
  /** Images smaller than this (bytes) are not worth a workflow. */
  minImageBytes: number;
}

export function notificationConfiguration(): NotificationConfiguration {
  // TODO: send every event of the bucket to EventBridge (one field of the configuration;
  //   it takes no filter). AWS: "Enabling Amazon EventBridge" in the S3 user guide.
  return {};
}

/** New PNG and JPEG images (.png, .jpg, .jpeg) of at least minImageBytes under uploads/ → the workflow. */
export function imagePattern(input: PatternInput) {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: {
      bucket: { name: [input.bucketName] },
      // TODO: the key (under uploads/, one of three file types) and the size (numeric).
      //   Careful: the workflow writes its results under processed/ with the same file types.
    },
  };
}

/** New .csv files under imports/ → the import function. */
export function csvPattern(input: PatternInput) {
  // TODO: like imagePattern, for keys that start with imports/ AND end with .csv.
  //   Two matchers in one array are an OR — which single matcher says both?
  void input;
  return { source: ["aws.s3"] };
}

/** Every deletion, except the workflow's own outputs under processed/ → the topic. */
export function deletionPattern(input: PatternInput) {
  // TODO: deletions of this bucket's objects whose key does NOT start with processed/.
  void input;
  return { source: ["aws.s3"], "detail-type": ["Object Deleted"] };
}
