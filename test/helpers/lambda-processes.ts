/**
 * For Lambda tests that need a cloud of their own *process*: to SIGKILL it,
 * or to run it with environment switches read at start (LOCALCLOUD_SANDBOX,
 * LOCALCLOUD_FREEZE, LOCALCLOUD_LAMBDA_IDLE_MS). It runs src/cloud/cli.ts
 * through tsx (not the bundling launcher of cloud-process.ts: the bundle
 * cache lives in node_modules and would be rebuilt by every worktree sharing
 * it). Plus what such tests look at through Linux's /proc: the host pids of a
 * function's execution environments (node, not bwrap) and their state.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface LambdaCloudProcess {
  proc: ChildProcess;
  endpoint: string;
  output(): string;
  /** SIGKILL the process and remove its data dir. */
  dispose(): void;
}

/** A real cloud process on a free port; resolves with its endpoint once it printed "ready". */
export async function startLambdaCloudProcess(env: Record<string, string>): Promise<LambdaCloudProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-cloud-process-"));
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/cloud/cli.ts"), "--port", "0", "--data-dir", dataDir], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const dispose = () => {
    proc.kill("SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  let output = "";
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const m = /ready\S* on (http:\/\/[\d.]+:\d+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ""));
        if (m) resolve(m[1]!);
      };
      proc.stdout!.on("data", onData);
      proc.stderr!.on("data", onData);
      proc.once("exit", (code) => reject(new Error(`cloud exited (${code}) before it was ready:\n${output}`)));
    });
    return { proc, endpoint, output: () => output, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/** Host pids of node processes (not bwrap) running the bootstrap for a function. */
export function environmentPids(functionName: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (path.basename(argv[0] ?? "") === "bwrap" || !argv.some((a) => a.endsWith("bootstrap.mjs"))) continue;
      if (fs.readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(`AWS_LAMBDA_FUNCTION_NAME=${functionName}`)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** A process's state letter from /proc/<pid>/status (R, S, T = stopped, Z…); undefined once it is gone or a zombie. */
export function processState(pid: number): string | undefined {
  try {
    const m = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m?.[1] === "Z" ? undefined : m?.[1];
  } catch {
    return undefined;
  }
}
