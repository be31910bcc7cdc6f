// The gateway and protocol layer: routing by SigV4 scope / X-Amz-Target /
// Action, AWS-shaped errors for unknown operations in every protocol, the
// admin API, and bodies that end early not crashing the server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "node:net";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { unflatten } from "../../src/cloud/protocols/query.js";
import { signedFetch } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud.close();
});

const scope = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=abc`;

describe("admin API", () => {
  it("reports health with the services it serves", async () => {
    const res = await signedFetch(`${cloud.endpoint}/_localcloud/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; services: string[] };
    expect(body.status).toBe("ok");
    expect(body.services).toEqual(expect.arrayContaining(["s3", "sqs", "lambda", "iam", "sts"]));
  });
  it("answers unknown admin paths with a 404 that says what exists", async () => {
    const res = await signedFetch(`${cloud.endpoint}/_localcloud/nope`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("/_localcloud/health");
  });
});

describe("protocol errors", () => {
  it("answers an unknown awsJson operation in the JSON error shape", async () => {
    const res = await signedFetch(cloud.endpoint, {
      method: "POST",
      headers: { "x-amz-target": "AWSEvents.NoSuchOperation", "content-type": "application/x-amz-json-1.1", authorization: scope("events") },
      body: "{}",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe("com.amazonaws.events#UnknownOperationException");
  });
  it("answers malformed JSON with SerializationException, not a crash", async () => {
    const res = await signedFetch(cloud.endpoint, {
      method: "POST",
      headers: { "x-amz-target": "Logs_20140328.DescribeLogGroups", "content-type": "application/x-amz-json-1.1", authorization: scope("logs") },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { __type: string };
    expect(body.__type).toMatch(/SerializationException|UnknownOperationException/);
  });
  it("answers an unknown awsQuery action in the query error shape", async () => {
    const res = await signedFetch(cloud.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: scope("sts") },
      body: "Action=NoSuchThing&Version=2011-06-15",
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain("<ErrorResponse");
    expect(text).toContain("<Code>InvalidAction</Code>");
  });
  it("answers a service the cloud does not have with NotImplemented", async () => {
    const res = await signedFetch(cloud.endpoint, {
      method: "POST",
      headers: { "x-amz-target": "Kinesis_20131202.ListStreams", "content-type": "application/x-amz-json-1.1", authorization: scope("kinesis") },
      body: "{}",
    });
    expect(res.status).toBe(501);
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toContain("NotImplemented");
    expect(body.message).toContain("kinesis");
  });
  it("survives a body that ends early and keeps serving", async () => {
    const port = Number(new URL(cloud.endpoint).port);
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.write("PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nonly-a-few-bytes");
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    const res = await signedFetch(`${cloud.endpoint}/_localcloud/health`);
    expect(res.status).toBe(200);
  });
});

describe("awsQuery input flattening", () => {
  it("turns member lists, entry maps and flattened lists into plain structures", () => {
    const params = new URLSearchParams(
      "Action=X&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=2" +
        "&Attributes.entry.1.key=Policy&Attributes.entry.1.value=%7B%7D" +
        "&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=red" +
        "&AttributeName.1=All&AttributeName.2=Policy",
    );
    expect(unflatten(params)).toEqual({
      Tags: [
        { Key: "a", Value: "1" },
        { Key: "b", Value: "2" },
      ],
      Attributes: { Policy: "{}" },
      MessageAttributes: { color: { DataType: "String", StringValue: "red" } },
      AttributeName: ["All", "Policy"],
    });
  });
});
