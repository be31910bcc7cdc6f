/**
 * Lab 01 — the grader's test data (not a learner file). What the README says
 * the reader must handle, and the case here that proves it:
 *
 * | claim (README)                                   | produced by                                     |
 * |--------------------------------------------------|-------------------------------------------------|
 * | skip S3's test event                             | saving the configuration (s3:TestEvent)          |
 * | keys decoded: spaces, "+", "=", unicode          | KEY_CASES — several "+" and several spaces in    |
 * |   ("+" replaced before decodeURIComponent)       |   one key, a literal "%" and "%41", both          |
 * |                                                  |   encodings of "/" (a real "/" and the text       |
 * |                                                  |   "%2F"), 4-byte UTF-8, "&" and "="               |
 * | created vs removed: Put, Copy,                   | LIFECYCLE — PutObject, CopyObject, a multipart   |
 * |   CompleteMultipartUpload, Delete,               |   upload, DeleteObject, and a delete on a         |
 * |   DeleteMarkerCreated; no tagging events         |   versioned bucket; PutObjectTagging (no event)  |
 * | every record of a message, with its sequencer    | BATCH — one message with several records,        |
 * |                                                  |   sequencers of different lengths                 |
 *
 * Each check uses keys of its own (KEY_CASES under "k/", LIFECYCLE under
 * "lifecycle/" and plain ASCII), so a decoding mistake fails the decoding
 * check only. Not produced: ObjectCreated:Post (a browser form upload; the
 * reader treats it like any ObjectCreated:* event, which the Copy and
 * multipart cases already prove).
 */

/** Keys chosen for how S3 encodes them in events: space → "+", "+" → %2B, "%" → %25, UTF-8 → %XX, "/" kept. */
export const KEY_CASES = [
  "k/reports/q1 summary.csv",
  "k/math/1+1=2 and 2+2=4.txt",
  "k/spaces/two  spaces   three.txt",
  "k/unicode/café/日本語 ñ 🎉.txt",
  "k/query/a=b&c=d.txt",
  "k/percent/100% sure %41.txt",
  "k/slash/a%2Fb is not a folder.txt",
  "k/plain/simple-key_1.txt",
];

export const LIFECYCLE = {
  original: "lifecycle/original.txt",
  copy: "lifecycle/copy-of-original.txt",
  multipart: "lifecycle/multipart.bin",
  /** Deleted after versioning is turned on: ObjectRemoved:DeleteMarkerCreated. */
  versioned: "lifecycle/versioned.txt",
};

/** The events the lifecycle round must produce, in S3's names. */
export const LIFECYCLE_EVENTS = ["ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated"];

/** A message with several records (S3 sends one per message today; the format allows more), built from real records. */
export const BATCH_SEQUENCERS = ["0062E99A88DC407460", "0062E99A88DC4074600000000000000001", "00A1"];
