/**
 * Run one of scripts/*.ts as a child process, the way `npm run` does (node
 * with tsx's loader), with the kit's state in a given home — and watch its
 * output as it comes, to act in the middle of a command (save a file, press
 * Ctrl-C). The SDK's Node-version switch is removed from the child's
 * environment, so the scripts have to silence that warning themselves.
 */
import * as path from "node:path";
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { repoRoot } from "../../src/kit/paths.js";

export interface KitProcess {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolve when the output matches (counting matches from the start), reject on exit or timeout. */
  waitFor(pattern: RegExp, count?: number, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

export function kitProcess(script: string, args: string[], env: Record<string, string>): KitProcess {
  const childEnv: Record<string, string | undefined> = { ...process.env, S3_EVENT_LABS_NO_DEFAULT_PORT: "1", NO_COLOR: "1", AWS_ENDPOINT_URL: "", LABS_PARTICIPANT: "learner", ...env };
  delete childEnv.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts", `${script}.ts`), ...args], { cwd: repoRoot, env: childEnv as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end();
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (c, signal) => {
      code = c ?? (signal ? 128 : null);
      for (const l of [...listeners]) l();
      resolve(code);
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, count = 1, timeoutMs = 90_000) {
      return new Promise((resolve, reject) => {
        const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : pattern.flags + "g");
        const check = () => {
          if ((out.match(global)?.length ?? 0) >= count) return done(() => resolve(out));
          if (code !== undefined) done(() => reject(new Error(`${script} exited (${code}) before ${pattern} (×${count}):\n${out}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} (×${count}) within ${timeoutMs} ms:\n${out}`))), timeoutMs);
        const done = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
