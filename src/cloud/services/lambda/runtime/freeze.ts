/**
 * Frozen execution environments, as on AWS: once an invocation's response is
 * in, Lambda freezes the environment and thaws it for the next invocation, so
 * a timer or write the handler left running (an un-awaited PutObject, a
 * setTimeout) runs only when the environment is reused — or never, if it is
 * discarded (aws-behavior.md §15). Locally the environment's node process is
 * stopped with SIGSTOP after each invocation and continued with SIGCONT just
 * before the next one is sent to it (environment.ts calls freeze()/thaw()).
 *
 * Why freezing on "done" loses no log line: console output travels over the
 * same IPC channel as the result, written in order (console-capture.mjs), so
 * when the parent has read "done" it has already read every line logged
 * before it; raw stdout/stderr bytes are already in the kernel's pipe buffers
 * and are read while the process is stopped. START/END/REPORT are written by
 * the parent. No extra "flushed" marker is needed.
 *
 * The signal alone would come too late: between writing "done" and the
 * SIGSTOP landing (~1 ms), an un-awaited PutObject on localhost gets its
 * request out more often than not (measured: 9 of 12 sandboxed, 6 of 12
 * unsandboxed). So the bootstrap also *parks* itself right after "done"
 * (invoke-handler.mjs: a blocking 1-byte read of its stdin, nothing else
 * runs), and thaw() writes that byte before SIGCONT (measured: 0 of 12).
 * It parks only when every message is already written (a queued write needs
 * its event loop); otherwise SIGSTOP alone freezes it. A parked bootstrap
 * whose cloud dies reads EOF and exits on its IPC disconnect as before.
 *
 * Sandboxed, the signal goes to node's host pid (inside bwrap), not to bwrap:
 * bwrap and its init stay running, which is harmless (they only wait).
 * Killing a frozen environment needs no thaw first: SIGKILL ends a stopped
 * process on Linux and macOS. environment.ts sends SIGKILL *then* SIGCONT,
 * so a discarded environment never gets to run its deferred work, as on AWS.
 *
 * `LOCALCLOUD_FREEZE=off` (read when an environment starts) turns freezing
 * off, for debugging. Windows has no SIGSTOP/SIGCONT: there, environments
 * are never frozen (runtime/index.ts, Gaps).
 */

/** Can this platform stop and continue a process? */
export const FREEZE_SUPPORTED = process.platform !== "win32";

export function freezeEnabled(setting: string | undefined = process.env.LOCALCLOUD_FREEZE): boolean {
  if (!FREEZE_SUPPORTED) return false;
  return !(setting !== undefined && /^(off|0|false|no|none)$/i.test(setting.trim()));
}

export class Freezer {
  private frozenPid?: number;
  /** The bootstrap parked itself after its last "done" and waits for a byte on stdin. */
  private parked = false;

  constructor(
    /** The node process's pid (sandboxed: node's host pid, not bwrap's); undefined when unknown. */
    private readonly pid: () => number | undefined,
    /** Ends the bootstrap's park (writes one byte to its stdin). */
    private readonly wake: () => void,
    readonly enabled: boolean = freezeEnabled(),
  ) {}

  get frozen(): boolean {
    return this.frozenPid !== undefined;
  }

  /** Stop the process (between invocations). A no-op when disabled, already frozen or the pid is unknown. */
  freeze(): void {
    if (!this.enabled || this.frozenPid !== undefined) return;
    this.parked = true; // it was told to (invoke message `park`); if it could not, the spare byte ends its next park at once
    const pid = this.pid();
    if (pid !== undefined && signal(pid, "SIGSTOP")) this.frozenPid = pid;
  }

  /** Continue the process (before an invocation is sent to it, or after it was SIGKILLed). */
  thaw(): void {
    const pid = this.frozenPid;
    if (this.parked) {
      this.parked = false;
      this.wake();
    }
    if (pid === undefined) return;
    this.frozenPid = undefined;
    signal(pid, "SIGCONT");
  }

  /** The process is gone: forget its pid without signalling it (the pid may be reused). */
  forget(): void {
    this.frozenPid = undefined;
    this.parked = false;
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false; // already gone
  }
}
