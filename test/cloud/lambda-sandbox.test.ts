// Lambda handlers are contained (runtime/sandbox.ts): where bubblewrap works,
// a function created through the real Lambda API cannot read the cloud's data
// dir (journals, minted session secrets, other functions' code), the home
// directory, the project around node_modules, the host's /tmp or the cloud's
// environment; its /tmp is its own (tmpfs of EphemeralStorage), everything
// else is read-only, it sees only its own processes — and it still reaches
// the cloud through the SDK. The data dir sits inside the project beside
// node_modules, like the kit's default `.s3-event-labs/`. Skipped, with the
// reason printed, where there is no working bwrap.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { sandboxStatus } from "../../src/cloud/services/lambda/runtime/index.js";

const status = await sandboxStatus();
if (status.mode !== "bwrap") console.warn(`lambda-sandbox.test.ts: skipped — ${status.reason}${status.fix ? ` (${status.fix})` : ""}`);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PROBE = `import * as fs from "node:fs";
import * as os from "node:os";
const tryRead = (p) => {
  try {
    const st = fs.statSync(p);
    return st.isDirectory() ? "listed: " + fs.readdirSync(p).join(",") : "read: " + fs.readFileSync(p, "utf8").slice(0, 40);
  } catch (e) {
    return e.code;
  }
};
const tryWrite = (p) => {
  try {
    fs.writeFileSync(p, "x");
    return "written";
  } catch (e) {
    return e.code;
  }
};
export const handler = async (event) => {
  const reads = Object.fromEntries(event.paths.map((p) => [p, tryRead(p)]));
  const writes = Object.fromEntries(event.writes.map((p) => [p, tryWrite(p)]));
  if (event.mark) fs.writeFileSync("/tmp/" + event.mark, "mine");
  const st = fs.statfsSync("/tmp");
  const health = event.health ? (await fetch(process.env.AWS_ENDPOINT_URL + "/_localcloud/health")).status : undefined;
  return {
    reads,
    writes,
    env: process.env,
    tmp: fs.readdirSync("/tmp"),
    tmpBytes: st.blocks * st.bsize,
    task: fs.readdirSync("/var/task"),
    pids: fs.readdirSync("/proc").filter((n) => /^\\d+$/.test(n)),
    uid: process.getuid(),
    execPath: process.execPath,
    health,
  };
};
`;

let cloud: TestCloud;
let lambda: LambdaClient;
const decoder = new TextDecoder();
const dataDir = path.join(repoRoot, ".s3-event-labs", `test-sandbox-${randomUUID().slice(0, 8)}`);
const hostTmpCanary = path.join(os.tmpdir(), `sandbox-canary-${randomUUID()}`);

async function probe(name: string, event: { paths?: string[]; writes?: string[]; mark?: string; health?: boolean } = {}) {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ paths: [], writes: [], ...event }) }),
  );
  const body = JSON.parse(decoder.decode(out.Payload));
  expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
  return body;
}

/** Host paths of the unpacked code directories (one per function). */
function codeDirs(): string[] {
  const root = path.join(dataDir, "scratch", "lambda-code");
  return fs.readdirSync(root).map((n) => path.join(root, n));
}

/** Every file under a directory (host side). */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

