/**
 * Log sizes as on AWS, and the one local limit AWS does not have:
 * PutLogEvents refuses an oversized event and an oversized batch with AWS's
 * InvalidParameterException; Lambda splits a line longer than 256 KB into
 * several events; past LOCALCLOUD_LOGS_MAX_BYTES the oldest events go, with
 * a warning, and the cloud keeps running.
 */
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  GetLogEventsCommand,
  DescribeLogStreamsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { startTestCloud, errorOf, eventually, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { splitLogEvent, MAX_LAMBDA_LOG_EVENT_BYTES } from "../../src/cloud/services/lambda/runtime/log-sink.js";

const LOCAL_LIMIT = 2_000_000;
let cloud: TestCloud;
let logs: CloudWatchLogsClient;
beforeAll(async () => {
  process.env.LOCALCLOUD_LOGS_MAX_BYTES = String(LOCAL_LIMIT); // read when the logs service starts
  cloud = await startTestCloud({ iam: "off" });
  delete process.env.LOCALCLOUD_LOGS_MAX_BYTES;
  logs = new CloudWatchLogsClient(cloud.clientConfig);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/limits" }));
});
afterAll(async () => {
  logs?.destroy();
  await cloud?.close();
});

async function stream(name: string): Promise<string> {
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/limits", logStreamName: name }));
  return name;
}
const put = (streamName: string, messages: string[]) =>
  logs.send(new PutLogEventsCommand({ logGroupName: "/limits", logStreamName: streamName, logEvents: messages.map((message) => ({ timestamp: Date.now(), message })) }));

describe("PutLogEvents sizes", () => {
  it("accepts an event of exactly the limit (1 MB counting 26 bytes of overhead) and refuses one byte more", async () => {
    const s = await stream("exact");
    // Alone in its batch, so the batch limit (also 1,048,576) is met too; the local limit drops it afterwards.
    await put(s, ["a".repeat(1_048_576 - 26)]);
    const err = await errorOf(put(s, ["a".repeat(1_048_576 - 25)]));
    expect(err.name).toBe("InvalidParameterException");
    expect(err.message).toBe("Log event too large: 1048577 bytes exceeds limit of 1048576");
  });

  it("refuses a batch past 1,048,576 bytes", async () => {
    const s = await stream("batch");
    const err = await errorOf(put(s, ["b".repeat(600_000), "c".repeat(600_000)]));
    expect(err.name).toBe("InvalidParameterException");
    expect(err.message).toBe(`Upload too large: ${1_200_000 + 52} bytes exceeds limit of 1048576`);
  });
});

describe("the local log size limit", () => {
  it("drops the oldest events past LOCALCLOUD_LOGS_MAX_BYTES, warns once, and keeps the newest", async () => {
    const s = await stream("rolling");
    for (let i = 0; i < 6; i++) await put(s, [`${i}:` + "r".repeat(450_000 - 2)]);
    const got = await logs.send(new GetLogEventsCommand({ logGroupName: "/limits", logStreamName: s, startFromHead: true }));
    // 4 × 450,026 bytes fit in 2,000,000; the 1 MB event of the first test went first.
    expect(got.events!.map((e) => Number(e.message!.split(":")[0]))).toEqual([2, 3, 4, 5]);
    const exact = await logs.send(new GetLogEventsCommand({ logGroupName: "/limits", logStreamName: "exact", startFromHead: true }));
    expect(exact.events).toEqual([]);
    expect(cloud.logs.filter((l) => l.includes("LOCALCLOUD_LOGS_MAX_BYTES"))).toHaveLength(1);
  });
});

describe("Lambda's long log lines", () => {
  it("splitLogEvent cuts at the limit on character boundaries and loses nothing", () => {
    const message = "é".repeat(5) + "x".repeat(7) + "€€\n"; // 2-, 1- and 3-byte characters
    const pieces = splitLogEvent({ timestamp: 5, message }, 4);
    expect(pieces.map((p) => p.message).join("")).toBe(message);
    for (const p of pieces) {
      expect(Buffer.byteLength(p.message)).toBeLessThanOrEqual(4);
      expect(p.timestamp).toBe(5);
      expect(p.message).not.toContain("\uFFFD");
    }
    expect(splitLogEvent({ timestamp: 1, message: "short\n" })).toEqual([{ timestamp: 1, message: "short\n" }]);
  });

  it("a 600 KB console.log line reaches CloudWatch Logs as events of at most 256 KB", async () => {
    const iam = new IAMClient(cloud.clientConfig);
    const lambda = new LambdaClient(cloud.clientConfig);
    await createExecutionRole(iam);
    await createFunction(lambda, "loud", `export const handler = async () => { console.log("L".repeat(600000)); return "ok"; };`);
    await lambda.send(new InvokeCommand({ FunctionName: "loud" }));
    const events = await eventually(async () => {
      const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/loud" }));
      const name = streams.logStreams?.[0]?.logStreamName;
      if (!name) return undefined;
      const got = await logs.send(new GetLogEventsCommand({ logGroupName: "/aws/lambda/loud", logStreamName: name, startFromHead: true }));
      return got.events?.some((e) => e.message!.startsWith("REPORT")) ? got.events : undefined;
    });
    const pieces = events.filter((e) => e.message!.includes("LLLL"));
    expect(pieces.length).toBe(3);
    for (const p of pieces) expect(Buffer.byteLength(p.message!)).toBeLessThanOrEqual(MAX_LAMBDA_LOG_EVENT_BYTES);
    expect(Buffer.byteLength(pieces[0]!.message!)).toBe(MAX_LAMBDA_LOG_EVENT_BYTES);
    const joined = pieces.map((p) => p.message).join("");
    expect(joined).toMatch(/^\S+\t[0-9a-f-]{36}\tINFO\tL{600000}\n$/);
    iam.destroy();
    lambda.destroy();
  }, 60_000);
});
