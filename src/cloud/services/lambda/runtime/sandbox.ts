/**
 * Containment of execution environments with bubblewrap (`bwrap`, Debian
 * package `bubblewrap`), on Linux when it is installed and works here.
 *
 * Inside the sandbox an environment's Node process sees:
 * - the system read-only: /usr (and the /bin, /lib… links or dirs beside it),
 *   a few files of /etc (hosts, resolv.conf, nsswitch.conf, passwd, group,
 *   ld.so.cache, localtime, ssl certificates, alternatives) — never /etc/shadow
 *   or the rest — and the node binary at its own path;
 * - its function's code read-only at /var/task (LAMBDA_TASK_ROOT, as on AWS),
 *   the SDK links and the bootstrap at /var/runtime (LAMBDA_RUNTIME_DIR), and
 *   the kit's node_modules (what the SDK links point into) read-only at its
 *   real path — node_modules only, never the project folder around it, where
 *   the default data dir `.s3-event-labs/` lives;
 * - its own /tmp: a tmpfs of the function's EphemeralStorage (AWS's 512 MB
 *   default), gone with the environment; everything else is read-only;
 * - a fresh /proc and a minimal /dev; its own pid, IPC and UTS namespaces
 *   (it cannot see or signal the cloud or any other process), a user
 *   namespace with every capability dropped, a new session (no terminal).
 * It does not see the data dir (journals, minted session secrets, blobs,
 * other functions' code), the home directory, or the cloud's environment
 * (environment-variables.ts builds the variables from scratch; bwrap passes
 * exactly those).
 *
 * Network: shared with the cloud. The handler must reach the gateway at
 * 127.0.0.1:<port>, and a separate network namespace would need a forwarder
 * for every connection; so a handler can reach what the cloud's user can
 * (the internet, other local services). That is the one relaxation.
 *
 * Lifetime: `--die-with-parent` (PR_SET_PDEATHSIG) kills the sandbox when its
 * parent dies, even a SIGKILLed cloud and a handler spinning in
 * `while (true) {}`. The process tree is bwrap (the ChildProcess, in the
 * cloud's namespaces) → bwrap's init (pid 1 inside) → node (pid 2 inside):
 * `nodePidOf()` finds node's pid as the cloud sees it, for the memory watch
 * and for anyone who wants to SIGSTOP/SIGCONT the environment (stopping the
 * outer bwrap would not stop node). Killing the outer bwrap kills all three.
 * A signal that kills node comes back as bwrap's exit code 128+N
 * (`exitFromSandbox()` turns it back into the signal).
 *
 * bwrap older than 0.8 (Ubuntu 22.04 ships 0.6) lacks --size and
 * --disable-userns: there /tmp is a tmpfs without the EphemeralStorage
 * limit and the handler may create nested user namespaces (still without
 * any privilege outside the sandbox).
 *
 * `LOCALCLOUD_SANDBOX=off` (or the pool option `sandbox: "off"`) runs
 * handlers unsandboxed, for debugging; so does a machine without bwrap
 * (macOS, Linux without the package, or where user namespaces are
 * forbidden), with a warning at the cloud's start and a fix in
 * `npm run doctor`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where the function's code and the SDK links appear inside the sandbox (AWS's paths). */
export const TASK_ROOT = "/var/task";
export const RUNTIME_DIR = "/var/runtime";
/** Where the function's Node is inside the sandbox: AWS's path (process.execPath there). */
export const NODE_IN_SANDBOX = "/var/lang/bin/node";
/** bootstrap/ inside the sandbox (sdk-modules.ts makes the mount point). */
export const BOOTSTRAP_DIR = "/var/runtime/bootstrap";
/** AWS's default ephemeral storage (MB). */
const DEFAULT_TMP_MB = 512;

export type SandboxStatus =
  /** legacy: bwrap older than 0.8 (Ubuntu 22.04's 0.6): no --size (so /tmp is not size-limited) and no --disable-userns. */
  | { mode: "bwrap"; bwrap: string; legacy?: boolean }
  | { mode: "none"; reason: string; fix?: string; forcedOff?: boolean };

export const INSTALL_HINT = "sudo apt-get install bubblewrap (Debian/Ubuntu; `sudo dnf install bubblewrap` on Fedora)";

/** Namespaces and privileges: the same flags for the probe and for every environment. */
function isolation(legacy: boolean): string[] {
  return [
    "--unshare-user", ...(legacy ? [] : ["--disable-userns"]), "--cap-drop", "ALL",
    "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
    "--die-with-parent", "--new-session",
  ];
}

let probed: { bwrap: string; result: Promise<SandboxStatus> } | undefined;

/** Is sandboxing on, and if not, why. The bwrap trial run happens once per process. */
export function sandboxStatus(setting: string | undefined = process.env.LOCALCLOUD_SANDBOX): Promise<SandboxStatus> {
  if (setting !== undefined && /^(off|0|false|no|none)$/i.test(setting.trim())) {
    return Promise.resolve({ mode: "none", reason: "LOCALCLOUD_SANDBOX=off", forcedOff: true });
  }
  if (process.platform !== "linux") {
    return Promise.resolve({ mode: "none", reason: `bubblewrap sandboxes need Linux (this is ${process.platform})` });
  }
  const bwrap = findOnPath("bwrap");
  if (!bwrap) return Promise.resolve({ mode: "none", reason: "bwrap (bubblewrap) is not installed", fix: INSTALL_HINT });
  if (probed?.bwrap !== bwrap) probed = { bwrap, result: tryBwrap(bwrap) };
  return probed.result;
}

