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

  constructor(
    /** The node process's pid (sandboxed: node's host pid, not bwrap's); undefined when unknown. */
    private readonly pid: () => number | undefined,
    private readonly enabled: boolean = freezeEnabled(),
  ) {}

  get frozen(): boolean {
    return this.frozenPid !== undefined;
  }

  /** Stop the process (between invocations). A no-op when disabled, already frozen or the pid is unknown. */
  freeze(): void {
    if (!this.enabled || this.frozenPid !== undefined) return;
    const pid = this.pid();
    if (pid !== undefined && signal(pid, "SIGSTOP")) this.frozenPid = pid;
  }

  /** Continue the process (before an invocation is sent to it, or after it was SIGKILLed). */
  thaw(): void {
    const pid = this.frozenPid;
    if (pid === undefined) return;
    this.frozenPid = undefined;
    signal(pid, "SIGCONT");
  }

  /** The process is gone: forget its pid without signalling it (the pid may be reused). */
  forget(): void {
    this.frozenPid = undefined;
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
