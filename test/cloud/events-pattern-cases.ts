// The EventBridge pattern suite shared by events-api.test.ts (TestEventPattern)
// and events-delivery.test.ts (the same cases through a rule to a real
// target), so the API and delivery are held to the same answers.
export const SAMPLE_EVENT = {
  version: "0",
  id: "17793124-05d4-b198-2fde-7ededc63b103",
  "detail-type": "Object Created",
  source: "aws.s3",
  account: "000000000000",
  time: "2026-11-22T12:00:00Z",
  region: "us-east-1",
  resources: ["arn:aws:s3:::photos"],
  detail: {
    version: "0",
    bucket: { name: "photos" },
    object: { key: "uploads/Red Flower.JPG", size: 2048, etag: "d41d8cd98f00b204e9800998ecf8427e", sequencer: "0055AED6DCD90281E5" },
    "request-id": "C3D13FE58DE4C810",
    requester: "000000000000",
    "source-ip-address": "127.0.0.1",
    reason: "PutObject",
    tags: ["raw", "upload"],
  },
};

export interface PatternCase {
  name: string;
  pattern: Record<string, unknown>;
  /** Fields replacing the sample's top-level ones. */
  event?: Record<string, unknown>;
  matches: boolean;
}

const detail = (object: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ detail: { ...SAMPLE_EVENT.detail, ...extra, object: { ...SAMPLE_EVENT.detail.object, ...object } } });

export const PATTERN_CASES: PatternCase[] = [
  { name: "exact source", pattern: { source: ["aws.s3"] }, matches: true },
  { name: "exact source, other value", pattern: { source: ["aws.ec2"] }, matches: false },
  { name: "array is OR", pattern: { "detail-type": ["Object Deleted", "Object Created"] }, matches: true },
  { name: "nested object, exact number", pattern: { detail: { object: { size: [2048] } } }, matches: true },
  { name: "prefix", pattern: { detail: { object: { key: [{ prefix: "uploads/" }] } } }, matches: true },
  { name: "prefix miss", pattern: { detail: { object: { key: [{ prefix: "thumbs/" }] } } }, matches: false },
  { name: "prefix equals-ignore-case", pattern: { detail: { object: { key: [{ prefix: { "equals-ignore-case": "UPLOADS/" } }] } } }, matches: true },
  { name: "suffix", pattern: { detail: { object: { key: [{ suffix: ".JPG" }] } } }, matches: true },
  { name: "suffix is case-sensitive", pattern: { detail: { object: { key: [{ suffix: ".jpg" }] } } }, matches: false },
  { name: "suffix equals-ignore-case", pattern: { detail: { object: { key: [{ suffix: { "equals-ignore-case": ".jpg" } }] } } }, matches: true },
  { name: "equals-ignore-case", pattern: { detail: { reason: [{ "equals-ignore-case": "putobject" }] } }, matches: true },
  { name: "numeric range", pattern: { detail: { object: { size: [{ numeric: [">", 1024, "<=", 4096] }] } } }, matches: true },
  { name: "numeric range miss", pattern: { detail: { object: { size: [{ numeric: [">", 4096] }] } } }, matches: false },
  { name: "numeric equals", pattern: { detail: { object: { size: [{ numeric: ["=", 2048] }] } } }, matches: true },
  { name: "numeric on a string never matches", pattern: { detail: { reason: [{ numeric: [">", 0] }] } }, matches: false },
  { name: "anything-but value", pattern: { detail: { reason: [{ "anything-but": "CopyObject" }] } }, matches: true },
  { name: "anything-but list miss", pattern: { detail: { reason: [{ "anything-but": ["PutObject", "CopyObject"] }] } }, matches: false },
  { name: "anything-but prefix", pattern: { detail: { object: { key: [{ "anything-but": { prefix: "thumbs/" } }] } } }, matches: true },
  { name: "anything-but suffix miss", pattern: { detail: { object: { key: [{ "anything-but": { suffix: ".JPG" } }] } } }, matches: false },
  { name: "anything-but on a missing field", pattern: { detail: { missing: [{ "anything-but": "x" }] } }, matches: false },
  { name: "exists true", pattern: { detail: { object: { sequencer: [{ exists: true }] } } }, matches: true },
  { name: "exists true on a missing field", pattern: { detail: { object: { "version-id": [{ exists: true }] } } }, matches: false },
  { name: "exists false", pattern: { detail: { object: { "version-id": [{ exists: false }] } } }, matches: true },
  { name: "exists false on a present field", pattern: { detail: { object: { key: [{ exists: false }] } } }, matches: false },
  { name: "wildcard", pattern: { detail: { object: { key: [{ wildcard: "uploads/*.JPG" }] } } }, matches: true },
  { name: "wildcard miss", pattern: { detail: { object: { key: [{ wildcard: "uploads/*.png" }] } } }, matches: false },
  { name: "$or, second branch", pattern: { source: ["aws.s3"], $or: [{ detail: { reason: ["CopyObject"] } }, { detail: { object: { size: [{ numeric: [">", 1000] }] } } }] }, matches: true },
  { name: "$or, no branch", pattern: { $or: [{ detail: { reason: ["CopyObject"] } }, { "detail-type": ["Object Deleted"] }] }, matches: false },
  { name: "array value in the event", pattern: { detail: { tags: ["upload"] } }, matches: true },
  { name: "array value in the event, miss", pattern: { detail: { tags: ["thumbnail"] } }, matches: false },
  { name: "resources array", pattern: { resources: ["arn:aws:s3:::photos"] }, matches: true },
  { name: "all fields must match", pattern: { source: ["aws.s3"], "detail-type": ["Object Deleted"] }, matches: false },
  { name: "a changed event", pattern: { detail: { object: { key: [{ prefix: "thumbs/" }] } } }, event: detail({ key: "thumbs/a.jpg" }), matches: true },
  { name: "null value", pattern: { detail: { object: { owner: [null] } } }, event: detail({ owner: null }), matches: true },
];
