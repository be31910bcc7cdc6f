// The Lambda Node runtime (src/cloud/services/lambda/runtime), driven directly
// through createRuntimePool with real function code written to temp dirs:
// handler resolution (ESM, CJS, package "type", nested paths), async and
// callback handlers, warm reuse, environment variables, the context object,
// console capture and START/END/REPORT lines, result serialisation, init
// errors, and the AWS SDK resolvable from function code — reaching a real
// local cloud (DynamoDB) — while other packages must come with the code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  createRuntimePool,
  type FunctionSpec,
  type InvokeResult,
  type LogEvent,
  type RuntimePool,
  sandboxStatus,
} from "../../src/cloud/services/lambda/runtime/index.js";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";

const dirs: string[] = [];
function writeCode(files: Record<string, string>, parent = os.tmpdir()): string {
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, "lambda-runtime-test-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

let endpoint = "http://127.0.0.1:1";
function specFor(name: string, codeDir: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    handler: "index.handler",
    runtime: "nodejs20.x",
    timeoutSeconds: 5,
    memoryMb: 256,
    environment: {},
    codeDir,
    revisionId: "r1",
    region: "us-east-1",
    account: "000000000000",
    endpoint,
    logGroupName: `/aws/lambda/${name}`,
    credentials: () => ({ accessKeyId: "test", secretAccessKey: "test", sessionToken: "session-token" }),
    ...extra,
  };
}

const delivered: Array<{ fn: string; stream: string; events: LogEvent[] }> = [];
let pool: RuntimePool;
let cloud: TestCloud;
/** Sandboxed (bwrap): the code is at /var/task and /tmp is the environment's own, as on AWS. */
let sandboxed = false;

