/**
 * One cloud per data dir. Two clouds on one data dir would each keep their
 * own in-memory tables and append to the same journals: split brain, and the
 * second one's load could cut the first one's journal. So a cloud with a data
 * dir holds `<data dir>/cloud.lock` from before its store loads until it
 * closes. The file is JSON — pid, host name, port and endpoint (once
 * listening), start time and the process's start stamp — created with
 * O_EXCL, so of two clouds starting at once exactly one gets it.
 *
 * A lock whose owner is gone is stale and taken over: the pid no longer runs,
 * or it runs but is a different process (the pid was reused — after a reboot,
 * say): on Linux the kernel's boot id and the process's start time in
 * /proc/<pid>/stat must match the ones recorded; elsewhere `ps -o lstart=`.
 * A live owner makes start() fail with a message naming it (pid, endpoint).
 * A lock written on another host cannot be checked and is never taken over;
 * the message says how to remove it.
 *
 * Taking over: the stale file is renamed aside (never deleted by path, which
 * could delete a fresh lock another starter just made), re-read to check it
 * is the one judged stale, and the new lock is created with O_EXCL again.
 * In-memory clouds take no lock. The kit (src/kit/local-cloud.ts) reads the
 * lock to find a running cloud when its own cloud.json is missing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export const LOCK_FILE = "cloud.lock";

export interface LockInfo {
  pid: number;
  host: string;
  /** 0 until the gateway listens. */
  port: number;
  endpoint?: string;
  startedAt: string;
  /** Identifies this process beyond its pid (boot id + start ticks on Linux, ps's start time elsewhere). */
  processStart?: string;
  dataDir: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly holder: LockInfo,
    lockPath: string,
    remote: boolean,
  ) {
    super(
      remote
        ? `The data dir ${holder.dataDir} is locked by a local cloud on another host (${holder.host}, pid ${holder.pid}, ${holder.endpoint ?? "endpoint unknown"}, started ${holder.startedAt}). ` +
            `If no cloud uses it any more, delete ${lockPath}.`
        : `Another local cloud is already using the data dir ${holder.dataDir}: pid ${holder.pid}` +
            `${holder.endpoint ? ` at ${holder.endpoint}` : " (still starting)"}, started ${holder.startedAt}. ` +
            `Use that one, stop it, or start this one with another --data-dir (or --in-memory).`,
    );
    this.name = "DataDirLockedError";
  }
}

/** A stamp that differs between two processes that had the same pid; undefined when it cannot be read. */
export function processStartStamp(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime); the command name (field 2) may contain spaces and parentheses, so count from its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const boot = fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return `${boot}:${fields[19]}`;
  } catch {
    if (process.platform === "linux" || process.platform === "win32") return undefined;
  }
  const ps = spawnSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8", timeout: 2000 });
  const out = ps.status === 0 ? ps.stdout.trim() : "";
  return out || undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/** Does the lock's owner still run? */
function ownerAlive(info: LockInfo): boolean {
  if (!Number.isInteger(info.pid) || info.pid <= 0 || !pidAlive(info.pid)) return false;
  if (!info.processStart) return true; // cannot tell a reused pid: assume it is the owner
  const now = processStartStamp(info.pid);
  return now === undefined || now === info.processStart;
}

export function readLock(dataDir: string): LockInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, LOCK_FILE), "utf8")) as LockInfo;
  } catch {
    return undefined;
  }
}

export class DataDirLock {
  private released = false;
  private constructor(
    readonly file: string,
    private info: LockInfo,
  ) {}

  /** Take the data dir's lock, taking over a stale one; throws DataDirLockedError when a live cloud holds it. */
  static acquire(dataDir: string): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, LOCK_FILE);
    const info: LockInfo = {
      pid: process.pid,
      host: os.hostname(),
      port: 0,
      startedAt: new Date().toISOString(),
      processStart: processStartStamp(process.pid),
      dataDir,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(info, null, 2) + "\n", { flag: "wx" });
        return new DataDirLock(file, info);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const raw = readRaw(file);
      if (raw === undefined) continue; // released meanwhile: try again
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(raw) as LockInfo;
      } catch {
        holder = undefined; // empty or torn (a crash while it was written): nobody holds it
      }
      if (holder && holder.host !== info.host) throw new DataDirLockedError(holder, file, true);
      if (holder && ownerAlive(holder)) throw new DataDirLockedError({ ...holder, dataDir }, file, false);
      // Stale: move it aside, and make sure what was moved is the lock judged stale, not a fresh one.
      const aside = `${file}.stale-${randomBytes(4).toString("hex")}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        continue;
      }
      if (fs.readFileSync(aside, "utf8") !== raw) {
        // Another starter replaced it in between: put its lock back (unless yet another appeared) and re-check.
        try {
          fs.linkSync(aside, file);
        } catch {
          /* a newer lock exists; the next attempt sees it */
        }
      }
      fs.rmSync(aside, { force: true });
    }
    throw new Error(`Could not take the lock ${file}: it keeps changing. Is another local cloud starting on this data dir?`);
  }

  get holder(): LockInfo {
    return this.info;
  }

  /** Record where the cloud listens, so a second cloud (and the kit) can name it. */
  update(port: number, endpoint: string): void {
    if (this.released) return;
    this.info = { ...this.info, port, endpoint };
    const tmp = `${this.file}.${randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.info, null, 2) + "\n");
    fs.renameSync(tmp, this.file);
  }

  /** Remove the lock if it is still ours. */
  release(): void {
    if (this.released) return;
    this.released = true;
    const current = readRaw(this.file);
    try {
      const onDisk = current === undefined ? undefined : (JSON.parse(current) as LockInfo);
      if (onDisk?.pid === this.info.pid && onDisk.startedAt === this.info.startedAt) fs.rmSync(this.file, { force: true });
    } catch {
      /* not ours any more */
    }
  }
}

function readRaw(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
