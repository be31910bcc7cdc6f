/**
 * Console capture in the execution environment. The AWS Node runtime patches
 * console.* so each call becomes ONE log event
 * `<ISO time>\t<requestId>\t<LEVEL>\t<message>\n` (multi-line messages stay one
 * event); anything else written to stdout/stderr (console.dir, console.table,
 * process.stdout.write) is forwarded raw and split into lines by the parent.
 * Everything travels over the same IPC channel as the result, so a line logged
 * before the handler returned always arrives before the result (nothing lost,
 * nothing reordered).
 */
import { format } from "node:util";

const LEVELS = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };

/**
 * @param send           posts one message to the parent
 * @param currentRequest returns the request id to stamp ("undefined" during init, as AWS prints)
 */
export function captureConsole(send, currentRequest) {
  for (const [method, level] of Object.entries(LEVELS)) {
    console[method] = (...args) => {
      const message = `${new Date().toISOString()}\t${currentRequest()}\t${level}\t${format(...args)}\n`;
      send({ t: "log", ts: Date.now(), message });
    };
  }
  for (const stream of ["stdout", "stderr"]) {
    const target = process[stream];
    target.write = (chunk, encoding, callback) => {
      if (typeof encoding === "function") callback = encoding;
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      send({ t: "raw", ts: Date.now(), text });
      if (typeof callback === "function") process.nextTick(callback);
      return true;
    };
  }
}