beforeAll(async () => {
  cloud = await startTestCloud();
  endpoint = cloud.endpoint;
  sandboxed = (await sandboxStatus()).mode === "bwrap";
  pool = createRuntimePool({
    maxEnvironments: 8,
    idleMs: 60_000,
    onLogs: (spec, stream, events) => delivered.push({ fn: spec.functionName, stream, events }),
  });
});
afterAll(async () => {
  await pool?.close();
  await cloud?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const invoke = (spec: FunctionSpec, event: unknown = {}, options: { traceHeader?: string; clientContext?: string } = {}) =>
  pool.invoke(spec, JSON.stringify(event), { requestId: randomUUID(), ...options });
const json = (r: InvokeResult) => JSON.parse(r.payload);
const messages = (r: InvokeResult) => r.logs.map((e) => e.message);

describe("handlers", () => {
  it("runs an async ESM handler from index.mjs", async () => {
    const dir = writeCode({ "index.mjs": "export const handler = async (event) => ({ got: event, kind: 'esm' });" });
    const r = await invoke(specFor("esm-fn", dir), { a: 1 });
    expect(r.functionError).toBeUndefined();
    expect(json(r)).toEqual({ got: { a: 1 }, kind: "esm" });
  });

  it("runs a CommonJS callback handler from index.js", async () => {
    const dir = writeCode({
      "index.js": "exports.handler = function (event, context, callback) { callback(null, { sum: event.a + event.b, kind: typeof require }); };",
    });
    const r = await invoke(specFor("cjs-fn", dir), { a: 2, b: 3 });
    expect(json(r)).toEqual({ sum: 5, kind: "function" });
  });

  it("loads index.js as ESM when package.json says type: module, and nested handler paths from .cjs", async () => {
    const esm = writeCode({
      "package.json": JSON.stringify({ type: "module" }),
      "index.js": "export const handler = async () => import.meta.url.endsWith('/index.js');",
    });
    expect(json(await invoke(specFor("typemodule-fn", esm)))).toBe(true);

    const nested = writeCode({ "src/app.cjs": "module.exports = { api: { handler: async () => 'nested' } };" });
    expect(json(await invoke(specFor("nested-fn", nested, { handler: "src/app.api.handler" })))).toBe("nested");
  });

  it("reuses a warm environment: module state survives and only the first REPORT has Init Duration", async () => {
    const dir = writeCode({ "index.mjs": "let count = 0; export const handler = async () => ++count;" });
    const spec = specFor("warm-fn", dir);
    const first = await invoke(spec);
    const second = await invoke(spec);
    const third = await invoke(spec);
    expect([json(first), json(second), json(third)]).toEqual([1, 2, 3]);
    expect(first.initDurationMs).toBeGreaterThan(0);
    expect(second.initDurationMs).toBeUndefined();
    expect(second.logStreamName).toBe(first.logStreamName);
    expect(first.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const report = (r: InvokeResult) => messages(r).find((m) => m.startsWith("REPORT"))!;
    expect(report(first)).toMatch(
      new RegExp(
        `^REPORT RequestId: ${first.requestId}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d{2} ms\\t\\n$`,
      ),
    );
    expect(report(second)).not.toContain("Init Duration");
    expect(second.billedDurationMs).toBe(Math.max(1, Math.ceil(second.durationMs)));
    expect(second.maxMemoryUsedMb).toBeGreaterThan(10);
  });

  it("after a burst, the environment an invocation last finished in serves the next one", async () => {
    // Each environment counts its own invocations; the slow one, started second, finishes last.
    const dir = writeCode({ "index.mjs": "let count = 0; export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms)); return ++count; };" });
    const spec = specFor("mru-fn", dir);
    const [fast, slow] = await Promise.all([invoke(spec, { ms: 0 }), invoke(spec, { ms: 400 })]);
    expect(slow.logStreamName).not.toBe(fast.logStreamName);
    const next = await invoke(spec, { ms: 0 });
    expect(next.logStreamName).toBe(slow.logStreamName);
    expect(json(next)).toBe(2);
  });

  it("serialises results as the Node runtime does", async () => {
    const dir = writeCode({
      "index.mjs": `export const handler = async (event) => {
        if (event.kind === 'undefined') return undefined;
        if (event.kind === 'string') return 'hi';
        if (event.kind === 'date') return new Date(0);
        if (event.kind === 'circular') { const a = {}; a.self = a; return a; }
        if (event.kind === 'bigint') return { n: 1n };
      };`,
    });
    const spec = specFor("serialise-fn", dir);
    expect((await invoke(spec, { kind: "undefined" })).payload).toBe("null");
    expect((await invoke(spec, { kind: "string" })).payload).toBe('"hi"');
    expect((await invoke(spec, { kind: "date" })).payload).toBe('"1970-01-01T00:00:00.000Z"');
    for (const kind of ["circular", "bigint"]) {
      const r = await invoke(spec, { kind });
      expect(r.functionError).toBe("Unhandled");
      expect(json(r)).toMatchObject({ errorType: "Error", errorMessage: "Unable to stringify response body" });
    }
  });

  it("waits for an empty event loop after callback() unless callbackWaitsForEmptyEventLoop is false", async () => {
    const dir = writeCode({
      "index.js": `exports.handler = (event, context, callback) => {
        if (event.dontWait) {
          context.callbackWaitsForEmptyEventLoop = false;
          setTimeout(() => console.log('late'), 60000);
          return callback(null, 'fast');
        }
        setTimeout(() => console.log('timer fired'), 100);
        callback(null, 'after-timer');
      };`,
    });
    const spec = specFor("callback-wait-fn", dir);
    const waited = await invoke(spec);
    expect(json(waited)).toBe("after-timer");
    const lines = messages(waited);
    const timerLine = lines.findIndex((m) => m.endsWith("\tINFO\ttimer fired\n"));
    expect(timerLine).toBeGreaterThan(-1);
    expect(timerLine).toBeLessThan(lines.findIndex((m) => m.startsWith("END")));
    const fast = await invoke(spec, { dontWait: true });
    expect(json(fast)).toBe("fast");
    expect(fast.durationMs).toBeLessThan(30_000);
  });

  it("answers null when a sync handler never calls back and the loop drains", async () => {
    const dir = writeCode({ "index.js": "exports.handler = (event, context, callback) => { /* forgot the callback */ };" });
    const r = await invoke(specFor("no-callback-fn", dir));
    expect(r.functionError).toBeUndefined();
    expect(r.payload).toBe("null");
  });
});

describe("environment and context", () => {
  it("sets AWS's variables, the function's own (without overriding reserved ones), credentials and the endpoint", async () => {
    const dir = writeCode({
      "index.mjs": `import * as os from 'node:os';
        export const handler = async () => ({ env: { ...process.env }, tmp: os.tmpdir(), cwd: process.cwd() });`,
    });
    process.env.LOCALCLOUD_TEST_CANARY = "the cloud's own environment"; // must not reach the function
    const spec = specFor("env-fn", dir, {
      memoryMb: 192,
      environment: { STAGE: "lab", AWS_REGION: "eu-west-3", AWS_LAMBDA_FUNCTION_NAME: "spoofed", TZ: ":UTC" },
    });
    const r = await invoke(spec, {}, { traceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1" });
    const { env, tmp, cwd } = json(r);
    expect(env).toMatchObject({
      STAGE: "lab",
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_LAMBDA_FUNCTION_NAME: "env-fn",
      AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "192",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/env-fn",
      AWS_LAMBDA_LOG_STREAM_NAME: r.logStreamName,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      AWS_EXECUTION_ENV: "AWS_Lambda_nodejs20.x",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SESSION_TOKEN: "session-token",
      AWS_ENDPOINT_URL: cloud.endpoint,
      LAMBDA_TASK_ROOT: sandboxed ? "/var/task" : dir,
      _HANDLER: "index.handler",
      TZ: ":UTC",
      LANG: "en_US.UTF-8",
      AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
      _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    });
    expect(env.NODE_PATH).toContain(sandboxed ? "/var/task" : dir);
    expect(env.LAMBDA_RUNTIME_DIR).toBeTruthy();
    expect(env.LOCALCLOUD_SDK_PARENT_URL).toBeUndefined();
    expect(env.NODE_OPTIONS).toBeUndefined(); // the cloud's own (tsx, vitest) never leaks in
    if (sandboxed) {
      expect(tmp).toBe("/tmp"); // its own tmpfs (lambda-sandbox.test.ts)
      expect(env.TMPDIR).toBeUndefined();
    } else {
      expect(tmp).toBe(env.TMPDIR);
      expect(tmp).not.toBe(os.tmpdir());
    }
    expect(cwd).toBe(sandboxed ? "/var/task" : dir);
    expect(env.HOME).toBeUndefined(); // nothing of the cloud's own environment
    expect(env.LOCALCLOUD_TEST_CANARY).toBeUndefined();

    delete process.env.LOCALCLOUD_TEST_CANARY;
    // The trace header is per invocation.
    const next = json(await invoke(spec));
    expect(next.env._X_AMZN_TRACE_ID).toBeUndefined();
  });

  it("gives the handler AWS's context object", async () => {
    const dir = writeCode({
      "index.mjs": `export const handler = async (event, context) => ({
        ...context,
        remaining: context.getRemainingTimeInMillis(),
        hasIdentity: 'identity' in context,
      });`,
    });
    const spec = specFor("context-fn", dir, { timeoutSeconds: 7 });
    const clientContext = Buffer.from(JSON.stringify({ custom: { lab: "01" }, env: { platform: "test" } })).toString("base64");
    const requestId = randomUUID();
    const r = await pool.invoke(spec, "{}", { requestId, clientContext });
    const ctx = json(r);
    expect(ctx).toMatchObject({
      awsRequestId: requestId,
      functionName: "context-fn",
      functionVersion: "$LATEST",
      invokedFunctionArn: spec.functionArn,
      memoryLimitInMB: "256",
      logGroupName: "/aws/lambda/context-fn",
      logStreamName: r.logStreamName,
      callbackWaitsForEmptyEventLoop: true,
      clientContext: { custom: { lab: "01" }, env: { platform: "test" } },
      hasIdentity: true,
    });
    expect(ctx.identity).toBeUndefined();
    expect(ctx.remaining).toBeGreaterThan(5000);
    expect(ctx.remaining).toBeLessThanOrEqual(7000);
  });
});

describe("logs", () => {
  it("captures console output per invocation in AWS's format, one event per call, and delivers it via onLogs", async () => {
    const dir = writeCode({
      "index.mjs": `console.log('cold init');
        export const handler = async (event) => {
          console.log('hello', { n: 1 });
          console.info('info');
          console.warn('careful');
          console.error('bad');
          console.debug('dbg');
          console.log('line one\\nline two');
          process.stdout.write('raw line\\n');
          return 'ok';
        };`,
    });
    const spec = specFor("console-fn", dir);
    const r = await invoke(spec);
    const id = r.requestId;
    const lines = messages(r);
    const ts = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
    expect(lines[0]).toMatch(new RegExp(`^${ts}\\tundefined\\tINFO\\tcold init\\n$`));
    expect(lines[1]).toBe(`START RequestId: ${id} Version: $LATEST\n`);
    const body = lines.slice(2, -2);
    const expected = [
      ["INFO", "hello { n: 1 }"],
      ["INFO", "info"],
      ["WARN", "careful"],
      ["ERROR", "bad"],
      ["DEBUG", "dbg"],
      ["INFO", "line one\nline two"],
    ];
    expected.forEach(([level, text], i) => expect(body[i]).toMatch(new RegExp(`^${ts}\\t${id}\\t${level}\\t${text}\\n$`)));
    expect(body[6]).toBe("raw line\n");
    expect(lines.at(-2)).toBe(`END RequestId: ${id}\n`);
    expect(lines.at(-1)).toMatch(/^REPORT RequestId: /);
    for (let i = 1; i < r.logs.length; i++) expect(r.logs[i]!.timestamp).toBeGreaterThanOrEqual(r.logs[i - 1]!.timestamp - 5);

    const sent = delivered.filter((d) => d.fn === "console-fn" && d.stream === r.logStreamName).flatMap((d) => d.events);
    expect(sent.map((e) => e.message)).toEqual(lines);
  });

  it("delivers output written after the handler returned through onLogs, once the next invocation thaws it", async () => {
    const dir = writeCode({
      // setImmediate: due at once, so it runs as soon as the environment is thawed (a later timer could be frozen again first).
      "index.mjs": "export const handler = async () => { setImmediate(() => console.log('written later')); return 'done'; };",
    });
    const spec = specFor("late-log-fn", dir);
    const r = await invoke(spec);
    expect(json(r)).toBe("done");
    // Frozen between invocations (freeze.ts), as on AWS: the timer fires only when the environment is reused.
    expect(delivered.some((d) => d.events.some((e) => e.message.includes("written later")))).toBe(false);
    await invoke(spec);
    const deadline = Date.now() + 5000;
    let found = false;
    while (!found && Date.now() < deadline) {
      found = delivered.some((d) => d.stream === r.logStreamName && d.events.some((e) => e.message.includes("written later")));
      if (!found) await new Promise((res) => setTimeout(res, 25));
    }
    expect(found).toBe(true);
  });
});

describe("errors from the handler and from loading it", () => {
  it("reports a thrown error in AWS's shape and logs Invoke Error; the environment stays warm", async () => {
    const dir = writeCode({
      "index.mjs": `let n = 0; export const handler = async (event) => {
        n++;
        if (event.fail === 'type') null.boom;
        if (event.fail === 'string') throw 'plain string';
        return n;
      };`,
    });
    const spec = specFor("throw-fn", dir);
    const r = await invoke(spec, { fail: "type" });
    expect(r.functionError).toBe("Unhandled");
    expect(r.errorType).toBe("TypeError");
    const payload = json(r);
    expect(Object.keys(payload)).toEqual(["errorType", "errorMessage", "trace"]);
    expect(payload.errorMessage).toMatch(/Cannot read properties of null/);
    expect(payload.trace[0]).toMatch(/^TypeError: Cannot read properties of null/);
    expect(messages(r).some((m) => /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":.*"stack":\[/.test(m))).toBe(true);

    expect(json(await invoke(spec, { fail: "string" }))).toEqual({ errorType: "string", errorMessage: "plain string", trace: [] });
    expect(json(await invoke(spec))).toBe(3); // same environment
  });

  it("reports callback(err) errors", async () => {
    const dir = writeCode({ "index.js": "exports.handler = (e, c, cb) => cb(new RangeError('out of range'));" });
    const r = await invoke(specFor("cb-error-fn", dir));
    expect(r.errorType).toBe("RangeError");
    expect(json(r)).toMatchObject({ errorType: "RangeError", errorMessage: "out of range" });
  });

  it("reports Runtime.HandlerNotFound, ImportModuleError, UserCodeSyntaxError and MalformedHandlerName", async () => {
    const notExported = writeCode({ "index.mjs": "export const other = 1;" });
    let r = await invoke(specFor("not-exported-fn", notExported));
    expect(json(r)).toMatchObject({ errorType: "Runtime.HandlerNotFound", errorMessage: "index.handler is undefined or not exported" });
    expect(r.functionError).toBe("Unhandled");
    expect(messages(r).some((m) => m.startsWith("INIT_REPORT Init Duration:") && m.includes("Error Type: Runtime.HandlerNotFound"))).toBe(true);
    expect(messages(r).some((m) => /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.HandlerNotFound"/.test(m))).toBe(true);

    const notAFunction = writeCode({ "index.mjs": "export const handler = 42;" });
    expect(json(await invoke(specFor("not-fn-fn", notAFunction)))).toMatchObject({
      errorType: "Runtime.HandlerNotFound",
      errorMessage: "index.handler is not a function",
    });

    const missing = writeCode({ "other.mjs": "export const handler = () => 1;" });
    r = await invoke(specFor("missing-fn", missing));
    expect(r.errorType).toBe("Runtime.ImportModuleError");
    expect(json(r).errorMessage).toMatch(/^Error: Cannot find module 'index'/);

    const badImport = writeCode({ "index.mjs": "import 'left-pad-not-installed'; export const handler = () => 1;" });
    expect(json(await invoke(specFor("bad-import-fn", badImport)))).toMatchObject({
      errorType: "Runtime.ImportModuleError",
      errorMessage: expect.stringMatching(/^Error: Cannot find package 'left-pad-not-installed' imported from /),
    });

    const syntax = writeCode({ "index.js": "exports.handler = async () => { return 1 " });
    r = await invoke(specFor("syntax-fn", syntax));
    expect(json(r)).toMatchObject({ errorType: "Runtime.UserCodeSyntaxError", errorMessage: expect.stringMatching(/^SyntaxError: /) });

    const esmSyntax = writeCode({ "index.mjs": "export const handler = async () => {{;" });
    expect((await invoke(specFor("esm-syntax-fn", esmSyntax))).errorType).toBe("Runtime.UserCodeSyntaxError");

    expect(json(await invoke(specFor("malformed-fn", missing, { handler: "index" })))).toMatchObject({
      errorType: "Runtime.MalformedHandlerName",
      errorMessage: "Bad handler",
    });

    const throwsAtInit = writeCode({ "index.mjs": "throw new Error('config missing'); export const handler = () => 1;" });
    expect(json(await invoke(specFor("init-throw-fn", throwsAtInit)))).toMatchObject({ errorType: "Error", errorMessage: "config missing" });

    // Fixing the code (new revision) works at once.
    fs.writeFileSync(path.join(missing, "index.mjs"), "export const handler = async () => 'fixed';");
    expect(json(await invoke(specFor("missing-fn", missing, { revisionId: "r2" })))).toBe("fixed");
  });
});

describe("the AWS SDK inside functions", () => {
  beforeAll(async () => {
    const ddb = new DynamoDBClient(cloud.clientConfig);
    await ddb.send(
      new CreateTableCommand({
        TableName: "runtime-sdk-check",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
  });

  it("is importable from ESM code without being shipped, and reaches the local cloud through AWS_ENDPOINT_URL", async () => {
    const dir = writeCode({
      "index.mjs": `import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
        const client = new DynamoDBClient({});
        export const handler = async () => (await client.send(new ListTablesCommand({}))).TableNames;`,
    });
    const r = await invoke(specFor("sdk-esm-fn", dir, { timeoutSeconds: 20 }));
    expect(r.functionError, r.payload).toBeUndefined();
    expect(json(r)).toContain("runtime-sdk-check");
    expect(messages(r).join("")).not.toContain("NodeVersionSupportWarning");
  });

  it("is require()-able from CommonJS code", async () => {
    const dir = writeCode({
      "index.js": `const { DynamoDBClient, DescribeTableCommand } = require('@aws-sdk/client-dynamodb');
        const { fromUtf8 } = require('@smithy/util-utf8');
        exports.handler = async () => {
          const out = await new DynamoDBClient({}).send(new DescribeTableCommand({ TableName: 'runtime-sdk-check' }));
          return { status: out.Table.TableStatus, bytes: fromUtf8('ab').length };
        };`,
    });
    const r = await invoke(specFor("sdk-cjs-fn", dir, { timeoutSeconds: 20 }));
    expect(r.functionError, r.payload).toBeUndefined();
    expect(json(r)).toEqual({ status: "ACTIVE", bytes: 2 });
  });

  it("does not let function code borrow other kit packages (sharp must come in the zip), from ESM or CJS", async () => {
    // Code unpacked under the kit's own tree, where plain Node resolution would find the kit's node_modules.
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const parent = path.join(repoRoot, "node_modules", ".cache", "lambda-runtime-test");
    const esm = writeCode({ "index.mjs": "import sharp from 'sharp'; export const handler = async () => typeof sharp;" }, parent);
    const r = await invoke(specFor("borrow-esm-fn", esm));
    expect(json(r)).toMatchObject({
      errorType: "Runtime.ImportModuleError",
      errorMessage: expect.stringMatching(/^Error: Cannot find package 'sharp' imported from /),
    });
    const cjs = writeCode({ "index.js": "const sharp = require('sharp'); exports.handler = async () => typeof sharp;" }, parent);
    const c = await invoke(specFor("borrow-cjs-fn", cjs));
    expect(json(c)).toMatchObject({ errorType: "Runtime.ImportModuleError", errorMessage: expect.stringMatching(/^Error: Cannot find module 'sharp'/) });

    // A package shipped in the code's node_modules loads (ESM and CJS).
    const shipped = writeCode(
      {
        "index.mjs": "import pad from 'tiny-pad'; export const handler = async () => pad('7');",
        "node_modules/tiny-pad/package.json": JSON.stringify({ name: "tiny-pad", main: "index.js" }),
        "node_modules/tiny-pad/index.js": "module.exports = (s) => s.padStart(3, '0');",
      },
      parent,
    );
    expect(json(await invoke(specFor("shipped-fn", shipped)))).toBe("007");
  });
});
