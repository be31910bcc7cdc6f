/**
 * No orphaned execution environments, however the cloud's process ends:
 * - it exits (normally, or through process.exit): every live child is killed
 *   synchronously from its 'exit' handler;
 * - it is SIGKILLed or crashes hard: a sandboxed environment dies with it
 *   (bwrap --die-with-parent, sandbox.ts). An unsandboxed one notices its IPC
 *   channel closing (bootstrap.mjs) — but only if its event loop runs: a
 *   handler spinning in `while (true) {}` never sees it. So unsandboxed
 *   environments are also registered with the *reaper*: one tiny `node`
 *   process per cloud process, started with the first such environment,
 *   that reads "+pid"/"-pid" lines on its stdin and, when that pipe closes
 *   (the kernel closes it when the cloud dies, however it dies), SIGKILLs
 *   every pid still registered and exits. It ignores SIGINT/SIGTERM/SIGHUP
 *   (a terminal's Ctrl-C reaches the whole process group; the reaper must
 *   outlive the cloud, not die before it). Works on macOS too, which has no
 *   parent-death signal.
 */
import { spawn, type ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
let installed = false;
let reaper: ChildProcess | undefined;

const REAPER_SOURCE = `
const pids = new Set();
for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => {});
let buf = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => {
  buf += d;
  for (let i; (i = buf.indexOf("\\n")) >= 0; ) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const pid = Number(line.slice(1));
    if (!(pid > 0)) continue;
    if (line[0] === "+") pids.add(pid);
    else pids.delete(pid);
  }
});
const reap = () => {
  for (const pid of pids) {
    try { process.kill(pid, "SIGKILL"); } catch {}
  }
  process.exit(0);
};
process.stdin.on("end", reap);
process.stdin.on("close", reap);
process.stdin.on("error", reap);
`;

export interface TrackOptions {
  /** Also register with the reaper (unsandboxed environments: nothing else kills a spinning one when the cloud is SIGKILLed). */
  reap?: boolean;
}

export function trackChild(child: ChildProcess, options: TrackOptions = {}): void {
  live.add(child);
  if (!installed) {
    installed = true;
    process.on("exit", () => {
      for (const c of live) {
        try {
          c.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  }
  if (options.reap && child.pid !== undefined) tellReaper(`+${child.pid}`);
}

export function untrackChild(child: ChildProcess): void {
  if (live.delete(child) && child.pid !== undefined && reaper) tellReaper(`-${child.pid}`);
}

/** Pids of environments still running (for tests and diagnostics). */
export function livePids(): number[] {
  return [...live].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}

/** The reaper's pid, once started (for tests). */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}

function tellReaper(line: string): void {
  if (!reaper || reaper.exitCode !== null || reaper.signalCode !== null) reaper = startReaper();
  reaper.stdin?.write(line + "\n");
}

function startReaper(): ChildProcess {
  // A bare node: no inherited NODE_OPTIONS (tsx, vitest loaders), no parent flags.
  const child = spawn(process.execPath, ["-e", REAPER_SOURCE], { stdio: ["pipe", "ignore", "ignore"], env: { PATH: process.env.PATH ?? "" } });
  child.on("error", () => {
    // Could not start a node: environments still exit on IPC close when their loop runs.
  });
  child.stdin?.on("error", () => {});
  child.unref();
  // Its stdin pipe must not keep the cloud's event loop alive either.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return child;
}
