/**
 * A local cloud as a real separate process (`node bin/localcloud.mjs`, the
 * launcher learners and the kit use), for tests that must kill it — `kill -9`
 * durability, the data-dir lock. Resolves once the banner says where it
 * listens; `exited` resolves with its exit code/signal and everything it
 * printed.
 */
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export interface CloudProcess {
  child: ChildProcess;
  pid: number;
  endpoint: string;
  exited: Promise<ProcessExit>;
  output(): string;
}
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Spawn the cloud; resolves when it is ready, rejects (with its output) when it exits first. */
export function spawnCloud(args: string[], env: NodeJS.ProcessEnv = {}): { ready: Promise<CloudProcess>; exited: Promise<ProcessExit> } {
  const child = spawn(process.execPath, [path.join(root, "bin", "localcloud.mjs"), "--port", "0", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...env },
  });
  let out = "";
  const exited = new Promise<ProcessExit>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, output: out })));
  const ready = new Promise<CloudProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const m = /ready on (http:\/\/[^\s]+)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ""));
      if (m) resolve({ child, pid: child.pid!, endpoint: m[1]!, exited, output: () => out });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    exited.then((e) => reject(new Error(`the cloud exited before it was ready (code ${e.code}, signal ${e.signal}):\n${e.output}`)));
  });
  ready.catch(() => {}); // callers that only await `exited` must not see an unhandled rejection
  return { ready, exited };
}

/** SIGKILL and wait until the process is gone. */
export async function killHard(cloud: CloudProcess): Promise<void> {
  cloud.child.kill("SIGKILL");
  await cloud.exited;
}

/** SIGTERM (a clean stop) and wait. */
export async function stopCleanly(cloud: CloudProcess): Promise<ProcessExit> {
  cloud.child.kill("SIGTERM");
  return cloud.exited;
}
