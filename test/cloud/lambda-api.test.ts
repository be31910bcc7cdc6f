// The Lambda API through the real @aws-sdk/client-lambda: create from a zip
// built in the test → Pending → waiter → Active, invoke sync / async / dry
// run with results, X-Amz-Log-Result and CloudWatch Logs, function errors and
// timeouts, code and configuration updates, and AWS's error codes and messages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand, DescribeLogStreamsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { AttachRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { BASIC_EXECUTION_POLICY, createExecutionRole, createFunction, ROLE_ARN, zipOf } from "../helpers/lambda.js";

let cloud: TestCloud;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
let iam: IAMClient;
const decoder = new TextDecoder();

beforeAll(async () => {
  cloud = await startTestCloud();
  lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(cloud.clientConfig);
  iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  await createFunction(
    lambda,
    "echo",
    `let calls = 0;
export const handler = async (event, context) => {
  calls++;
  console.log("got", JSON.stringify(event));
  if (event.fail) throw new TypeError("asked to fail: " + event.fail);
  if (event.sleep) await new Promise((r) => setTimeout(r, event.sleep));
  return { echo: event, calls, requestId: context.awsRequestId, greeting: process.env.GREETING ?? null };
};`,
    { Timeout: 1, Environment: { Variables: { GREETING: "hello" } } },
  );
});
afterAll(async () => {
  await cloud?.close();
});

async function invoke(name: string, payload: unknown, extra: Record<string, unknown> = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload), ...extra }));
  return { ...out, json: out.Payload && out.Payload.length ? JSON.parse(decoder.decode(out.Payload)) : undefined };
}

describe("create → waiter → Active", () => {
  it("answers Pending with AWS's reason, then the waiter sees Active / Successful", async () => {
    const created = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: "pending-check",
        Runtime: "nodejs22.x",
        Handler: "index.handler",
        Role: ROLE_ARN,
        Code: { ZipFile: zipOf({ "index.mjs": "export const handler = async () => 1;" }) },
      }),
    );
    expect(created.State).toBe("Pending");
    expect(created.StateReason).toBe("The function is being created.");
    expect(created.StateReasonCode).toBe("Creating");
    expect(created.LastUpdateStatus).toBeUndefined();
    expect(created.FunctionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:pending-check");
    expect(created.Timeout).toBe(3);
    expect(created.MemorySize).toBe(128);
    expect(created.CodeSha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(created.LoggingConfig).toEqual({ LogFormat: "Text", LogGroup: "/aws/lambda/pending-check" });
    // Invoking a Pending function is AWS's 409. Pending lasts ~50 ms at the test time scale, so on a
    // loaded machine the invoke can come too late: try again on a fresh function (up to 5 times)
    // until one invoke meets the Pending state — the 409 must be seen, and be AWS's.
    let conflict: unknown;
    for (let i = 0; i < 5 && !conflict; i++) {
      const name = i === 0 ? "pending-check" : `pending-check-${i}`;
      if (i > 0) await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: ROLE_ARN, Handler: "index.handler", Code: { ZipFile: zipOf({ "index.mjs": "export const handler = async () => 1;" }) } }));
      conflict = await lambda.send(new InvokeCommand({ FunctionName: name })).then(() => undefined, (err: unknown) => err);
      if (i > 0) await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    }
    expect(conflict).toMatchObject({
      name: "ResourceConflictException",
      message: "The operation cannot be performed at this time. The function is currently in the following state: Pending",
    });
    const got = await eventually(async () => {
      const fn = await lambda.send(new GetFunctionCommand({ FunctionName: "pending-check" }));
      return fn.Configuration?.State === "Active" ? fn : undefined;
    });
    expect(got.Configuration?.LastUpdateStatus).toBe("Successful");
    expect(got.Code?.RepositoryType).toBe("S3");
  });

  it("serves the package at GetFunction's Code.Location with a plain GET, and refuses an altered URL", async () => {
    const { unzipSync, strFromU8 } = await import("fflate");
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "pending-check" }));
    const res = await fetch(got.Code!.Location!);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(strFromU8(files["index.mjs"]!)).toBe("export const handler = async () => 1;");
    const altered = await fetch(got.Code!.Location!.replace(/signature=[0-9a-f]/, "signature=z"));
    expect(altered.status).toBe(403);
  });

  it("lists functions and finds them by name, ARN and partial ARN", async () => {
    const list = await lambda.send(new ListFunctionsCommand({}));
    expect(list.Functions?.map((f) => f.FunctionName)).toEqual(expect.arrayContaining(["echo", "pending-check"]));
    const byArn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo" }));
    const byPartial = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "000000000000:function:echo" }));
    expect(byArn.FunctionName).toBe("echo");
    expect(byPartial.Environment?.Variables).toEqual({ GREETING: "hello" });
  });
});

