// EventBridge API through the real SDK v3 client (and the AWS CLI): buses,
// rules, targets, the validation errors in AWS's words, PutEvents per-entry
// failures, TestEventPattern over every pattern operator, and persistence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from "@aws-sdk/client-eventbridge";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { PATTERN_CASES, SAMPLE_EVENT } from "./events-pattern-cases.js";

let cloud: TestCloud;
let eb: EventBridgeClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  eb = new EventBridgeClient(cloud.clientConfig);
});
afterAll(async () => {
  await cloud?.close();
});

const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a failure"); }, (e) => e as Error);

describe("buses", () => {
  it("has a default bus and creates, describes, lists and deletes custom ones", async () => {
    const def = await eb.send(new DescribeEventBusCommand({}));
    expect(def).toMatchObject({ Name: "default", Arn: "arn:aws:events:us-east-1:000000000000:event-bus/default" });
    const created = await eb.send(new CreateEventBusCommand({ Name: "orders", Description: "custom" }));
    expect(created.EventBusArn).toBe("arn:aws:events:us-east-1:000000000000:event-bus/orders");
    const again = await fail(eb.send(new CreateEventBusCommand({ Name: "orders" })));
    expect(again.name).toBe("ResourceAlreadyExistsException");
    expect(again.message).toBe("Event bus orders already exists.");
    const { EventBuses } = await eb.send(new ListEventBusesCommand({}));
    expect(EventBuses?.map((b) => b.Name)).toEqual(["default", "orders"]);
    expect((await fail(eb.send(new DeleteEventBusCommand({ Name: "default" })))).message).toBe("Cannot delete event bus default.");
    await eb.send(new DeleteEventBusCommand({ Name: "orders" }));
    const gone = await fail(eb.send(new DescribeEventBusCommand({ Name: "orders" })));
    expect(gone.name).toBe("ResourceNotFoundException");
    expect(gone.message).toBe("Event bus orders does not exist.");
  });
});

