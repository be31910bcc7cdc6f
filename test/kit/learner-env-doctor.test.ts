/**
 * The way to the resources and a doctor that only looks:
 * - `npm run -s env` evaluated by bash, then the real AWS CLI lists the
 *   bucket on the running cloud (the one recorded in the state file);
 *   recorded admin credentials are exported when present; fish and
 *   PowerShell syntax; with no cloud running it prints nothing to evaluate;
 * - `npm run doctor` with no cloud running reports that and starts none
 *   (no state file, no data dir, no log); with one running it reports it;
 *   Node 20 is a warning with the upgrade; no SDK warning in its output.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { hasAwsCli, startTestCloud } from "../helpers/cloud.js";
import { repoRoot } from "../../src/kit/paths.js";
import { formatExports } from "../../src/kit/env.js";
import { kitProcess } from "./kit-process.js";

const cloud = await startTestCloud();
const s3 = new S3Client(cloud.clientConfig);
const homes: string[] = [];
afterAll(async () => {
  s3.destroy();
  await cloud.close();
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

function home(state?: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-env-home-"));
  homes.push(dir);
  if (state) fs.writeFileSync(path.join(dir, "cloud.json"), JSON.stringify({ endpoint: cloud.endpoint, port: cloud.port, pid: process.pid, dataDir: cloud.dataDir, logFile: "", startedAt: new Date().toISOString(), ...state }));
  return dir;
}

/** A clean environment: nothing AWS-related inherited, no config files. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AWS_")) env[k] = v;
  return { ...env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", AWS_PAGER: "", S3_EVENT_LABS_NO_DEFAULT_PORT: "1", NO_COLOR: "1", ...extra };
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd: repoRoot, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, out, err }));
  });
}

describe("npm run env", () => {
  it.skipIf(!hasAwsCli)('eval "$(npm run -s env)" then `aws s3 ls` lists the running cloud\'s buckets', async () => {
    const bucket = `env-check-${Date.now().toString(36)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const r = await bash('set -e; eval "$(npm run -s env)"; echo "endpoint=$AWS_ENDPOINT_URL region=$AWS_REGION/$AWS_DEFAULT_REGION key=$AWS_ACCESS_KEY_ID"; aws s3 ls', cleanEnv({ S3_EVENT_LABS_HOME: home({}) }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`endpoint=${cloud.endpoint} region=us-east-1/us-east-1 key=test`);
    expect(r.out).toContain(bucket);
    expect(r.err).not.toMatch(/NodeVersionSupportWarning/);
  }, 60_000);

  it("exports the admin credentials the cloud's state file records", async () => {
    const p = kitProcess("env", [], { S3_EVENT_LABS_HOME: home({ credentials: { accessKeyId: "kitadmin", secretAccessKey: "it's-secret" } }) });
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain("export AWS_ACCESS_KEY_ID='kitadmin'");
    expect(p.output()).toContain(`export AWS_SECRET_ACCESS_KEY='it'\\''s-secret'`);
    const r = await bash(`eval "$(cat <<'EOF'\n${p.output()}EOF\n)"; printf %s "$AWS_SECRET_ACCESS_KEY"`, cleanEnv({}));
    expect(r.out).toBe("it's-secret");
  });

  it("fish and PowerShell syntax", () => {
    const vars = { AWS_ENDPOINT_URL: "http://127.0.0.1:1234", AWS_SECRET_ACCESS_KEY: "a'b" };
    expect(formatExports(vars, "fish")).toBe("set -gx AWS_ENDPOINT_URL 'http://127.0.0.1:1234'\nset -gx AWS_SECRET_ACCESS_KEY 'a\\'b'\nset -e AWS_SESSION_TOKEN\n");
    expect(formatExports(vars, "powershell")).toBe("$env:AWS_ENDPOINT_URL = 'http://127.0.0.1:1234'\n$env:AWS_SECRET_ACCESS_KEY = 'a''b'\nRemove-Item Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue\n");
  });

  it("with no cloud running it prints nothing to evaluate and exits 1", async () => {
    const p = kitProcess("env", [], { S3_EVENT_LABS_HOME: home() });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain("No local cloud is running");
    expect(p.output()).not.toContain("export ");
  });
});

describe("npm run doctor", () => {
  it("with no cloud running: says so and starts none", async () => {
    const h = home();
    const p = kitProcess("doctor", [], { S3_EVENT_LABS_HOME: h });
    await p.exited;
    const out = p.output();
    expect(out).toMatch(/local cloud\s+not running/);
    expect(out).toMatch(/target\s+local — no cloud running yet/);
    expect(fs.readdirSync(h).filter((f) => /^cloud/.test(f))).toEqual([]); // no cloud.json, cloud.lock, cloud-data, cloud.log
    expect(out).not.toMatch(/NodeVersionSupportWarning/);
    if (Number(process.versions.node.split(".")[0]) < 22) {
      expect(out).toMatch(/! Node\.js support\s+Node \d+ reached its end of life/);
      expect(out).toContain("Upgrade to Node.js 22 or 24");
    }
  }, 60_000);

  it("with the cloud running: reports it, and prints no SDK warning", async () => {
    const p = kitProcess("doctor", [], { S3_EVENT_LABS_HOME: home({}) });
    await p.exited;
    expect(p.output()).toMatch(new RegExp(`local cloud\\s+running at ${cloud.endpoint.replace(/[.]/g, "\\.")}`));
    expect(p.output()).toMatch(/target\s+local/);
    expect(p.output()).not.toMatch(/NodeVersionSupportWarning|AWS SDK for JavaScript/);
  }, 60_000);
});