describe("invoke", () => {
  it("runs synchronously and returns the handler's result with X-Amz-Executed-Version", async () => {
    const out = await invoke("echo", { n: 1 });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(out.json).toMatchObject({ echo: { n: 1 }, greeting: "hello" });
    expect(out.json.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps module state warm between invocations of one environment", async () => {
    const a = await invoke("echo", {});
    const b = await invoke("echo", {});
    expect(b.json.calls).toBe(a.json.calls + 1);
  });

  it("returns the tail of the log (START, the console line, END, REPORT) with LogType Tail", async () => {
    const out = await invoke("echo", { tail: "yes" }, { LogType: "Tail" });
    const log = Buffer.from(out.LogResult!, "base64").toString("utf8");
    const id = out.json.requestId;
    expect(log).toContain(`START RequestId: ${id} Version: $LATEST`);
    expect(log).toMatch(new RegExp(`\\t${id}\\tINFO\\tgot \\{"tail":"yes"\\}`));
    expect(log).toContain(`END RequestId: ${id}`);
    expect(log).toMatch(new RegExp(`REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`));
  });

  it("answers 202 for Event and runs the function soon after (its output reaches CloudWatch Logs)", async () => {
    const marker = `async-${Date.now()}`;
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: JSON.stringify({ marker }) }));
    expect(out.StatusCode).toBe(202);
    const found = await eventually(async () => {
      const res = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/echo", filterPattern: `"${marker}"` }));
      return res.events?.length ? res.events : undefined;
    });
    expect(found[0]!.message).toContain(marker);
    expect(found[0]!.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it("answers 204 for DryRun without running anything", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
    expect(out.StatusCode).toBe(204);
  });

  it("reports a thrown error as X-Amz-Function-Error Unhandled with the Node error payload", async () => {
    const out = await invoke("echo", { fail: "please" });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    expect(out.json.errorType).toBe("TypeError");
    expect(out.json.errorMessage).toBe("asked to fail: please");
    expect(out.json.trace[0]).toBe("TypeError: asked to fail: please");
  });

  it("reports a timeout as Sandbox.Timedout, and the next invocation still works", async () => {
    const out = await invoke("echo", { sleep: 3000 });
    expect(out.FunctionError).toBe("Unhandled");
    expect(out.json.errorType).toBe("Sandbox.Timedout");
    expect(out.json.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/);
    const next = await invoke("echo", { after: "timeout" });
    expect(next.FunctionError).toBeUndefined();
    expect(next.json.echo).toEqual({ after: "timeout" });
  });

  it("reports process.exit and a crash outside the handler in AWS's error shape, and replaces the environment", async () => {
    await createFunction(
      lambda,
      "crasher",
      `export const handler = async (event) => {
  if (event.exit) process.exit(3);
  if (event.crash) { setTimeout(() => { throw new Error("crashed later"); }, 0); await new Promise((r) => setTimeout(r, 500)); }
  return "fine";
};`,
    );
    const exited = await invoke("crasher", { exit: true });
    expect(exited.FunctionError).toBe("Unhandled");
    expect(exited.json.errorType).toBe("Runtime.ExitError");
    expect(exited.json.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3$/);
    expect((await invoke("crasher", {})).json).toBe("fine");
    const crashed = await invoke("crasher", { crash: true });
    expect(crashed.FunctionError).toBe("Unhandled");
    expect(crashed.json.errorMessage).toContain("crashed later");
    expect((await invoke("crasher", {})).json).toBe("fine");
  });

  it("refuses a payload that is not JSON, and one over the async limit", async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: new TextEncoder().encode("{not json") }))).rejects.toMatchObject({
      name: "InvalidRequestContentException",
    });
    const big = JSON.stringify({ data: "x".repeat(300_000) });
    await expect(lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: big }))).rejects.toMatchObject({
      name: "RequestTooLargeException",
      $metadata: { httpStatusCode: 413 },
    });
  });

  it("says Function not found with the full ARN for a missing function", async () => {
    await expect(invoke("nope", {})).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope",
      $metadata: { httpStatusCode: 404 },
    });
  });
});