describe.skipIf(status.mode !== "bwrap")("the Lambda sandbox (bubblewrap)", () => {
  beforeAll(async () => {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(hostTmpCanary, "host tmp");
    cloud = await startTestCloud({ dataDir });
    lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
    await createExecutionRole(new IAMClient(cloud.clientConfig));
    await createFunction(lambda, "probe-a", PROBE, { Timeout: 10 });
    await createFunction(lambda, "probe-b", PROBE, { Timeout: 10, EphemeralStorage: { Size: 1024 } });
  });
  afterAll(async () => {
    await cloud?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(hostTmpCanary, { force: true });
  });

  it("cannot read the data dir (journals, sessions), the project, the home directory or the host's /tmp", async () => {
    await probe("probe-a"); // mints the role session, writes journals
    const journals = filesUnder(dataDir).filter((f) => !f.includes(`${path.sep}lambda-code${path.sep}`));
    expect(journals.length).toBeGreaterThan(0);
    // The role session minted for the function (its secret is what signs the function's own calls).
    const secrets = journals.filter((f) => /identity\.sessions/.test(f));
    expect(secrets.length).toBeGreaterThan(0);
    const paths = [dataDir, ...journals.slice(0, 20), ...secrets.slice(0, 5), repoRoot, path.join(repoRoot, "package.json"), os.homedir(), hostTmpCanary, "/etc/shadow", "/root"];
    const { reads } = await probe("probe-a", { paths });
    // node_modules is mounted at its real path, so when it sits in the project (a plain checkout) the
    // project's folder exists inside the sandbox as a bare mount point holding node_modules and nothing else.
    const nodeModulesInRepo = fs.realpathSync(path.join(repoRoot, "node_modules")).startsWith(repoRoot + path.sep);
    for (const p of paths) {
      const expected = p === repoRoot && nodeModulesInRepo ? "listed: node_modules" : "ENOENT";
      expect([p, reads[p]]).toEqual([p, expected]);
    }
    // Node is where AWS's Node runtimes keep it, whatever the host path (a home directory's nvm, a cache).
    expect((await probe("probe-a")).execPath).toBe("/var/lang/bin/node");
  });

  it("cannot see other functions' code; its own is read-only at /var/task", async () => {
    const dirs = codeDirs();
    expect(dirs).toHaveLength(2);
    const { reads, writes, task } = await probe("probe-a", {
      paths: [...dirs, ...dirs.map((d) => path.join(d, "index.mjs"))],
      writes: ["/var/task/index.mjs", "/var/task/new.txt", "/etc/passwd", "/usr/evil", "/evil"],
    });
    for (const d of dirs) expect(reads[d]).toBe("ENOENT");
    expect(task).toEqual(["index.mjs"]);
    expect(Object.values(writes)).toEqual(["EROFS", "EROFS", "EROFS", "EROFS", "EROFS"]);
  });

  it("has its own writable /tmp (512 MB, or the function's EphemeralStorage), shared with no other environment", async () => {
    const mark = `mark-${randomUUID()}`;
    const a = await probe("probe-a", { mark, writes: ["/tmp/scratch.txt"] });
    expect(a.writes["/tmp/scratch.txt"]).toBe("written");
    expect(a.tmp).toContain(mark);
    expect(a.tmp).not.toContain(path.basename(hostTmpCanary));
    expect(a.tmpBytes).toBe(512 * 1024 * 1024);
    expect(fs.existsSync(path.join(os.tmpdir(), mark))).toBe(false);
    // Warm: the same environment keeps its /tmp, as on AWS.
    expect((await probe("probe-a")).tmp).toContain(mark);
    const b = await probe("probe-b");
    expect(b.tmp).not.toContain(mark);
    expect(b.tmpBytes).toBe(1024 * 1024 * 1024);
  });

  it("does not see the cloud's environment or processes, and still reaches the cloud", async () => {
    process.env.LOCALCLOUD_SANDBOX_CANARY = "the cloud's own variable";
    try {
      const { env, pids, health } = await probeFresh();
      expect(env.LOCALCLOUD_SANDBOX_CANARY).toBeUndefined();
      expect(env.HOME).toBeUndefined();
      expect(env.LAMBDA_TASK_ROOT).toBe("/var/task");
      expect(env.AWS_ENDPOINT_URL).toBe(cloud.endpoint);
      // bwrap's init and node itself: no view of the cloud or any other process.
      expect(pids.length).toBeLessThanOrEqual(3);
      expect(pids).not.toContain(String(process.pid));
      expect(health).toBe(200); // the network is shared: the gateway answers
    } finally {
      delete process.env.LOCALCLOUD_SANDBOX_CANARY;
    }
  });

  /** A function created now (its environment starts with the current process.env of the cloud). */
  async function probeFresh() {
    const name = `probe-${randomUUID().slice(0, 8)}`;
    await createFunction(lambda, name, PROBE, { Timeout: 10 });
    return probe(name, { health: true });
  }
});
