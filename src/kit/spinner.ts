/**
 * Spinners (ora) in a terminal; in CI logs and pipes, only the outcome lines
 * (✔/✖/⚠ text) — a spinner's start/stop frames would repeat every status.
 *
 * discardStdin is off: with it on, ora puts the terminal in raw mode while it
 * spins, so Ctrl-C is no longer a signal but a keystroke ora re-raises only
 * when the event loop reads stdin — the kit's commands handle SIGINT
 * themselves (stop, clean up, say so), and need the terminal's own.
 */
import ora, { type Ora } from "ora";

export type Spinner = Pick<Ora, "succeed" | "fail" | "warn" | "stop" | "start" | "clear" | "render"> & { text: string; readonly isSpinning: boolean };

export function spinner(text: string, indent = 0): Spinner {
  if (process.stdout.isTTY) return ora({ text, indent, discardStdin: false }).start();
  const pad = " ".repeat(indent);
  const line = (mark: string) => (t?: string) => {
    console.log(`${pad}${mark} ${t ?? plain.text}`);
    return plain as unknown as Ora;
  };
  const plain = {
    text,
    isSpinning: false,
    succeed: line("✔"),
    fail: line("✖"),
    warn: line("⚠"),
    stop: () => plain as unknown as Ora,
    start: () => plain as unknown as Ora,
    clear: () => plain as unknown as Ora,
    render: () => plain as unknown as Ora,
  };
  return plain;
}