describe("execution role", () => {
  it("runs the function's SDK calls as a session of its role (session name = function name)", async () => {
    await createFunction(
      lambda,
      "whoami",
      `import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
export const handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;`,
      { Timeout: 10 },
    );
    const out = await invoke("whoami", {});
    expect(out.FunctionError, JSON.stringify(out.json)).toBeUndefined();
    expect(out.json).toBe("arn:aws:sts::000000000000:assumed-role/lambda-test-role/whoami");
  });
});

describe("large packages", () => {
  it("accepts a 20 MB zip of incompressible bytes and runs it", async () => {
    const { zipSync, strToU8 } = await import("fflate");
    const { randomBytes } = await import("node:crypto");
    const zip = zipSync({
      "index.mjs": strToU8("import { statSync } from 'node:fs'; export const handler = async () => statSync(new URL('./blob.bin', import.meta.url)).size;"),
      "blob.bin": [randomBytes(20 * 1024 * 1024), { level: 0 }],
    });
    await lambda.send(new CreateFunctionCommand({ FunctionName: "big", Runtime: "nodejs20.x", Handler: "index.handler", Role: ROLE_ARN, Code: { ZipFile: zip } }));
    await eventually(async () => ((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "big" }))).State === "Active" ? true : undefined));
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "big" }));
    expect(config.CodeSize).toBe(zip.length);
    expect((await invoke("big", {})).json).toBe(20 * 1024 * 1024);
  });
});

describe("updates", () => {
  it("UpdateFunctionCode → InProgress → waiter → the new code runs; a second update meanwhile conflicts", async () => {
    await createFunction(lambda, "versioned", "export const handler = async () => 'v1';");
    expect((await invoke("versioned", {})).json).toBe("v1");
    const updated = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "versioned", ZipFile: zipOf({ "index.mjs": "export const handler = async () => 'v2';" }) }),
    );
    expect(updated.LastUpdateStatus).toBe("InProgress");
    // A second update while the first is InProgress is AWS's 409. InProgress lasts ~50 ms at the test time
    // scale: if the second update comes too late (a loaded machine), update the code again and retry.
    let conflict = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", Timeout: 10 })).then(() => undefined, (err: unknown) => err);
    for (let i = 0; i < 4 && !conflict; i++) {
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: "versioned" });
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "versioned", ZipFile: zipOf({ "index.mjs": "export const handler = async () => 'v2';" }) }));
      conflict = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "versioned", Timeout: 10 })).then(() => undefined, (err: unknown) => err);
    }
    expect(conflict).toMatchObject({
      name: "ResourceConflictException",
      message: "The operation cannot be performed at this time. An update is in progress for resource: arn:aws:lambda:us-east-1:000000000000:function:versioned",
    });
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: "versioned" });
    expect((await invoke("versioned", {})).json).toBe("v2");
    expect(updated.CodeSha256).not.toBe((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "echo" }))).CodeSha256);
  });

  it("UpdateFunctionConfiguration changes environment, timeout and handler for the next invocation", async () => {
    await createFunction(lambda, "configured", "export const handler = async () => process.env.MODE ?? 'unset';\nexport const other = async () => 'other:' + process.env.MODE;");
    expect((await invoke("configured", {})).json).toBe("unset");
    const out = await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "configured", Environment: { Variables: { MODE: "on" } }, Timeout: 7, MemorySize: 256 }),
    );
    expect(out).toMatchObject({ Timeout: 7, MemorySize: 256, LastUpdateStatus: "InProgress" });
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: "configured" });
    expect((await invoke("configured", {})).json).toBe("on");
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "configured", Handler: "index.other" }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: "configured" });
    expect((await invoke("configured", {})).json).toBe("other:on");
  });

  it("refuses a stale RevisionId with PreconditionFailedException", async () => {
    await expect(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "echo", Description: "x", RevisionId: "00000000-0000-0000-0000-000000000000" })),
    ).rejects.toMatchObject({ name: "PreconditionFailedException", $metadata: { httpStatusCode: 412 } });
  });

  it("DeleteFunction removes it (204), then it is not found", async () => {
    await createFunction(lambda, "short-lived", "export const handler = async () => 1;");
    const out = await lambda.send(new DeleteFunctionCommand({ FunctionName: "short-lived" }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    await expect(lambda.send(new GetFunctionCommand({ FunctionName: "short-lived" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("CreateFunction validation", () => {
  const base = () => ({
    FunctionName: "invalid",
    Runtime: "nodejs20.x" as const,
    Handler: "index.handler",
    Role: ROLE_ARN,
    Code: { ZipFile: zipOf({ "index.mjs": "export const handler = async () => 1;" }) },
  });

  it("refuses a duplicate name with ResourceConflictException", async () => {
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), FunctionName: "echo" }))).rejects.toMatchObject({
      name: "ResourceConflictException",
      message: "Function already exist: echo",
      $metadata: { httpStatusCode: 409 },
    });
  });

  it("refuses runtimes it cannot run, deprecated Node runtimes and unknown ones", async () => {
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Runtime: "python3.12" }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringContaining("python3.12"),
    });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Runtime: "nodejs16.x" }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringContaining("The runtime parameter of nodejs16.x is no longer supported"),
    });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Runtime: "cobol" as never }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("refuses a role that does not exist or does not trust Lambda, as AWS words it", async () => {
    const message = "The role defined for the function cannot be assumed by Lambda.";
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Role: "arn:aws:iam::000000000000:role/missing" }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message,
      $metadata: { httpStatusCode: 400 },
    });
    const ec2Role = await createExecutionRole(iam, "ec2-only", "ec2.amazonaws.com");
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Role: ec2Role }))).rejects.toMatchObject({ name: "InvalidParameterValueException", message });
  });

  it("refuses out-of-range timeout and memory, a malformed role ARN, reserved variables and a broken zip", async () => {
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Timeout: 901 }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900",
    });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), MemorySize: 64 }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Role: "lambda-role" }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Environment: { Variables: { AWS_REGION: "x" } } }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: expect.stringContaining("Reserved keys used in this request: AWS_REGION"),
    });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Code: { ZipFile: new TextEncoder().encode("not a zip") } }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
      message: "Could not unzip uploaded file. Please check your file, then try to upload again.",
    });
    await expect(lambda.send(new CreateFunctionCommand({ ...base(), Code: { ZipFile: zipOf({ "../escape.mjs": "x" }) } }))).rejects.toMatchObject({
      name: "InvalidParameterValueException",
    });
  });
});

