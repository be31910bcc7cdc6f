/**
 * The console in a real Chromium against a real local cloud (issue 19): an
 * SDK upload appears in the live trace with its delivery, its invocation
 * (log lines), the function's own SDK call and the event that call caused; a
 * delivery the function policy denies, and a function call the role's policy
 * denies, each say why; a loop is shown round by round up to where loop
 * detection stopped it; an image object shows its preview; a queue is peeked
 * without receiving its messages; a topic's email subscription opens its
 * confirmation mail in the outbox (link shown, not followed); a state
 * machine's definition is drawn as a graph and a failed execution marks
 * the state it failed in; an alarm shows its state, reason, metric, actions
 * and history; a page of another
 * origin (same site, other port) cannot read or drive the console, and a
 * rebound host name is refused. Screenshots go to a temp dir and are checked
 * non-empty. One cloud and one browser for the file.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AddPermissionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createMachineRole, finished } from "../helpers/sfn.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";
import { chromiumArgs, chromiumPath, pngOf } from "./browser.js";

const HANDLER = `
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true });
export const handler = async (event) => {
  for (const r of event.Records) {
    const key = decodeURIComponent(r.s3.object.key.replace(/\\+/g, " "));
    console.log("processing", key);
    if (key.startsWith("loop/")) {
      // Writes into its own trigger: a loop, which Lambda's recursion detection stops.
      await s3.send(new PutObjectCommand({ Bucket: "console-loop", Key: key + "+", Body: "again" }));
      continue;
    }
    const bucket = key.startsWith("deny-") ? "console-locked" : "console-out";
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "copy-of-" + key, Body: "done" }));
  }
  return "ok";
};`;

describe.skipIf(!chromiumPath)("the console in Chromium", () => {
  let cloud: TestCloud;
  let browser: Browser;
  let page: Page;
  let s3: S3Client;
  let shots: string;
  const consoleUrl = (fragment = "") => `${cloud.endpoint}/_localcloud/console/#token=${cloud.adminToken}${fragment}`;

  beforeAll(async () => {
    shots = fs.mkdtempSync(path.join(os.tmpdir(), "console-shots-"));
    const { chromium } = await import("playwright-core");
    [cloud, browser] = await Promise.all([
      startTestCloud(),
      chromium.launch({ executablePath: chromiumPath, args: chromiumArgs(["--host-resolver-rules=MAP rebind.test 127.0.0.1"]) }),
    ]);
    s3 = new S3Client(cloud.clientConfig);
    const lambda = new LambdaClient(cloud.clientConfig);
    const iam = new IAMClient(cloud.clientConfig);
    await createExecutionRole(iam);
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLE_NAME,
        PolicyName: "write-console-out",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: ["arn:aws:s3:::console-out/*", "arn:aws:s3:::console-loop/*"] }] }),
      }),
    );
    for (const Bucket of ["console-in", "console-out", "console-locked", "console-denied", "console-loop"]) await s3.send(new CreateBucketCommand({ Bucket }));
    await createFunction(lambda, "console-echo", HANDLER);
    await lambda.send(new AddPermissionCommand({ FunctionName: "console-echo", StatementId: "s3-in", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::console-in" }));
    await lambda.send(new AddPermissionCommand({ FunctionName: "console-echo", StatementId: "s3-loop", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: "arn:aws:s3:::console-loop" }));
    const config = (id: string) => ({ LambdaFunctionConfigurations: [{ Id: id, LambdaFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:console-echo", Events: ["s3:ObjectCreated:*" as const], Filter: { Key: { FilterRules: [{ Name: "suffix" as const, Value: ".txt" }] } } }] });
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "console-in", NotificationConfiguration: config("echo-txt") }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "console-loop", NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: "loop", LambdaFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:console-echo", Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "loop/" }] } } }] } }));
    // No permission for this bucket: saved without the destination check, so the delivery itself is denied.
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "console-denied", NotificationConfiguration: config("no-permission"), SkipDestinationValidation: true }));
    lambda.destroy();
    iam.destroy();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(consoleUrl());
    await page.waitForSelector("#live.on", { timeout: 10_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    s3?.destroy();
    await cloud?.close();
    if (shots) fs.rmSync(shots, { recursive: true, force: true });
  });

  async function screenshot(name: string): Promise<void> {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(5_000);
    // To look at them: CONSOLE_SCREENSHOTS_DIR=/some/dir npx vitest run test/console/
    if (process.env.CONSOLE_SCREENSHOTS_DIR) fs.copyFileSync(file, path.join(process.env.CONSOLE_SCREENSHOTS_DIR, `${name}.png`));
  }

  it("shows an SDK upload live: record, matched configuration, delivery, invocation with logs, the function's call and the event it caused", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "console-in", Key: "hello world.txt", Body: "hi" }));
    const story = page.locator('article.story[data-bucket="console-in"][data-key="hello world.txt"]').first();
    await story.locator('.step[data-kind="lambda.invoke"][data-status="ok"]').waitFor({ timeout: 15_000 });
    await story.locator('.child article.story[data-bucket="console-out"]').waitFor({ timeout: 10_000 });
    await expect(story.locator('.step[data-kind="s3→lambda"][data-status="ok"]').count()).resolves.toBe(1);
    await expect(story.locator('.config-match[data-matched="true"]').innerText()).resolves.toContain('suffix ".txt"');
    await expect(story.locator(".calls .step").first().innerText()).resolves.toMatch(/s3 PUT \/console-out\/copy-of-hello%20world\.txt → HTTP 200/);
    await story.locator("details[data-key$=':record'] > summary").first().click();
    await expect(story.locator(".key-note").first().innerText()).resolves.toContain("hello+world.txt");
    await story.locator(".step[data-kind='lambda.invoke'] details > summary").first().click();
    await expect(story.locator("pre.logs").first().innerText()).resolves.toMatch(/START RequestId[\s\S]*processing hello world\.txt[\s\S]*REPORT RequestId/);
    await expect(story.locator(".summary.ok").first().isVisible()).resolves.toBe(true);
    await screenshot("delivered");
  });

  it("explains a delivery the function policy denies, and a call the role's policy denies", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "console-denied", Key: "nobody-hears.txt", Body: "x" }));
    await s3.send(new PutObjectCommand({ Bucket: "console-in", Key: "deny-me.txt", Body: "x" }));
    const denied = page.locator('article.story[data-bucket="console-denied"]').first();
    await denied.locator(".summary.problem").waitFor({ timeout: 15_000 });
    await expect(denied.locator(".summary.problem").innerText()).resolves.toMatch(/Delivery denied.*s3\.amazonaws\.com may not invoke console-echo/s);
    const locked = page.locator('article.story[data-key="deny-me.txt"]').first();
    await locked.locator('.step[data-kind="lambda.invoke"][data-status="failed"]').first().waitFor({ timeout: 15_000 });
    const summary = await locked.locator(".summary.problem").innerText();
    expect(summary).toMatch(/Denied by a policy: role lambda-test-role has no statement allowing s3:PutObject on arn:aws:s3:::console-locked\/copy-of-deny-me\.txt/);
    expect(summary).toMatch(/The function console-echo failed \(AccessDenied\)/);
    await screenshot("denied");
  });

  it("shows a function that writes into its own trigger as a loop, and where loop detection stopped it", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "console-loop", Key: "loop/start", Body: "x" }));
    const story = page.locator('article.story[data-bucket="console-loop"][data-key="loop/start"]').first();
    await story.locator(":scope > .summary.problem", { hasText: "loop detection stopped it" }).waitFor({ timeout: 30_000 });
    await expect(story.locator(":scope > .summary.problem").innerText()).resolves.toMatch(/A loop: this event caused 1[67] more event\(s\) in turn, until Lambda's loop detection stopped it — Lambda stopped a recursive invocation of console-echo/);
    await expect(story.locator(".label.loop").first().innerText()).resolves.toContain("this event reaches console-echo again");
    await expect(story.locator('.step[data-kind="lambda.recursion"][data-status="dropped"]').count()).resolves.toBe(1);
    await screenshot("loop");
  });

  it("says why an upload notified nothing", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "console-in", Key: "photo.jpg", Body: "x" }));
    const story = page.locator('article.story[data-key="photo.jpg"]').first();
    await story.waitFor({ timeout: 10_000 });
    await expect(story.locator(".summary.problem").innerText()).resolves.toContain('No notification configuration matched: echo-txt — the key "photo.jpg" does not end with the suffix ".txt"');

    // Filtered by bucket and key prefix, only that bucket's stories stay.
    await page.fill('#filters input[name="bucket"]', "console-in");
    await page.fill('#filters input[name="prefix"]', "photo");
    await expect.poll(() => page.locator("#stories > article.story").count(), { timeout: 5000 }).toBe(1);
    await expect(page.locator("#stories > article.story").getAttribute("data-key")).resolves.toBe("photo.jpg");
    expect(new URL(page.url()).hash).toContain("bucket=console-in");
    await page.fill('#filters input[name="bucket"]', "");
    await page.fill('#filters input[name="prefix"]', "");
  });

  it("previews an image object", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "console-out", Key: "pic.png", Body: pngOf(96, 64), ContentType: "image/png", Metadata: { origin: "console-test" } }));
    await page.click('a.tab[data-view="resources"]');
    await page.click('a.kind[data-kind="buckets"]');
    await page.click('#resource-list tr.row[data-id="console-out"]');
    await page.locator("#resource-detail tr.row", { hasText: "pic.png" }).click();
    const img = page.locator("#resource-detail img.preview");
    await img.waitFor({ timeout: 10_000 });
    await expect(img.evaluate((el) => {
      const image = el as unknown as { decode(): Promise<void>; naturalWidth: number; naturalHeight: number };
      return image.decode().then(() => [image.naturalWidth, image.naturalHeight]);
    })).resolves.toEqual([96, 64]);
    await expect(page.locator("#resource-detail").innerText()).resolves.toContain("x-amz-meta-origin");
    await screenshot("preview");
  });

  it("peeks at a queue's messages without receiving them", async () => {
    const sqs = new SQSClient(cloud.clientConfig);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "console-peek" }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ hello: "from the test" }) }));
      await page.click('a.kind[data-kind="queues"]');
      await page.click(`#resource-list tr.row[data-id="${QueueUrl}"]`);
      await page.locator("#resource-detail", { hasText: "from the test" }).waitFor({ timeout: 10_000 });
      await expect(page.locator("#resource-detail").innerText()).resolves.toContain("peeked: not received");
      // Looking changed nothing: the first real receive is the message's first.
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
      expect(got.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
    } finally {
      sqs.destroy();
      await page.click('a.tab[data-view="trace"]');
    }
  });

  it("opens a topic's email subscription in the outbox: the confirmation mail, its link as text, never followed", async () => {
    const sns = new SNSClient(cloud.clientConfig);
    try {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "console-mail" }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "learner@example.com" }));
      await page.click('a.tab[data-view="resources"]');
      await page.click('a.kind[data-kind="topics"]');
      await page.click(`#resource-list tr.row[data-id="${TopicArn}"]`);
      await page.locator("#resource-detail tr.row", { hasText: "learner@example.com" }).click();
      const detail = page.locator("#resource-detail");
      await detail.locator("h3", { hasText: "outbox learner@example.com" }).waitFor({ timeout: 10_000 });
      const text = await detail.innerText();
      expect(text).toMatch(/Confirmation\s+AWS Notification - Subscription Confirmation\s+console-mail\s+email/);
      expect(text).toMatch(/confirmation link \(not followed\)\s+http\S+Action=ConfirmSubscription/);
      await expect(detail.locator("pre", { hasText: "Confirm subscription:" }).count()).resolves.toBe(1);
      await expect(detail.locator("a").count()).resolves.toBe(0);
      // Looking confirmed nothing.
      const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
      expect(subs.Subscriptions?.[0]?.SubscriptionArn).toBe("PendingConfirmation");
      await screenshot("outbox");
    } finally {
      sns.destroy();
    }
  });

  it("draws a state machine as a graph and marks the state a failed execution failed in", async () => {
    const sfn = new SFNClient(cloud.clientConfig);
    const iam = new IAMClient(cloud.clientConfig);
    try {
      const roleArn = await createMachineRole(iam, "console-sfn-role", []);
      const definition = {
        StartAt: "Route",
        States: {
          Route: { Type: "Choice", Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Done" }], Default: "Fan" },
          Done: { Type: "Pass", End: true },
          // A branch that fails, caught: the execution goes on to Broken.
          Fan: { Type: "Parallel", Branches: [{ StartAt: "Inner", States: { Inner: { Type: "Fail", Error: "Inner.Failed" } } }], Catch: [{ ErrorEquals: ["States.ALL"], Next: "Broken" }], Next: "Done" },
          Broken: { Type: "Fail", Error: "Bad.Input", Cause: "<b>not ok</b>" },
        },
      };
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "console-flow", roleArn, definition: JSON.stringify(definition) }));
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: "run-1", input: JSON.stringify({ ok: false }) }));
      expect((await finished(sfn, executionArn!)).status).toBe("FAILED");
      await page.click('a.tab[data-view="resources"]');
      await page.click('a.kind[data-kind="state-machines"]');
      await page.click(`#resource-list tr.row[data-id="${stateMachineArn}"]`);
      const graph = page.locator("#resource-detail section > .asl-graph");
      await graph.waitFor({ timeout: 10_000 });
      await expect(graph.locator(":scope > .asl-state").evaluateAll((els) => els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.state))).resolves.toEqual(["Route", "Done", "Fan", "Broken"]);
      await expect(graph.locator('.asl-state[data-state="Route"] .asl-edge').allInnerTexts()).resolves.toEqual(["Choice 1: $.ok BooleanEquals true → Done", "Default → Fan"]);
      await expect(graph.locator('.asl-state[data-state="Fan"] > .asl-edges > .asl-edge').allInnerTexts()).resolves.toEqual(["Next → Done", "Catch States.ALL → Broken"]);
      await expect(graph.locator('.asl-state[data-state="Fan"] .asl-branch .asl-state[data-state="Inner"] .asl-edge').innerText()).resolves.toBe("Fails with Inner.Failed");
      await expect(graph.locator('.asl-state[data-state="Done"] .asl-edge').innerText()).resolves.toBe("End");
      // The Fail state's cause is someone's text: shown as text, not parsed as HTML.
      await expect(graph.locator('.asl-state[data-state="Broken"] .asl-edge').innerText()).resolves.toBe("Fails with Bad.Input: <b>not ok</b>");
      await expect(graph.locator("b").count()).resolves.toBe(0);

      await page.locator("#resource-detail tr.row", { hasText: "run-1" }).click();
      const failed = page.locator('#resource-detail .asl-state.failed[data-state="Broken"]');
      await failed.waitFor({ timeout: 10_000 });
      await expect(page.locator("#resource-detail .asl-state.failed").count()).resolves.toBe(1);
      for (const name of ["Route", "Fan", "Inner"]) await expect(page.locator(`#resource-detail .asl-state.visited[data-state="${name}"]`).count()).resolves.toBe(1);
      await expect(page.locator('#resource-detail .asl-state.visited[data-state="Done"]').count()).resolves.toBe(0);
      const history = await page.locator("#resource-detail table.list").last().innerText();
      expect(history).toMatch(/ExecutionStarted/);
      expect(history).toMatch(/ChoiceStateEntered\s+\S+\s+Route/);
      expect(history).toMatch(/FailStateEntered\s+\S+\s+Broken/);
      expect(history).toMatch(/ExecutionFailed\s+\S+\s+Bad\.Input: <b>not ok<\/b>/);
      await expect(page.locator("#resource-detail").innerText()).resolves.toMatch(/status\s+FAILED/);
      await screenshot("state-machine");
      // Reopened from the address bar, the execution (no list of its own) shows again beside its kind's list.
      await page.reload();
      await page.locator('#resource-detail .asl-state.failed[data-state="Broken"]').waitFor({ timeout: 10_000 });
      await expect(page.locator("#resource-list .error").count()).resolves.toBe(0);
    } finally {
      sfn.destroy();
      iam.destroy();
    }
  });

  it("shows an alarm's state with its reason, what it watches, its actions and its history", async () => {
    const cw = new CloudWatchClient(cloud.clientConfig);
    const sns = new SNSClient(cloud.clientConfig);
    try {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "console-alarms" }));
      // Missing data ignored: nothing but SetAlarmState moves this alarm while the test looks.
      await cw.send(new PutMetricAlarmCommand({ AlarmName: "console-errors", Namespace: "Labs/Console", MetricName: "Errors", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 3, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "ignore", AlarmActions: [TopicArn!] }));
      await cw.send(new SetAlarmStateCommand({ AlarmName: "console-errors", StateValue: "ALARM", StateReason: "set by the console test" }));
      await page.click('a.tab[data-view="resources"]');
      await page.click('a.kind[data-kind="alarms"]');
      await expect(page.locator('#resource-list tr.row[data-id="console-errors"]').innerText()).resolves.toMatch(/console-errors\s+ALARM\s+Labs\/Console Errors/);
      await expect(page.locator("#resource-list").innerText()).resolves.not.toContain("null");
      await page.click('#resource-list tr.row[data-id="console-errors"]');
      const detail = page.locator("#resource-detail");
      await detail.locator("h3", { hasText: "alarm console-errors" }).waitFor({ timeout: 10_000 });
      const text = await detail.innerText();
      expect(text).toMatch(/state\s+ALARM\s+reason\s+set by the console test/);
      expect(text).toMatch(/metric\s+Errors/);
      expect(text).toMatch(/statistic\s+Sum\s+period \(s\)\s+60/);
      expect(text).toMatch(/threshold\s+3/);
      expect(text).toContain(`ALARM\t${TopicArn}`);
      expect(text).toMatch(/StateUpdate\s+Alarm updated from INSUFFICIENT_DATA to ALARM/);
      expect(text).toMatch(/ConfigurationUpdate\s+Alarm "console-errors" created/);
      await screenshot("alarm");
    } finally {
      cw.destroy();
      sns.destroy();
      await page.click('a.tab[data-view="trace"]');
    }
  });

  it("cannot be read or driven by a page of another origin, nor through a rebound host name", async () => {
    const attacker = http.createServer((_req, res) => res.end("<!doctype html><title>elsewhere</title>"));
    await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`; // same site, other port
    const other = await browser.newPage();
    try {
      await other.goto(origin);
      const results = await other.evaluate(
        async ({ api, token }) => {
          const attempt = async (init?: RequestInit) => {
            try {
              const res = await fetch(api, init);
              return `${res.type} ${res.status} ${(await res.text()).length}`;
            } catch (err) {
              return `blocked: ${(err as Error).name}`;
            }
          };
          return {
            plain: await attempt(),
            withToken: await attempt({ headers: { "x-localcloud-token": token } }),
            noCors: await attempt({ mode: "no-cors", credentials: "include" }),
          };
        },
        { api: `${cloud.endpoint}/_localcloud/console/api/traces`, token: cloud.adminToken },
      );
      // Even knowing the token, the page cannot send it (the preflight is never answered) nor read any answer.
      expect(results).toEqual({ plain: "blocked: TypeError", withToken: "blocked: TypeError", noCors: "opaque 0 0" });
      expect(cloud.logs.some((l) => l.includes("console: refused") && l.includes("Sec-Fetch-Site same-site"))).toBe(true);

      // Framed by the other origin: the browser refuses to render it (frame-ancestors 'none', X-Frame-Options DENY).
      await other.setContent(`<iframe src="${consoleUrl()}"></iframe>`);
      const frame = await (await other.waitForSelector("iframe")).contentFrame();
      await frame!.waitForLoadState("load");
      expect(frame!.url()).toMatch(/^chrome-error:/);

      // DNS rebinding: rebind.test resolves to 127.0.0.1, but the Host header names it and is refused.
      const rebound = await other.goto(`http://rebind.test:${cloud.port}/_localcloud/console/#token=${cloud.adminToken}`);
      expect(rebound?.status()).toBe(403);
    } finally {
      await other.close();
      attacker.close();
    }
  });
});
