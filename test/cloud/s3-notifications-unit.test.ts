// Pure parts of S3 event notifications: key encoding (§2), event-name and
// filter overlap/matching (§3), the XML schema (MalformedXML), structural
// validation in AWS's order, the §2 record's field presence per event type,
// and the §4 EventBridge event. End-to-end behaviour through the SDK is in
// s3-notifications-config.test.ts and s3-notifications-delivery.test.ts.
import { describe, expect, it } from "vitest";
import { AwsError } from "../../src/cloud/core/aws-error.js";
import { thrownAwsError } from "../helpers/aws-error.js";
import { encodeEventKey } from "../../src/cloud/services/s3/notifications/key-encoding.js";
import { eventNameMatches, eventTypesOverlap } from "../../src/cloud/services/s3/notifications/event-names.js";
import { filtersOverlap, keyMatches } from "../../src/cloud/services/s3/notifications/key-filter.js";
import { parseNotificationXml } from "../../src/cloud/services/s3/notifications/config-parse.js";
import { validateStructure } from "../../src/cloud/services/s3/notifications/validate.js";
import { buildEventRecord, EVENT_VERSION } from "../../src/cloud/services/s3/notifications/event-record.js";
import { buildEventBridgeEvent } from "../../src/cloud/services/s3/notifications/eventbridge-event.js";
import { matchingDestinations } from "../../src/cloud/services/s3/notifications/router.js";
import type { S3ObjectEvent } from "../../src/cloud/services/s3/notifications/contract.js";

const Q = "arn:aws:sqs:us-east-1:000000000000:q";
const xml = (inner: string) => `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</NotificationConfiguration>`;
const queue = (events: string[], rules: Array<[string, string]> = [], id?: string, arn = Q) =>
  `<QueueConfiguration>${id ? `<Id>${id}</Id>` : ""}<Queue>${arn}</Queue>${events.map((e) => `<Event>${e}</Event>`).join("")}${
    rules.length ? `<Filter><S3Key>${rules.map(([n, v]) => `<FilterRule><Name>${n}</Name><Value>${v}</Value></FilterRule>`).join("")}</S3Key></Filter>` : ""
  }</QueueConfiguration>`;

const validate = (inner: string) => validateStructure(parseNotificationXml(xml(inner)), "us-east-1");

describe("key encoding (§2)", () => {
  it("encodes like AWS: space +, + %2B, @ %40, = %3D, : %3A, UTF-8 %XX, / and .-_*~ kept", () => {
    expect(encodeEventKey("uploads/my photo+1 (ü)@x=y.jpg")).toBe("uploads/my+photo%2B1+%28%C3%BC%29%40x%3Dy.jpg");
    expect(encodeEventKey("a:b/c-d_e.f*g~h")).toBe("a%3Ab/c-d_e.f*g~h");
    expect(encodeEventKey("日本/😀!'")).toBe("%E6%97%A5%E6%9C%AC/%F0%9F%98%80%21%27");
    expect(decodeURIComponent(encodeEventKey("x y+z/ü&?#%").replace(/\+/g, " "))).toBe("x y+z/ü&?#%");
  });
});

describe("event names and filters", () => {
  it("wildcards overlap their family and match its events", () => {
    expect(eventTypesOverlap("s3:ObjectCreated:*", "s3:ObjectCreated:Put")).toBe(true);
    expect(eventTypesOverlap("s3:ObjectCreated:Copy", "s3:ObjectCreated:Put")).toBe(false);
    expect(eventTypesOverlap("s3:ObjectCreated:*", "s3:ObjectRemoved:*")).toBe(false);
    expect(eventNameMatches("s3:ObjectRemoved:*", "ObjectRemoved:DeleteMarkerCreated")).toBe(true);
    expect(eventNameMatches("s3:ObjectCreated:Put", "ObjectCreated:Copy")).toBe(false);
  });
  it("prefix/suffix overlap and matching, with + and %XX decoded in filter values", () => {
    const f = (p?: string, s?: string) => [...(p !== undefined ? [{ name: "Prefix" as const, value: p }] : []), ...(s !== undefined ? [{ name: "Suffix" as const, value: s }] : [])];
    expect(filtersOverlap(f("images/"), f("images/raw/"))).toBe(true);
    expect(filtersOverlap(f("images/", ".jpg"), f("images/", ".png"))).toBe(false);
    expect(filtersOverlap(f(), f(undefined, ".jpg"))).toBe(true);
    expect(filtersOverlap(f("a/"), f("b/"))).toBe(false);
    expect(keyMatches(f("my+photos/", ".JPG"), "my photos/x.JPG")).toBe(true);
    expect(keyMatches(f("caf%C3%A9/"), "café/x")).toBe(true);
    expect(keyMatches(f("a/", ".jpg"), "a/x.jpeg")).toBe(false);
  });
});

