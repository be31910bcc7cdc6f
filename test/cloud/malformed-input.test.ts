// Issue 11's known hostile inputs, each answered with AWS's 4xx in the
// service's shape — and proven to be answered by validation, not rescued by
// the process guard: the cloud's escapedErrors stays 0 and it still answers
// its health check after every case.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strToU8, zipSync } from "fflate";
import { IAMClient } from "@aws-sdk/client-iam";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, ROLE_ARN } from "../helpers/lambda.js";
import { signedRequest, type RawRequest } from "../helpers/signed-request.js";

let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud();
  const iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  iam.destroy();
});
afterAll(async () => {
  await cloud?.close();
});

async function send(request: RawRequest) {
  const res = await signedRequest(cloud.endpoint, request);
  const health = await fetch(`${cloud.endpoint}/_localcloud/health`).then((r) => r.json() as Promise<{ status: string; escapedErrors: number }>);
  expect(health).toMatchObject({ status: "ok", escapedErrors: 0 });
  return res;
}

const json = (service: string, target: string, version: "1.0" | "1.1", body: string): RawRequest => ({
  method: "POST",
  path: "/",
  service,
  headers: { "content-type": `application/x-amz-json-${version}`, "x-amz-target": target },
  body,
});

function errorType(body: string): string {
  const parsed = JSON.parse(body) as { __type?: string };
  return String(parsed.__type).split("#").pop()!;
}

describe("DynamoDB bodies are checked before dynalite sees them", () => {
  for (const body of ["null", "[]", "[1,2]", "5", '"text"', "true"]) {
    it(`a body of ${body} is a SerializationException`, async () => {
      const res = await send(json("dynamodb", "DynamoDB_20120810.PutItem", "1.0", body));
      expect(res.status).toBe(400);
      expect(errorType(res.body)).toBe("SerializationException");
    });
  }

  it("an item nested past DynamoDB's 32 levels is a ValidationException", async () => {
    const deep = '{"L":['.repeat(5000) + '{"S":"x"}' + "]}".repeat(5000);
    const res = await send(json("dynamodb", "DynamoDB_20120810.PutItem", "1.0", `{"TableName":"tbl","Item":{"k":${deep}}}`));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ message: "Nesting Levels have exceeded supported limits" });
  });

  it("invalid UTF-8, huge numbers and not-JSON are 400s", async () => {
    const bad = Buffer.concat([Buffer.from('{"TableName":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    expect((await send({ ...json("dynamodb", "DynamoDB_20120810.DescribeTable", "1.0", ""), body: bad })).status).toBe(400);
    const huge = `{"TableName":"tbl","Item":{"k":{"N":"1e${"9".repeat(5000)}"}}}`;
    expect((await send(json("dynamodb", "DynamoDB_20120810.PutItem", "1.0", huge))).status).toBe(400);
    const notJson = await send(json("dynamodb", "DynamoDB_20120810.PutItem", "1.0", "{not json"));
    expect(notJson.status).toBe(400);
    expect(errorType(notJson.body)).toBe("SerializationException");
  });
});

describe("every awsJson service refuses a body that is not a JSON object", () => {
  const services: Array<[string, string, "1.0" | "1.1"]> = [
    ["sqs", "AmazonSQS.ListQueues", "1.0"],
    ["events", "AWSEvents.ListRules", "1.1"],
    ["logs", "Logs_20140328.DescribeLogGroups", "1.1"],
  ];
  for (const [service, target, version] of services) {
    for (const body of ["null", "[]", "7", '"s"']) {
      it(`${service} with ${body}`, async () => {
        const res = await send(json(service, target, version, body));
        expect(res.status).toBe(400);
        expect(errorType(res.body)).toBe("SerializationException");
      });
    }
    it(`${service} with JSON nested 10,000 deep`, async () => {
      const res = await send(json(service, target, version, `{"a":${"[".repeat(10_000)}${"]".repeat(10_000)}}`));
      expect(res.status).toBe(400);
      expect(errorType(res.body)).toBe("SerializationException");
    });
  }
});

describe("EventBridge patterns", () => {
  const testPattern = (pattern: string, event: unknown) =>
    send(json("events", "AWSEvents.TestEventPattern", "1.1", JSON.stringify({ EventPattern: pattern, Event: JSON.stringify(event) })));
  const event = (detail: unknown) => ({ id: "1", account: "000000000000", source: "app", "detail-type": "t", time: "2024-01-01T00:00:00Z", region: "us-east-1", resources: [], detail });

  it("matches a wildcard against a 1 MB value without backtracking (a backtracking regex would not return)", async () => {
    const res = await testPattern(JSON.stringify({ detail: { key: [{ wildcard: "*a*a*a*a*a*b" }] } }), event({ key: "a".repeat(1_000_000) }));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ Result: false });
    const hit = await testPattern(JSON.stringify({ detail: { key: [{ wildcard: "*a*a*a*a*a*b" }] } }), event({ key: "a".repeat(100_000) + "b" }));
    expect(JSON.parse(hit.body)).toEqual({ Result: true });
  });

  it("refuses a wildcard rule that is too complex, as AWS does", async () => {
    const res = await send(
      json("events", "AWSEvents.PutRule", "1.1", JSON.stringify({ Name: "complex", EventPattern: JSON.stringify({ detail: { k: [{ wildcard: "*a*a*a*a*a*a*a*a*a*a*a*a*" }] } }) })),
    );
    expect(res.status).toBe(400);
    expect(errorType(res.body)).toBe("InvalidEventPatternException");
    expect(JSON.parse(res.body).message).toContain("Rule is too complex");
  });

  it("a deep pattern is an InvalidEventPatternException, a 5000-deep one a 400 too, never a stack overflow", async () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '["x"]' + "}".repeat(n);
    const res = await testPattern(deep(300), event({}));
    expect(res.status).toBe(400);
    expect(errorType(res.body)).toBe("InvalidEventPatternException");
    const deeper = await testPattern(deep(5000), event({})); // also past the 4096-character model limit
    expect(deeper.status).toBe(400);
    expect(["InvalidEventPatternException", "ValidationException"]).toContain(errorType(deeper.body));
  });

  it("a 5000-deep SNS filter policy and Lambda filter pattern are 400s (the same matcher)", async () => {
    const deep = '{"a":'.repeat(5000) + '["x"]' + "}".repeat(5000);
    const form = (params: Record<string, string>) => new URLSearchParams({ Version: "2010-03-31", ...params }).toString();
    const topic = await send({ method: "POST", path: "/", service: "sns", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form({ Action: "CreateTopic", Name: "deep" }) });
    const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(topic.body)![1]!;
    const sub = await send({
      method: "POST",
      path: "/",
      service: "sns",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form({ Action: "Subscribe", TopicArn: topicArn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:q", "Attributes.entry.1.key": "FilterPolicy", "Attributes.entry.1.value": deep, "Attributes.entry.2.key": "FilterPolicyScope", "Attributes.entry.2.value": "MessageBody" }),
    });
    expect(sub.status).toBe(400);
    expect(sub.body).toContain("<Code>InvalidParameter</Code>");
  });

  it("an event Detail nested 20,000 deep is MalformedDetail (it could not be delivered)", async () => {
    const deep = '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000);
    const res = await send(json("events", "AWSEvents.PutEvents", "1.1", JSON.stringify({ Entries: [{ Source: "app", DetailType: "t", Detail: deep }] })));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "MalformedDetail" }] });
  });

  it("a pattern past the 2048-character quota is refused", async () => {
    const res = await send(json("events", "AWSEvents.PutRule", "1.1", JSON.stringify({ Name: "big", EventPattern: JSON.stringify({ source: ["x".repeat(3000)] }) })));
    expect(res.status).toBe(400);
    expect(errorType(res.body)).toBe("InvalidEventPatternException");
  });
});

