/**
 * Starts the Node process of one execution environment, sandboxed or not
 * (sandbox.ts decides which): the bootstrap with an IPC channel (fd 3, which
 * bwrap passes through untouched like any inherited fd), stdout/stderr pipes,
 * a V8 heap cap of MemorySize, and the environment variables built from
 * scratch. Sandboxed, the variables describe the paths *inside* the sandbox
 * (/var/task, /var/runtime, /tmp); unsandboxed, the real ones plus a private
 * TMPDIR, and the process is registered with the reaper (orphan-guard.ts).
 */
import { fork, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { FunctionSpec } from "./contract.js";
import { buildEnvironmentVariables } from "./environment-variables.js";
import { trackChild } from "./orphan-guard.js";
import { BOOTSTRAP_DIR, NODE_IN_SANDBOX, RUNTIME_DIR, TASK_ROOT, nodePidOf, sandboxArgs, type SandboxStatus } from "./sandbox.js";
import type { SdkModules } from "./sdk-modules.js";

export interface ProcessRequest {
  spec: FunctionSpec;
  sdk: SdkModules;
  bootstrap: string;
  logStreamName: string;
  /** The environment's own scratch directory (unsandboxed: its TMPDIR lives here). */
  envDir: string;
  sandbox: SandboxStatus;
}

export interface EnvironmentProcess {
  child: ChildProcess;
  sandboxed: boolean;
  /** The node process's pid as the cloud sees it (inside bwrap: not child.pid). Undefined while it is not known yet. */
  nodePid(): number | undefined;
}

export function spawnEnvironmentProcess(req: ProcessRequest): EnvironmentProcess {
  const { spec } = req;
  const heapCap = `--max-old-space-size=${Math.max(16, spec.memoryMb)}`;
  const credentials = spec.credentials();
  fs.mkdirSync(req.envDir, { recursive: true });
  if (req.sandbox.mode === "bwrap") {
    const inside: SdkModules = {
      runtimeDir: RUNTIME_DIR,
      nodeModulesDir: path.join(RUNTIME_DIR, "node_modules"),
      parentUrl: pathToFileURL(path.join(RUNTIME_DIR, "index.mjs")).href,
    };
    const env = buildEnvironmentVariables({ ...spec, codeDir: TASK_ROOT }, { logStreamName: req.logStreamName, sdk: inside, credentials });
    const sdkTarget = sdkLinkTarget(req.sdk);
    const args = sandboxArgs({
      codeDir: spec.codeDir,
      runtimeDir: req.sdk.runtimeDir,
      bootstrapDir: path.dirname(req.bootstrap),
      nodeModulesDirs: sdkTarget ? [path.dirname(sdkTarget)] : [],
      execPath: process.execPath,
      tmpMb: spec.ephemeralStorageMb,
    }, { legacy: req.sandbox.legacy });
    const child = spawn(req.sandbox.bwrap, [...args, "--", NODE_IN_SANDBOX, heapCap, path.join(BOOTSTRAP_DIR, path.basename(req.bootstrap))], {
      cwd: req.envDir,
      env,
      // stdin: one byte per thaw, to end the bootstrap's park (freeze.ts).
      stdio: ["pipe", "pipe", "pipe", "ipc"],
      serialization: "json",
    });
    trackChild(child);
    let pid: number | undefined;
    return {
      child,
      sandboxed: true,
      nodePid: () => (pid ??= child.pid === undefined ? undefined : nodePidOf(child.pid)),
    };
  }

  const tmpDir = path.join(req.envDir, "tmp");
  fs.mkdirSync(tmpDir, { recursive: true });
  const env = buildEnvironmentVariables(spec, { logStreamName: req.logStreamName, tmpDir, sdk: req.sdk, credentials });
  const child = fork(req.bootstrap, [], {
    execPath: process.execPath,
    // Never inherit the parent's flags (tsx loaders, inspectors): a bare, fast node.
    execArgv: [heapCap],
    cwd: fs.existsSync(spec.codeDir) ? spec.codeDir : tmpDir,
    env,
    stdio: ["pipe", "pipe", "pipe", "ipc"],
    serialization: "json",
  });
  trackChild(child, { reap: true });
  return { child, sandboxed: false, nodePid: () => child.pid };
}

/** Where the SDK links of the runtime dir point (the kit's node_modules/@aws-sdk), if there are any. */
function sdkLinkTarget(sdk: SdkModules): string | undefined {
  try {
    return fs.realpathSync(path.join(sdk.nodeModulesDir, "@aws-sdk"));
  } catch {
    return undefined;
  }
}
