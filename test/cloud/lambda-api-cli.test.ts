// The seed material's CLI steps against the local cloud with the real AWS CLI:
// create the role, `aws lambda create-function --zip-file fileb://…`, wait,
// `aws lambda invoke` with a JSON payload and --log-type Tail, add-permission,
// and reading the function's log with `aws logs get-log-events`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { trustPolicy, zipOf } from "../helpers/lambda.js";

let cloud: TestCloud;
let dir: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-cli-"));
  fs.writeFileSync(
    path.join(dir, "function.zip"),
    zipOf({ "index.mjs": `export const handler = async (event) => { console.log("hello from the CLI test"); return { received: event }; };` }),
  );
  fs.writeFileSync(path.join(dir, "trust.json"), trustPolicy());
});
afterAll(async () => {
  await cloud?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const out = await awsCliAsync(cloud, args);
  expect(out.status, out.stderr).toBe(0);
  return out.stdout.trim() ? JSON.parse(out.stdout) : undefined;
}

describe.skipIf(!hasAwsCli)("aws lambda (CLI)", () => {
  it("creates a function from fileb://function.zip, waits for it, and invokes it", async () => {
    const role = await cli(["iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", `file://${path.join(dir, "trust.json")}`]);
    await cli(["iam", "attach-role-policy", "--role-name", "cli-role", "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]);
    const created = await cli([
      "lambda", "create-function", "--function-name", "cli-fn", "--runtime", "nodejs20.x", "--handler", "index.handler",
      "--role", role.Role.Arn, "--zip-file", `fileb://${path.join(dir, "function.zip")}`,
    ]);
    expect(created).toMatchObject({ FunctionName: "cli-fn", State: "Pending", Runtime: "nodejs20.x" });
    await cli(["lambda", "wait", "function-active-v2", "--function-name", "cli-fn"]);

    const outfile = path.join(dir, "response.json");
    const payloadFile = path.join(dir, "payload.json");
    fs.writeFileSync(payloadFile, JSON.stringify({ key: "uploads/a.jpg" }));
    const invoked = await cli([
      // fileb:// sends the bytes as they are in both CLI v1 and v2 (v2 would read a literal --payload as base64).
      "lambda", "invoke", "--function-name", "cli-fn", "--payload", `fileb://${payloadFile}`, "--log-type", "Tail", outfile,
    ]);
    expect(invoked).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST" });
    expect(Buffer.from(invoked.LogResult, "base64").toString()).toContain("hello from the CLI test");
    expect(JSON.parse(fs.readFileSync(outfile, "utf8"))).toEqual({ received: { key: "uploads/a.jpg" } });
  });

  it("adds the S3 permission and reads the log back", async () => {
    const added = await cli([
      "lambda", "add-permission", "--function-name", "cli-fn", "--statement-id", "s3invoke", "--action", "lambda:InvokeFunction",
      "--principal", "s3.amazonaws.com", "--source-arn", "arn:aws:s3:::photos", "--source-account", "000000000000",
    ]);
    expect(JSON.parse(added.Statement)).toMatchObject({ Sid: "s3invoke", Principal: { Service: "s3.amazonaws.com" } });
    const streams = await cli(["logs", "describe-log-streams", "--log-group-name", "/aws/lambda/cli-fn"]);
    const stream = streams.logStreams[0].logStreamName;
    const events = await cli(["logs", "get-log-events", "--log-group-name", "/aws/lambda/cli-fn", "--log-stream-name", stream, "--start-from-head"]);
    const messages = events.events.map((e: { message: string }) => e.message);
    expect(messages[0]).toMatch(/^START RequestId: /);
    expect(messages.some((m: string) => m.includes("hello from the CLI test"))).toBe(true);
  });

  it("reports a missing function with the CLI's error text", async () => {
    const out = await awsCliAsync(cloud, ["lambda", "get-function", "--function-name", "ghost"]);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain("ResourceNotFoundException");
    expect(out.stderr).toContain("Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost");
  });
});