describe("XML schema", () => {
  it("answers MalformedXML for broken XML, a wrong root, unknown elements, rules without Name/Value, configurations without ARN or Event", () => {
    for (const body of [
      "<NotificationConfiguration><QueueConfiguration>",
      "<Nope/>",
      "",
      xml("<Bogus/>"),
      xml(`<QueueConfiguration><Queue>${Q}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name></FilterRule></S3Key></Filter></QueueConfiguration>`),
      xml(`<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>`),
      xml(`<QueueConfiguration><Queue>${Q}</Queue></QueueConfiguration>`),
    ]) {
      expect(thrownAwsError(() => parseNotificationXml(body)).code, body).toBe("MalformedXML");
    }
  });
  it("reads every destination type, the EventBridge flag, and pretty-printed XML", () => {
    const raw = parseNotificationXml(`<?xml version="1.0"?>
      <NotificationConfiguration>
        <TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic><Event>s3:ObjectCreated:*</Event></TopicConfiguration>
        <CloudFunctionConfiguration><Id>fn</Id><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectRemoved:*</Event></CloudFunctionConfiguration>
        <EventBridgeConfiguration/>
      </NotificationConfiguration>`);
    expect(raw.eventBridge).toBe(true);
    expect(raw.destinations.map((d) => [d.type, d.id])).toEqual([["Topic", undefined], ["CloudFunction", "fn"]]);
  });
});

describe("structural validation, in AWS's order", () => {
  it("ARN parsing comes first, with the element name as ArgumentName", () => {
    const e = thrownAwsError(() => validate(queue(["s3:Bogus"], [["bogus", "x"]], undefined, "not-an-arn")));
    expect([e.code, e.message, e.fields.ArgumentName, e.fields.ArgumentValue]).toEqual(["InvalidArgument", "The ARN could not be parsed", "Queue", "not-an-arn"]);
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"], [], undefined, "arn:aws:sns:us-east-1:000000000000:t"))).message).toBe("The ARN could not be parsed");
  });
  it("then filter rules: name, duplicates, value length", () => {
    const e = thrownAwsError(() => validate(queue(["s3:Bogus"], [["middle", "x"]])));
    expect([e.message, e.fields.ArgumentName, e.fields.ArgumentValue]).toEqual(["filter rule name must be either prefix or suffix", "FilterRule.Name", "middle"]);
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"], [["prefix", "a"], ["Prefix", "b"]]))).message).toBe("Cannot specify more than one prefix rule in a filter.");
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"], [["suffix", "a"], ["SUFFIX", "b"]]))).message).toBe("Cannot specify more than one suffix rule in a filter.");
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"], [["prefix", "a".repeat(1025)]]))).code).toBe("InvalidArgument");
    expect(() => validate(queue(["s3:ObjectCreated:*"], [["prefix", "a".repeat(1024)]]))).not.toThrow();
  });
  it("then event names, duplicate ids, overlap", () => {
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:Bogus"]))).message).toBe("The event is not supported for notifications");
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:Put"], [], "same") + queue(["s3:ObjectRemoved:*"], [], "same"))).message).toBe(
      "Same ID used for multiple configurations. IDs must be unique.",
    );
    const overlap = thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"]) + queue(["s3:ObjectCreated:Put"])));
    expect([overlap.message, overlap.fields.ArgumentName, overlap.fields.ArgumentValue]).toEqual([
      "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
      "Event",
      "s3:ObjectCreated:*, s3:ObjectCreated:Put",
    ]);
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"], [["prefix", "a/"]]) + queue(["s3:ObjectCreated:*"], [["prefix", "a/b/"]]))).message).toMatch(/^Configuration is ambiguously defined/);
  });
  it("accepts disjoint filters for the same event, capitalises rule names, generates missing ids", () => {
    const config = validate(queue(["s3:ObjectCreated:*"], [["prefix", "img/"], ["suffix", ".jpg"]]) + queue(["s3:ObjectCreated:*"], [["PREFIX", "img/"], ["Suffix", ".png"]], "png"));
    expect(config.destinations[0]!.filterRules).toEqual([{ name: "Prefix", value: "img/" }, { name: "Suffix", value: ".jpg" }]);
    expect(config.destinations[1]!.filterRules[0]!.name).toBe("Prefix");
    expect(config.destinations[0]!.id).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(config.destinations[1]!.id).toBe("png");
    expect(matchingDestinations(config, { eventName: "ObjectCreated:Put", key: "img/a.png" }).map((d) => d.id)).toEqual(["png"]);
    expect(matchingDestinations(config, { eventName: "ObjectRemoved:Delete", key: "img/a.png" })).toEqual([]);
  });
  it("refuses a destination in another region", () => {
    expect(thrownAwsError(() => validate(queue(["s3:ObjectCreated:*"], [], undefined, "arn:aws:sqs:eu-west-1:000000000000:q"))).message).toBe(
      "The notification destination service region is not valid for the bucket location constraint",
    );
  });
});