describe("S3 XML bodies", () => {
  const putTagging = async (xml: string) => {
    await send({ method: "PUT", path: "/xml-bucket", service: "s3" });
    return send({ method: "PUT", path: "/xml-bucket", query: { tagging: "" }, service: "s3", headers: { "content-type": "application/xml" }, body: xml });
  };

  it("a DOCTYPE with entities is MalformedXML", async () => {
    const res = await putTagging('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><Tagging><TagSet><Tag><Key>k</Key><Value>&b;</Value></Tag></TagSet></Tagging>');
    expect(res.status).toBe(400);
    expect(res.body).toContain("<Code>MalformedXML</Code>");
  });

  it("20,000 nested tags are MalformedXML", async () => {
    const res = await putTagging(`<Tagging>${"<x>".repeat(20_000)}${"</x>".repeat(20_000)}</Tagging>`);
    expect(res.status).toBe(400);
    expect(res.body).toContain("<Code>MalformedXML</Code>");
  });
});

describe("Lambda deployment packages", () => {
  const create = (zip: Uint8Array, name: string) =>
    send({
      method: "POST",
      path: "/2015-03-31/functions",
      service: "lambda",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ FunctionName: name, Runtime: "nodejs20.x", Role: ROLE_ARN, Handler: "index.handler", Code: { ZipFile: Buffer.from(zip).toString("base64") } }),
    });
  const handler = strToU8("export const handler = async () => 1;");

  const cases: Array<[string, Uint8Array]> = [
    ["a NUL in an entry name", zipSync({ "index.mjs": handler, "bad\u0000name.js": handler })],
    ["an absolute path", zipSync({ "index.mjs": handler, "/etc/passwd": handler })],
    ["a .. segment", zipSync({ "index.mjs": handler, "../../escape.js": handler })],
    ["a symlink", zipSync({ "index.mjs": handler, link: [strToU8("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }] })],
    ["a file that is also a directory", zipSync({ "index.mjs": handler, a: handler, "a/b.js": handler })],
  ];
  for (const [what, zip] of cases) {
    it(`refuses ${what} with InvalidParameterValueException`, async () => {
      const res = await create(zip, "bad-zip");
      expect(res.status).toBe(400);
      expect(res.headers["x-amzn-errortype"]).toMatch(/^InvalidParameterValueException/);
      expect(res.body).toContain("Could not unzip uploaded file");
    });
  }

  it("still accepts a good package (the refusals above are about the zip, not the request)", async () => {
    const res = await create(zipSync({ "index.mjs": handler, "lib/util.mjs": handler }), "good-zip");
    expect(res.status).toBe(201);
    await send({ method: "DELETE", path: "/2015-03-31/functions/good-zip", service: "lambda" });
  });

  it("refuses a package whose unzipped size passes 250 MB (a lying header included)", async () => {
    const zip = Buffer.from(zipSync({ "index.mjs": handler, "big.bin": new Uint8Array(1000) }));
    // Patch every central-directory entry's uncompressed size to 200 MB: together past AWS's 262,144,000 bytes.
    for (let at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])); at >= 0; at = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)) {
      zip.writeUInt32LE(200 * 1024 * 1024, at + 24);
    }
    const res = await create(zip, "bomb");
    expect(res.status).toBe(400);
    expect(res.headers["x-amzn-errortype"]).toMatch(/^InvalidParameterValueException/);
    expect(res.body).toContain("Unzipped size must be smaller than 262144000 bytes");
  });

  it("leaves nothing behind for refused packages", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const dir = path.join(cloud.dataDir, "lambda-code");
    const listing = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    expect(listing).toEqual([]);
  });
});
