/**
 * Lab 03's event plumbing, pure: S3's key encoding round-trips through the
 * decoding the handler does; sequencers compare the documented way (right-pad,
 * then string order), and the grader's "older" sequencer sorts before the
 * original in both raw and padded form; a rebuilt record has S3's shape.
 */
import { describe, expect, it } from "vitest";
import { encodeEventKey, olderSequencer, s3PutRecord } from "../../labs/03-the-image-pipeline/support.js";
import { decodeKey, normalizeSequencer, thumbnailKeyFor } from "../../solutions/03-the-image-pipeline/handler.js";
import { expectedThumbnailKey, IMAGE_SET } from "../../labs/03-the-image-pipeline/images.js";

describe("lab 03 events", () => {
  it("encodes keys as S3 does in events, and the handler's decoding inverts it", () => {
    expect(encodeEventKey("uploads/holiday photos/beach day.jpg")).toBe("uploads/holiday+photos/beach+day.jpg");
    expect(encodeEventKey("uploads/a+b=c.png")).toBe("uploads/a%2Bb%3Dc.png");
    expect(encodeEventKey("uploads/café/日本 ñ.jpeg")).toBe("uploads/caf%C3%A9/%E6%97%A5%E6%9C%AC+%C3%B1.jpeg");
    for (const { key } of IMAGE_SET) expect(decodeKey(encodeEventKey(key))).toBe(key);
  });

  it("the solution and the grader agree on thumbnail keys", () => {
    for (const { key } of IMAGE_SET) expect(thumbnailKeyFor(key)).toBe(expectedThumbnailKey(key));
  });

  it("compares sequencers after right-padding; older sequencers sort first", () => {
    const raw = "0055AED6DCD90281E5";
    expect(normalizeSequencer("0055AED6DCD90281E5") > normalizeSequencer("0055AED6DCD90281")).toBe(true);
    expect(olderSequencer(raw)).toBe("0055AED6DCD90281E4");
    const padded = normalizeSequencer(raw);
    expect(olderSequencer(padded) < padded).toBe(true);
    expect(normalizeSequencer(olderSequencer(padded))).toBe(normalizeSequencer("0055AED6DCD90281E4"));
    expect(olderSequencer("0055AED6DCD9028100") < "0055AED6DCD9028100").toBe(true);
  });

  it("rebuilds an ObjectCreated:Put record in S3's shape", () => {
    const r = s3PutRecord({ region: "us-east-1", account: "000000000000", bucket: "b", key: "uploads/x y.jpg", size: 5, eTag: '"abc"', sequencer: "00AB" });
    expect(r).toMatchObject({ eventVersion: "2.5", eventSource: "aws:s3", eventName: "ObjectCreated:Put", s3: { bucket: { name: "b", arn: "arn:aws:s3:::b" }, object: { key: "uploads/x+y.jpg", size: 5, eTag: "abc", sequencer: "00AB" } } });
  });
});