const base: S3ObjectEvent = {
  eventName: "ObjectCreated:Put",
  account: "000000000000",
  region: "us-east-1",
  bucket: "photos",
  key: "uploads/red flower.jpg",
  size: 5,
  eTag: "5d41402abc4b2a76b9719d911017c592",
  sequencer: "0055AED6DCD90281E5",
  requestId: "C3D13FE58DE4C810",
  hostId: "host/id",
  principalId: "AROAEXAMPLE123456789:session",
  sourceIp: "127.0.0.1",
  time: new Date("2026-11-22T12:30:00.123Z"),
};

describe("event record (§2)", () => {
  it("has every field of a created event", () => {
    const r = buildEventRecord(base, "thumb");
    expect(r).toEqual({
      eventVersion: "2.5",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2026-11-22T12:30:00.123Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:AROAEXAMPLE123456789:session" },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "host/id" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "thumb",
        bucket: { name: "photos", ownerIdentity: { principalId: expect.stringMatching(/^A[A-Z0-9]{13}$/) }, arn: "arn:aws:s3:::photos" },
        object: { key: "uploads/red+flower.jpg", size: 5, eTag: "5d41402abc4b2a76b9719d911017c592", sequencer: "0055AED6DCD90281E5" },
      },
    });
    expect(Object.keys(r.s3.object)).not.toContain("versionId");
  });
  it("chooses the object fields per event type", () => {
    expect(buildEventRecord({ ...base, eventName: "ObjectRemoved:Delete", size: undefined, eTag: undefined }, "c").s3.object).toEqual({ key: "uploads/red+flower.jpg", sequencer: base.sequencer });
    expect(buildEventRecord({ ...base, eventName: "ObjectRemoved:DeleteMarkerCreated", versionId: "v1" }, "c").s3.object).toEqual({
      key: "uploads/red+flower.jpg",
      eTag: "d41d8cd98f00b204e9800998ecf8427e",
      versionId: "v1",
      sequencer: base.sequencer,
    });
    const tag = buildEventRecord({ ...base, eventName: "ObjectTagging:Put", sequencer: undefined }, "c");
    expect(tag.s3.object).toEqual({ key: "uploads/red+flower.jpg", eTag: base.eTag });
    // Since 2.4 one unified version for every event type; 2.5 is current (S3 user guide, "Event message structure").
    expect(tag.eventVersion).toBe("2.5");
    expect(EVENT_VERSION).toBe("2.5");
  });
  it("names an admin caller by the account's owner id", () => {
    const r = buildEventRecord({ ...base, principalId: "000000000000" }, "c");
    expect(r.userIdentity.principalId).toBe(r.s3.bucket.ownerIdentity.principalId);
  });
});

describe("EventBridge event (§4)", () => {
  it("maps created events with reason, seconds-precision time and an unencoded key", () => {
    const e = buildEventBridgeEvent({ ...base, eventName: "ObjectCreated:Copy", versionId: "v1" })!;
    expect(e).toMatchObject({
      version: "0",
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "000000000000",
      time: "2026-11-22T12:30:00Z",
      region: "us-east-1",
      resources: ["arn:aws:s3:::photos"],
      detail: {
        version: "0",
        bucket: { name: "photos" },
        object: { key: "uploads/red flower.jpg", size: 5, etag: base.eTag, "version-id": "v1", sequencer: base.sequencer },
        "request-id": base.requestId,
        requester: "000000000000",
        "source-ip-address": "127.0.0.1",
        reason: "CopyObject",
      },
    });
    expect(e.id).toMatch(/^[0-9a-f-]{36}$/);
  });
  it("maps every event type S3 emits here", () => {
    const cases: Array<[string, string, string | undefined, string | undefined]> = [
      ["ObjectCreated:Put", "Object Created", "PutObject", undefined],
      ["ObjectCreated:CompleteMultipartUpload", "Object Created", "CompleteMultipartUpload", undefined],
      ["ObjectRemoved:Delete", "Object Deleted", "DeleteObject", "Permanently Deleted"],
      ["ObjectRemoved:DeleteMarkerCreated", "Object Deleted", "DeleteObject", "Delete Marker Created"],
      ["ObjectTagging:Put", "Object Tags Added", undefined, undefined],
      ["ObjectTagging:Delete", "Object Tags Deleted", undefined, undefined],
    ];
    for (const [eventName, detailType, reason, deletionType] of cases) {
      const e = buildEventBridgeEvent({ ...base, eventName })!;
      expect([e["detail-type"], e.detail.reason, e.detail["deletion-type"]], eventName).toEqual([detailType, reason, deletionType]);
    }
    const deleted = buildEventBridgeEvent({ ...base, eventName: "ObjectRemoved:Delete" })!;
    expect(deleted.detail.object).toEqual({ key: base.key, sequencer: base.sequencer });
  });
});
