// CloudWatch Logs through the real @aws-sdk/client-cloudwatch-logs: groups
// and streams, PutLogEvents rules, GetLogEvents with AWS's forward/backward
// token semantics, FilterLogEvents patterns, retention, errors and
// persistence across a restart; plus the CLI's filter-log-events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let logs: CloudWatchLogsClient;
const GROUP = "/app/orders";
const now = Date.now();

beforeAll(async () => {
  cloud = await startTestCloud();
  logs = new CloudWatchLogsClient({ ...cloud.clientConfig, maxAttempts: 1 });
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "a" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "b" }));
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: "a",
      logEvents: Array.from({ length: 10 }, (_, i) => ({ timestamp: now - 10_000 + i * 1000, message: `a${i} ${i % 2 ? "ERROR disk full" : "INFO all good"}` })),
    }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: "b",
      logEvents: [
        { timestamp: now - 9_500, message: "b0 WARN slow request" },
        { timestamp: now - 500, message: "b1 ERROR timeout talking to db" },
      ],
    }),
  );
});
afterAll(async () => {
  await cloud?.close();
});

describe("groups and streams", () => {
  it("describes groups with AWS's fields and filters by prefix", async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/other" }));
    const out = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/" }));
    expect(out.logGroups).toHaveLength(1);
    expect(out.logGroups![0]).toMatchObject({
      logGroupName: GROUP,
      arn: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}:*`,
      logGroupArn: `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}`,
      metricFilterCount: 0,
      logGroupClass: "STANDARD",
    });
    expect(out.logGroups![0]!.storedBytes).toBeGreaterThan(0);
  });

  it("describes streams with first/last event times, ordered by name or last event", async () => {
    const byName = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    expect(byName.logStreams!.map((s) => s.logStreamName)).toEqual(["a", "b"]);
    expect(byName.logStreams![0]).toMatchObject({ firstEventTimestamp: now - 10_000, lastEventTimestamp: now - 1000 });
    const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: "LastEventTime", descending: true }));
    expect(byTime.logStreams!.map((s) => s.logStreamName)).toEqual(["b", "a"]);
  });

  it("answers ResourceAlreadyExistsException and ResourceNotFoundException as AWS does", async () => {
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }))).rejects.toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "The specified log group already exists",
    });
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "a" }))).rejects.toMatchObject({
      name: "ResourceAlreadyExistsException",
      message: "The specified log stream already exists",
    });
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: "/nope" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
    });
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "zzz" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "The specified log stream does not exist.",
    });
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: "bad name!" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
  });

  it("refuses events out of chronological order", async () => {
    await expect(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: "b",
          logEvents: [
            { timestamp: now, message: "later" },
            { timestamp: now - 1, message: "earlier" },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "InvalidParameterException", message: "Log events in a single PutLogEvents request must be in chronological order." });
  });
});

describe("GetLogEvents tokens", () => {
  it("without a token returns the newest events; startFromHead the oldest", async () => {
    const tail = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", limit: 3 }));
    expect(tail.events!.map((e) => e.message!.slice(0, 2))).toEqual(["a7", "a8", "a9"]);
    const head = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", limit: 3, startFromHead: true }));
    expect(head.events!.map((e) => e.message!.slice(0, 2))).toEqual(["a0", "a1", "a2"]);
    expect(head.nextForwardToken).toMatch(/^f\/\d{56}$/);
    expect(head.nextBackwardToken).toMatch(/^b\/\d{56}$/);
  });

  it("pages forward to the end, where AWS hands back the same token", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", limit: 4, startFromHead: true, nextToken: token }));
      seen.push(...page.events!.map((e) => e.message!.slice(0, 2)));
      if (page.nextForwardToken === token) {
        expect(page.events).toHaveLength(0);
        break;
      }
      token = page.nextForwardToken;
    }
    expect(seen).toEqual(["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"]);
  });

  it("pages backward from the newest events", async () => {
    const newest = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", limit: 4 }));
    const older = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", limit: 4, nextToken: newest.nextBackwardToken }));
    expect(older.events!.map((e) => e.message!.slice(0, 2))).toEqual(["a2", "a3", "a4", "a5"]);
    // A forward token taken at the end picks up events written later.
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", logEvents: [{ timestamp: now, message: "a10 INFO late" }] }));
    const later = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", nextToken: newest.nextForwardToken }));
    expect(later.events!.map((e) => e.message)).toEqual(["a10 INFO late"]);
  });

  it("applies startTime and endTime", async () => {
    const out = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a", startTime: now - 8000, endTime: now - 6000, startFromHead: true }));
    expect(out.events!.map((e) => e.message!.slice(0, 2))).toEqual(["a2", "a3"]);
  });
});

describe("FilterLogEvents", () => {
  const filter = async (filterPattern?: string, extra: Record<string, unknown> = {}) =>
    (await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern, ...extra }))).events!.map((e) => e.message!.split(" ")[0]);

  it("merges streams in time order, with stream names and event ids", async () => {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "ERROR" }));
    expect(out.events!.map((e) => e.message!.split(" ")[0])).toEqual(["a1", "a3", "a5", "a7", "a9", "b1"]);
    expect(out.events![0]).toMatchObject({ logStreamName: "a", timestamp: now - 9000 });
    expect(out.events![0]!.eventId).toMatch(/^\d{56}$/);
  });

  it("understands plain terms (AND), quoted phrases, ?optional and -excluded terms", async () => {
    expect(await filter("ERROR db")).toEqual(["b1"]);
    expect(await filter('"disk full"')).toEqual(["a1", "a3", "a5", "a7", "a9"]);
    expect(await filter("?WARN ?timeout")).toEqual(["b0", "b1"]);
    expect(await filter("ERROR -disk")).toEqual(["b1"]);
    expect(await filter("error")).toEqual([]); // case-sensitive, like AWS
  });

  it("restricts by stream and time, and pages with nextToken", async () => {
    expect(await filter(undefined, { logStreamNames: ["b"] })).toEqual(["b0", "b1"]);
    expect(await filter(undefined, { logStreamNamePrefix: "b", startTime: now - 1000 })).toEqual(["b1"]);
    const first = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 5 }));
    expect(first.events).toHaveLength(5);
    // An event written between two pages (older than the page boundary) must not shift the pages.
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "c" }));
    await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: "c", logEvents: [{ timestamp: now - 20_000, message: "c0 early" }] }));
    const second = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 5, nextToken: first.nextToken }));
    const firstIds = new Set(first.events!.map((e) => e.eventId));
    expect(second.events!.some((e) => firstIds.has(e.eventId))).toBe(false);
    expect(second.events![0]!.timestamp).toBeGreaterThanOrEqual(first.events![4]!.timestamp!);
  });

  it("matches JSON patterns against JSON events, also behind Lambda's timestamp/request-id/level prefix", async () => {
    const json = [
      { timestamp: now - 500, message: 'j1 ' + JSON.stringify({ level: "ERROR", outcome: "rejected", ms: 120, user: { id: "alice" } }) },
      { timestamp: now - 400, message: `2026-12-02T06:00:00.000Z\t0f0e8c1a-5c2d-4d8e-9a61-1b2c3d4e5f60\tINFO\t${JSON.stringify({ level: "INFO", outcome: "duplicate", ms: 12, user: { id: "bob" }, ok: true })}` },
      { timestamp: now - 300, message: 'j3 ' + JSON.stringify({ level: "INFO", outcome: "applied", ms: 99, user: null }) },
    ];
    const group = "/aws/lambda/json-lines";
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "json" }));
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: "json", logEvents: json }));
    const ids = async (pattern: string) => (await filter(pattern, { logGroupName: group })).map((m) => (m.startsWith("2026") ? "j2" : m));
    expect(await ids('{ $.outcome = "duplicate" }')).toEqual(["j2"]);
    expect(await ids("{ $.outcome = dup* }")).toEqual(["j2"]);
    expect(await ids('{ $.level != "INFO" }')).toEqual(["j1"]);
    expect(await ids("{ $.ms > 50 && $.ms <= 120 }")).toEqual(["j1", "j3"]);
    expect(await ids('{ ($.user.id = "alice") || $.ok IS TRUE }')).toEqual(["j1", "j2"]);
    expect(await ids("{ $.user IS NULL }")).toEqual(["j3"]);
    expect(await ids("{ $.ok NOT EXISTS }")).toEqual(["j1", "j3"]);
    // Plain-text events never match a JSON pattern.
    expect(await filter('{ $.level = "ERROR" }', { logStreamNames: ["a"] })).toEqual([]);
    await expect(filter("{ $.level = }")).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("expected a value") });
    await expect(filter("[ip, user]")).rejects.toMatchObject({ name: "InvalidParameterException", message: expect.stringContaining("space-delimited") });
  });
});

describe("retention, deletion and persistence", () => {
  it("keeps groups, streams, events and retention across a restart", async () => {
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 7 }));
    await expect(logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 8 }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    cloud = await cloud.restart();
    logs = new CloudWatchLogsClient({ ...cloud.clientConfig, maxAttempts: 1 });
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }));
    expect(groups.logGroups![0]!.retentionInDays).toBe(7);
    const events = await logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "b", startFromHead: true }));
    expect(events.events!.map((e) => e.message)).toEqual(["b0 WARN slow request", "b1 ERROR timeout talking to db"]);
  });

  it.skipIf(!hasAwsCli)("answers the AWS CLI's filter-log-events", async () => {
    const out = await awsCliAsync(cloud, ["logs", "filter-log-events", "--log-group-name", GROUP, "--filter-pattern", "timeout", "--output", "json"]);
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout).events.map((e: { message: string }) => e.message)).toEqual(["b1 ERROR timeout talking to db"]);
  });

  it("tags a group by ARN, deletes a stream, and drops the retention policy", async () => {
    const arn = `arn:aws:logs:us-east-1:000000000000:log-group:${GROUP}`;
    await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { lab: "02", team: "kit" } }));
    await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["team"] }));
    expect((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags).toEqual({ lab: "02" });
    await logs.send(new DeleteLogStreamCommand({ logGroupName: GROUP, logStreamName: "c" }));
    expect((await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }))).logStreams!.map((s) => s.logStreamName)).toEqual(["a", "b"]);
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: GROUP }));
    expect((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: GROUP }))).logGroups![0]!.retentionInDays).toBeUndefined();
  });

  it("DeleteLogGroup removes the group with its streams and events", async () => {
    await logs.send(new DeleteLogGroupCommand({ logGroupName: GROUP }));
    await expect(logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: "a" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    expect((await logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }))).logStreams).toEqual([]);
  });
});