describe("logs of a function", () => {
  it("are not written when the role may not write them (as on AWS), and are once AWSLambdaBasicExecutionRole is attached", async () => {
    const role = await createExecutionRole(iam, "no-logs-role", "lambda.amazonaws.com", { logs: false });
    await createFunction(lambda, "silent", "export const handler = async () => { console.log('SILENT-MARK'); return 1; };", { Role: role });
    const tail = await invoke("silent", {}, { LogType: "Tail" });
    expect(Buffer.from(tail.LogResult!, "base64").toString()).toContain("SILENT-MARK"); // the tail does not need the role
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/silent" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    expect(cloud.logs.some((l) => l.includes("the logs of silent are not written") && l.includes("AWSLambdaBasicExecutionRole"))).toBe(true);
    await iam.send(new AttachRolePolicyCommand({ RoleName: "no-logs-role", PolicyArn: BASIC_EXECUTION_POLICY }));
    await new Promise((r) => setTimeout(r, 1100)); // the decision is cached for a second
    await invoke("silent", {});
    const found = await eventually(async () => {
      const res = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/silent", filterPattern: "SILENT-MARK" }));
      return res.events?.length ? res.events : undefined;
    });
    expect(found).toHaveLength(1);
  });

  it("has one log group and a stream per execution environment", async () => {
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/echo" }));
    expect(streams.logStreams!.length).toBeGreaterThanOrEqual(1);
    for (const s of streams.logStreams!) expect(s.logStreamName).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});

describe("persistence", () => {
  it("keeps functions across a restart and runs them again (code unpacked anew if needed)", async () => {
    cloud = await cloud.restart();
    lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "versioned" }));
    expect(fn.State).toBe("Active");
    expect((await invoke("versioned", {})).json).toBe("v2");
    expect((await invoke("echo", { after: "restart" })).json.echo).toEqual({ after: "restart" });
  });
});
