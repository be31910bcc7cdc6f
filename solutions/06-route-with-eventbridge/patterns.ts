/**
 * Lab 06 — reference solution: the bucket sends every event to EventBridge,
 * and three rules pick them apart by content.
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export interface PatternInput {
  bucketName: string;
  /** Images smaller than this (bytes) are not worth a workflow. */
  minImageBytes: number;
}

export function notificationConfiguration(): NotificationConfiguration {
  return { EventBridgeConfiguration: {} };
}

/** New PNG and JPEG images of at least minImageBytes under uploads/ → the workflow. */
export function imagePattern(input: PatternInput) {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: {
      bucket: { name: [input.bucketName] },
      object: {
        key: [{ wildcard: "uploads/*.png" }, { wildcard: "uploads/*.jpg" }, { wildcard: "uploads/*.jpeg" }],
        size: [{ numeric: [">=", input.minImageBytes] }],
      },
    },
  };
}

/** New .csv files under imports/ → the import function. */
export function csvPattern(input: PatternInput) {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: {
      bucket: { name: [input.bucketName] },
      object: { key: [{ wildcard: "imports/*.csv" }] },
    },
  };
}

/** Every deletion except the workflow's own outputs under processed/ → the topic. */
export function deletionPattern(input: PatternInput) {
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Deleted"],
    detail: {
      bucket: { name: [input.bucketName] },
      object: { key: [{ "anything-but": { prefix: "processed/" } }] },
    },
  };
}
