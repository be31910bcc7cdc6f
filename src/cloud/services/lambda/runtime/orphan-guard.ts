/**
 * No orphaned execution environments: every live child is tracked here, and
 * if the local cloud's process exits (normally, or through process.exit) they
 * are all killed synchronously from its 'exit' handler. (If the cloud is
 * SIGKILLed, the children notice their IPC channel closing and exit on their
 * own — see bootstrap.mjs.)
 */
import type { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
let installed = false;

export function trackChild(child: ChildProcess): void {
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
}

export function untrackChild(child: ChildProcess): void {
  live.delete(child);
}

/** Pids of environments still running (for tests and diagnostics). */
export function livePids(): number[] {
  return [...live].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}