describe("rules and targets", () => {
  it("puts, describes, lists by prefix, disables and enables a rule", async () => {
    const pattern = JSON.stringify({ source: ["aws.s3"], "detail-type": ["Object Created"] });
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: "on-upload", EventPattern: pattern, Description: "uploads" }));
    expect(RuleArn).toBe("arn:aws:events:us-east-1:000000000000:rule/on-upload");
    await eb.send(new PutRuleCommand({ Name: "other", EventPattern: pattern }));
    const rule = await eb.send(new DescribeRuleCommand({ Name: "on-upload" }));
    expect(rule).toMatchObject({ Name: "on-upload", Arn: RuleArn, EventPattern: pattern, State: "ENABLED", EventBusName: "default", Description: "uploads", CreatedBy: "000000000000" });
    const { Rules } = await eb.send(new ListRulesCommand({ NamePrefix: "on-" }));
    expect(Rules?.map((r) => r.Name)).toEqual(["on-upload"]);
    await eb.send(new DisableRuleCommand({ Name: "on-upload" }));
    expect((await eb.send(new DescribeRuleCommand({ Name: "on-upload" }))).State).toBe("DISABLED");
    await eb.send(new EnableRuleCommand({ Name: "on-upload" }));
    expect((await eb.send(new DescribeRuleCommand({ Name: "on-upload" }))).State).toBe("ENABLED");
    const missing = await fail(eb.send(new DescribeRuleCommand({ Name: "nope" })));
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.message).toBe("Rule nope does not exist on EventBus default.");
  });

  it("rejects invalid patterns with InvalidEventPatternException", async () => {
    for (const [pattern, reason] of [
      ['{"source": "aws.s3"}', /"source" must be an object or an array/],
      ['{"source": []}', /Empty arrays are not allowed/],
      ['{"detail": {"size": [{"numeric": [">", "x"]}]}}', /Value of > must be numeric/],
      ['{"source": [{"bogus": 1}]}', /Unrecognized match type bogus/],
      ['{"source": [{"exists": "yes"}]}', /exists match pattern must be either true or false/],
      ["[1]", /Filter is not an object/],
      ["{nope", /Filter is not valid JSON/],
    ] as const) {
      const err = await fail(eb.send(new PutRuleCommand({ Name: "bad", EventPattern: pattern })));
      expect(err.name).toBe("InvalidEventPatternException");
      expect(err.message).toMatch(/^Event pattern is not valid\. Reason: /);
      expect(err.message).toMatch(reason);
    }
    const neither = await fail(eb.send(new PutRuleCommand({ Name: "bad" })));
    expect(neither.message).toBe("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  });

  it("accepts and validates schedule expressions", async () => {
    await eb.send(new PutRuleCommand({ Name: "every-5", ScheduleExpression: "rate(5 minutes)" }));
    await eb.send(new PutRuleCommand({ Name: "nightly", ScheduleExpression: "cron(0 3 * * ? *)" }));
    expect((await eb.send(new DescribeRuleCommand({ Name: "every-5" }))).ScheduleExpression).toBe("rate(5 minutes)");
    const bad = await fail(eb.send(new PutRuleCommand({ Name: "bad", ScheduleExpression: "rate(1 minutes)" })));
    expect(bad.message).toBe("Parameter ScheduleExpression is not valid.");
    await eb.send(new DeleteRuleCommand({ Name: "every-5" }));
    await eb.send(new DeleteRuleCommand({ Name: "nightly" }));
  });

  it("puts, lists and removes targets; a rule with targets cannot be deleted", async () => {
    const res = await eb.send(
      new PutTargetsCommand({
        Rule: "on-upload",
        Targets: [
          { Id: "queue", Arn: "arn:aws:sqs:us-east-1:000000000000:jobs", InputPath: "$.detail" },
          { Id: "fn", Arn: "arn:aws:lambda:us-east-1:000000000000:function:thumb", InputTransformer: { InputPathsMap: { key: "$.detail.object.key" }, InputTemplate: '{"key": <key>}' } },
          { Id: "stream", Arn: "arn:aws:kinesis:us-east-1:000000000000:stream/s" },
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(1);
    expect(res.FailedEntries?.[0]?.TargetId).toBe("stream");
    const { Targets } = await eb.send(new ListTargetsByRuleCommand({ Rule: "on-upload" }));
    expect(Targets?.map((t) => t.Id)).toEqual(["queue", "fn"]);
    expect(Targets?.[0]?.InputPath).toBe("$.detail");
    const blocked = await fail(eb.send(new DeleteRuleCommand({ Name: "on-upload" })));
    expect(blocked.name).toBe("ValidationException");
    expect(blocked.message).toBe("Rule can't be deleted since it has targets.");
    const both = await fail(eb.send(new PutTargetsCommand({ Rule: "on-upload", Targets: [{ Id: "x", Arn: "arn:aws:sqs:us-east-1:000000000000:q", Input: "{}", InputPath: "$" }] })));
    expect(both.message).toBe("Only one of Input, InputPath, or InputTransformer must be provided.");
    await eb.send(new RemoveTargetsCommand({ Rule: "on-upload", Ids: ["queue", "fn"] }));
    await eb.send(new DeleteRuleCommand({ Name: "on-upload" }));
    expect((await eb.send(new ListRulesCommand({ NamePrefix: "on-" }))).Rules).toEqual([]);
  });
});

describe("PutEvents", () => {
  it("accepts good entries and reports bad ones per entry", async () => {
    const res = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: "labs.app", DetailType: "Thing Happened", Detail: '{"a":1}' },
          { Source: "labs.app", DetailType: "Thing Happened", Detail: "not json" },
          { Source: "aws.s3", DetailType: "Object Created", Detail: "{}" },
          { DetailType: "x", Detail: "{}" },
          { Source: "labs.app", DetailType: "x", Detail: "{}", EventBusName: "nope" },
        ],
      }),
    );
    expect(res.FailedEntryCount).toBe(4);
    expect(res.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.Entries?.[1]).toEqual({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
    expect(res.Entries?.[2]).toEqual({ ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." });
    expect(res.Entries?.[3]?.ErrorMessage).toBe("Parameter Source is not valid. Reason: Source is a required argument.");
    expect(res.Entries?.[4]).toEqual({ ErrorCode: "ResourceNotFoundException", ErrorMessage: "Event bus nope does not exist." });
    const traces = cloud.cloud.trace.list({ kind: "events.put" });
    expect(traces.some((t) => t.detail?.includes("matched no enabled rule"))).toBe(true);
  });
});

describe("TestEventPattern", () => {
  for (const c of PATTERN_CASES) {
    it(`${c.name}: ${c.matches ? "matches" : "does not match"}`, async () => {
      const { Result } = await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(c.pattern), Event: JSON.stringify({ ...SAMPLE_EVENT, ...c.event }) }));
      expect(Result).toBe(c.matches);
    });
  }

  it("rejects an event without the mandatory fields", async () => {
    const err = await fail(eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' })));
    expect(err.name).toBe("ValidationException");
    expect(err.message).toMatch(/^Parameter Event is not valid/);
  });

  it("works from the AWS CLI", async () => {
    if (!hasAwsCli) return console.warn("skipped: no AWS CLI");
    const res = await awsCliAsync(cloud, ["events", "test-event-pattern", "--event-pattern", '{"source":[{"prefix":"aws."}]}', "--event", JSON.stringify(SAMPLE_EVENT)]);
    expect(res.status, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).Result).toBe(true);
  });
});

describe("persistence", () => {
  it("keeps buses and rules across a restart", async () => {
    await eb.send(new CreateEventBusCommand({ Name: "kept" }));
    await eb.send(new PutRuleCommand({ Name: "kept-rule", EventBusName: "kept", EventPattern: '{"source":["x"]}' }));
    cloud = await cloud.restart();
    eb = new EventBridgeClient(cloud.clientConfig);
    const rule = await eb.send(new DescribeRuleCommand({ Name: "kept-rule", EventBusName: "kept" }));
    expect(rule.Arn).toBe("arn:aws:events:us-east-1:000000000000:rule/kept/kept-rule");
  });
});
