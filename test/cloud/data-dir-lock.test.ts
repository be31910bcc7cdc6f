/**
 * One cloud per data dir (core/data-dir-lock.ts): a second cloud on a data
 * dir in use refuses to start and names the running one; a lock its owner
 * left behind (dead pid, reused pid, torn file) is taken over; closing
 * releases it; in-memory clouds take none.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { start, type RunningCloud } from "../../src/cloud/index.js";
import { LOCK_FILE, readLock, type LockInfo } from "../../src/cloud/core/data-dir-lock.js";
import { spawnCloud } from "../helpers/cloud-process.js";

const dirs: string[] = [];
const clouds: RunningCloud[] = [];
afterEach(async () => {
  for (const c of clouds.splice(0)) await c.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-lock-"));
  dirs.push(d);
  return d;
}
async function cloudOn(dir: string): Promise<RunningCloud> {
  const c = await start({ port: 0, dataDir: dir, logSink: () => {} });
  clouds.push(c);
  return c;
}
function writeLock(dir: string, info: Partial<LockInfo>): void {
  const lock: LockInfo = { pid: 1, host: os.hostname(), port: 1, endpoint: "http://127.0.0.1:1", startedAt: "2026-01-01T00:00:00.000Z", dataDir: dir, ...info };
  fs.writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify(lock));
}
/** A pid that certainly runs no process: one that just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());
}

describe("data dir lock", () => {
  it("a second cloud on the same data dir refuses and names the running one; close releases the lock", async () => {
    const dir = dataDir();
    const first = await cloudOn(dir);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, port: first.port, endpoint: first.endpoint, host: os.hostname() });

    const err = await start({ port: 0, dataDir: dir, logSink: () => {} }).then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe("DataDirLockedError");
    expect(err?.message).toContain(`pid ${process.pid} at ${first.endpoint}`);
    expect(readLock(dir)?.endpoint).toBe(first.endpoint); // the refused start left the lock alone

    await first.close();
    clouds.splice(0);
    expect(fs.existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    const again = await cloudOn(dir);
    expect(readLock(dir)?.endpoint).toBe(again.endpoint);
  });

  it("the CLI refuses a data dir in use with a message naming the running cloud", async () => {
    const dir = dataDir();
    const first = await cloudOn(dir);
    const second = spawnCloud(["--data-dir", dir]);
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(exit.output).toContain(`Another local cloud is already using the data dir ${dir}: pid ${process.pid} at ${first.endpoint}`);
  }, 60_000);

  it("takes over a lock whose pid no longer runs", async () => {
    const dir = dataDir();
    writeLock(dir, { pid: deadPid() });
    const c = await cloudOn(dir);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, endpoint: c.endpoint });
  });

  it("takes over a lock whose pid runs but is another process (pid reused)", async () => {
    const dir = dataDir();
    // pid 1 always runs; the recorded start stamp is not its own.
    writeLock(dir, { pid: 1, processStart: "some-earlier-boot:12345" });
    const c = await cloudOn(dir);
    expect(readLock(dir)?.endpoint).toBe(c.endpoint);
  });

  it("takes over an empty or torn lock file (a crash while it was written)", async () => {
    const dir = dataDir();
    fs.writeFileSync(path.join(dir, LOCK_FILE), '{"pid": 12');
    const c = await cloudOn(dir);
    expect(readLock(dir)?.endpoint).toBe(c.endpoint);
  });

  it("never takes over a lock written on another host", async () => {
    const dir = dataDir();
    writeLock(dir, { host: "another-laptop", pid: deadPid() });
    const err = await start({ port: 0, dataDir: dir, logSink: () => {} }).then(() => undefined, (e: Error) => e);
    expect(err?.message).toMatch(/locked by a local cloud on another host \(another-laptop/);
    expect(err?.message).toContain(path.join(dir, LOCK_FILE));
  });

  it("the kit finds the cloud holding its data dir by the lock when cloud.json is missing", async () => {
    const home = dataDir();
    const saved = { home: process.env.S3_EVENT_LABS_HOME, noDefault: process.env.S3_EVENT_LABS_NO_DEFAULT_PORT };
    process.env.S3_EVENT_LABS_HOME = home;
    process.env.S3_EVENT_LABS_NO_DEFAULT_PORT = "1";
    try {
      const { findRunningCloud } = await import("../../src/kit/local-cloud.js");
      expect(await findRunningCloud()).toBeUndefined();
      const c = await cloudOn(path.join(home, "cloud-data"));
      expect(fs.existsSync(path.join(home, "cloud.json"))).toBe(false);
      expect((await findRunningCloud())?.endpoint).toBe(c.endpoint);
    } finally {
      for (const [k, v] of [["S3_EVENT_LABS_HOME", saved.home], ["S3_EVENT_LABS_NO_DEFAULT_PORT", saved.noDefault]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("in-memory clouds take no lock", async () => {
    const a = await start({ port: 0, inMemory: true, logSink: () => {} });
    const b = await start({ port: 0, inMemory: true, logSink: () => {} });
    clouds.push(a, b);
    expect(a.cloud.config.dataDir).toBeNull();
  });
});
