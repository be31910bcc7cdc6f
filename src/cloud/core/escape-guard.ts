/**
 * The last line of defence: a process-level `uncaughtException` /
 * `unhandledRejection` handler that logs whatever escaped every request
 * handler (a throw from a timer or a library callback, such as dynalite's
 * LevelDB callbacks) and keeps the cloud serving, instead of letting Node end
 * the process and every learner's resource with it.
 *
 * Escapes are bugs, not a way to handle input: each running cloud counts the
 * ones that happened while it ran (`escapedErrors`, shown on
 * /_localcloud/health), and the malformed-input and fuzz tests assert the
 * count stays 0 — so a known bad input is proven to be answered by validation
 * (a 4xx), not rescued here.
 *
 * The handlers are installed once per process, when the first cloud starts,
 * and removed when the last one closes, so an embedding program (the kit, a
 * test runner) gets its own behaviour back.
 */
import type { Logger } from "./trace.js";

export interface EscapeCounter {
  escapedErrors: number;
}

interface Watcher {
  counter: EscapeCounter;
  log: Logger;
}

const watchers = new Set<Watcher>();

function onEscape(kind: string, err: unknown): void {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  for (const w of watchers) {
    w.counter.escapedErrors++;
    w.log.error(`${kind} escaped a request handler and was caught by the process guard (a bug; please report it): ${detail}`);
  }
}
const onException = (err: unknown) => onEscape("uncaughtException", err);
const onRejection = (reason: unknown) => onEscape("unhandledRejection", reason);

/** Watch for escapes on behalf of one cloud; returns the function that stops watching. */
export function installEscapeGuard(counter: EscapeCounter, log: Logger): () => void {
  const watcher: Watcher = { counter, log };
  if (watchers.size === 0) {
    process.on("uncaughtException", onException);
    process.on("unhandledRejection", onRejection);
  }
  watchers.add(watcher);
  return () => {
    if (!watchers.delete(watcher)) return;
    if (watchers.size === 0) {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    }
  };
}