/** Trial runs with the namespaces and mounts environments use (user namespaces may be forbidden, e.g. in some containers). */
async function tryBwrap(bwrap: string): Promise<SandboxStatus> {
  let run = await trial(bwrap, false);
  if (run.code !== 0 && /unknown option|unrecognized option/i.test(run.stderr)) run = { ...(await trial(bwrap, true)), legacy: true };
  if (run.code === 0) return run.legacy ? { mode: "bwrap", bwrap, legacy: true } : { mode: "bwrap", bwrap };
  if (run.error) return { mode: "none", reason: `${bwrap} could not be run: ${run.error}`, fix: INSTALL_HINT };
  return {
    mode: "none",
    reason: `${bwrap} cannot create a sandbox here: ${run.stderr.trim().split("\n")[0] || `exit ${run.code}`}`,
    fix: "allow unprivileged user namespaces (Ubuntu 24.04: an AppArmor profile for bwrap, or `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`; Debian: `sudo sysctl kernel.unprivileged_userns_clone=1`)",
  };
}

function trial(bwrap: string, legacy: boolean): Promise<{ code: number | null; stderr: string; error?: string; legacy?: boolean }> {
  return new Promise((resolve) => {
    const tmp = legacy ? ["--tmpfs", "/tmp"] : ["--size", String(1024 * 1024), "--tmpfs", "/tmp"];
    const args = [...isolation(legacy), "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", ...tmp, "--remount-ro", "/", "--", "true"];
    const child = spawn(bwrap, args, { stdio: ["ignore", "ignore", "pipe"], env: { PATH: "/usr/bin:/bin" } });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (err) => resolve({ code: null, stderr, error: err.message }));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface SandboxLayout {
  /** The function's unpacked code (bound at /var/task). */
  codeDir: string;
  /** The SDK links directory (bound at /var/runtime). */
  runtimeDir: string;
  /** bootstrap/ (bound at its own path). */
  bootstrapDir: string;
  /** The kit's node_modules the SDK links point into (bound at their real paths). */
  nodeModulesDirs: string[];
  /** The node binary. */
  execPath: string;
  /** EphemeralStorage size in MB (AWS: 512–10240). */
  tmpMb?: number;
}

/** System paths bound read-only (or recreated as the same symlinks, on merged-/usr systems). */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
/** The parts of /etc a Node process (and the tools a handler may spawn) needs: name resolution, users, TLS roots, the loader cache. */
const ETC_ENTRIES = [
  "hosts", "resolv.conf", "nsswitch.conf", "host.conf", "gai.conf", "services", "protocols",
  "passwd", "group", "localtime", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives",
  "ssl", "ca-certificates", "pki", "crypto-policies", "os-release", "mime.types",
];

/** bwrap's arguments (before `--` and the command) for one environment. */
export function sandboxArgs(layout: SandboxLayout, options: { legacy?: boolean } = {}): string[] {
  const legacy = options.legacy === true;
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (st.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(dir), dir);
    else if (st.isDirectory()) args.push("--ro-bind", dir, dir);
  }
  for (const entry of ETC_ENTRIES) args.push("--ro-bind-try", `/etc/${entry}`, `/etc/${entry}`);
  const tmpBytes = Math.max(DEFAULT_TMP_MB, layout.tmpMb ?? DEFAULT_TMP_MB) * 1024 * 1024;
  args.push("--proc", "/proc", "--dev", "/dev", ...(legacy ? [] : ["--size", String(tmpBytes)]), "--tmpfs", "/tmp");
  // The cloud's own Node, at the path AWS's Node runtimes use — not at its host path, which may lie in a
  // home directory (nvm, a cache) or under /tmp and would show that directory's path inside. After the tmpfs.
  args.push("--ro-bind", realpath(layout.execPath), NODE_IN_SANDBOX);

  for (const dir of new Set(layout.nodeModulesDirs.map(realpath))) args.push("--ro-bind", dir, dir);
  args.push("--ro-bind", realpath(layout.runtimeDir), RUNTIME_DIR);
  args.push("--ro-bind", realpath(layout.bootstrapDir), BOOTSTRAP_DIR);
  // A code directory that is gone leaves /var/task empty: the bootstrap then reports Runtime.ImportModuleError.
  args.push("--dir", TASK_ROOT, "--ro-bind-try", realpath(layout.codeDir), TASK_ROOT);
  args.push("--remount-ro", "/", "--chdir", TASK_ROOT, ...isolation(legacy));
  return args;
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/**
 * The pid (as the cloud sees it) of the node process inside a sandbox whose
 * outer bwrap has `monitorPid`: the only child of bwrap's init, itself the
 * only child of the outer bwrap. Undefined until both exist.
 */
export function nodePidOf(monitorPid: number): number | undefined {
  const init = childrenOf(monitorPid)[0];
  return init === undefined ? undefined : childrenOf(init)[0];
}

function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan /proc for the parent pid.
    const found: number[] = [];
    let names: string[] = [];
    try {
      names = fs.readdirSync("/proc");
    } catch {
      return found;
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
        // pid (comm) state ppid …; comm may contain spaces and parentheses
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid === pid) found.push(Number(name));
      } catch {
        // gone
      }
    }
    return found;
  }
}

/** bwrap exits 128+N when the sandboxed process died of signal N: report the signal, as for an unsandboxed process. */
export function exitFromSandbox(code: number | null, signal: NodeJS.Signals | null): { code: number | null; signal: NodeJS.Signals | null } {
  if (signal !== null || code === null || code <= 128 || code > 128 + 64) return { code, signal };
  const name = (Object.keys(os.constants.signals) as NodeJS.Signals[]).find((s) => os.constants.signals[s] === code - 128);
  return name ? { code: null, signal: name } : { code, signal };
}
