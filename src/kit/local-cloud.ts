/**
 * Finding or starting the local cloud for `--target local` — the only module
 * of the kit that may touch src/cloud/ (design.md: "the one place that starts
 * the local cloud process").
 *
 * Order of preference:
 *  1. the cloud recorded in the state file (.s3-event-labs/cloud.json), if its
 *     health check answers — so every terminal of a learner shares one cloud;
 *     failing that, the cloud whose lock holds the kit's data dir
 *     (cloud-data/cloud.lock names its endpoint and pid) — a cloud may refuse
 *     to start on a data dir another one uses, so that one must be reused;
 *  2. a cloud already listening on the default port 4566 (`npm run cloud` in
 *     another terminal);
 *  3. a new background cloud: a detached `node bin/localcloud.mjs` process on a
 *     free port, with its data in .s3-event-labs/cloud-data and its output in
 *     .s3-event-labs/cloud.log, recorded in the state file. It outlives the
 *     command that started it (other terminals and later commands reuse it);
 *     `npm run cleanup -- --stop-cloud` stops it.
 * A lock file stops two terminals from starting two clouds at the same moment.
 *
 * Credentials: the cloud verifies signatures, so the kit must sign with the
 * administrator's credentials the cloud was started with — recorded in the
 * state file for a background cloud, else LOCALCLOUD_CREDENTIALS (KEY:SECRET,
 * the variable `npm run cloud` reads too), else the default test/test.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { repoRoot, readJson, stateDir, statePath, writeFileAtomic } from "./paths.js";
import { sleep } from "./wait.js";

export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The default administrator of a local cloud (src/cloud/core/identity.ts). */
export const DEFAULT_LOCAL_CREDENTIALS: LocalCredentials = { accessKeyId: "test", secretAccessKey: "test" };

/** LOCALCLOUD_CREDENTIALS ("KEY:SECRET") if set, else test/test. */
export function configuredCredentials(): LocalCredentials {
  const text = process.env.LOCALCLOUD_CREDENTIALS;
  const colon = text ? text.indexOf(":") : -1;
  if (!text || colon <= 0) return DEFAULT_LOCAL_CREDENTIALS;
  return { accessKeyId: text.slice(0, colon).trim(), secretAccessKey: text.slice(colon + 1).trim() };
}

export interface CloudState {
  endpoint: string;
  /** The administrator's credentials the cloud was started with (absent in state files of older kits: test/test). */
  credentials?: LocalCredentials;
  port: number;
  pid: number;
  dataDir: string;
  logFile: string;
  startedAt: string;
  /** The admin token the kit gave the background cloud (console links, /_localcloud/*); absent in older state files. */
  adminToken?: string;
}

export interface CloudHealth {
  status: string;
  endpoint?: string;
  services?: string[];
  iam?: string;
  dataDir?: string;
  pid?: number;
  uptimeSeconds?: number;
}

const DEFAULT_LOCAL_ENDPOINT = "http://127.0.0.1:4566";

/** GET /_localcloud/health with a short timeout; undefined when nothing healthy answers. */
export async function checkHealth(endpoint: string, timeoutMs = 1500): Promise<CloudHealth | undefined> {
  try {
    const res = await fetch(new URL("/_localcloud/health", endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as CloudHealth;
    return body.status === "ok" ? body : undefined;
  } catch {
    return undefined;
  }
}

export function readCloudState(): CloudState | undefined {
  return readJson<CloudState | undefined>(statePath("cloud.json"), undefined);
}

/** The running local cloud this machine's kit should use, if any. */
export async function findRunningCloud(): Promise<{ endpoint: string; health: CloudHealth; source: "state-file" | "default-port"; credentials: LocalCredentials; adminToken?: string } | undefined> {
  const state = readCloudState();
  if (state) {
    const health = await checkHealth(state.endpoint);
    if (health) return { endpoint: state.endpoint, health, source: "state-file", credentials: state.credentials ?? DEFAULT_LOCAL_CREDENTIALS, adminToken: state.adminToken };
  }
  // cloud.json missing or stale, but a cloud holds the kit's data dir (its lock names it: src/cloud/core/data-dir-lock.ts).
  let lock: { endpoint?: string; pid?: number } | undefined;
  try {
    lock = readJson<typeof lock>(path.join(stateDir(), "cloud-data", "cloud.lock"), undefined);
  } catch {
    lock = undefined; // being written this instant: no cloud to name yet
  }
  if (lock?.endpoint) {
    const health = await checkHealth(lock.endpoint);
    if (health && health.pid === lock.pid) return { endpoint: lock.endpoint, health, source: "state-file", credentials: configuredCredentials() };
  }
  // Tests set S3_EVENT_LABS_NO_DEFAULT_PORT=1 so a developer's own `npm run cloud` is never picked up.
  if (process.env.S3_EVENT_LABS_NO_DEFAULT_PORT === "1") return undefined;
  const health = await checkHealth(DEFAULT_LOCAL_ENDPOINT, 700);
  if (health) return { endpoint: DEFAULT_LOCAL_ENDPOINT, health, source: "default-port", credentials: configuredCredentials() };
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Take the start-up lock; a lock older than 30 s is a leftover of a crashed start and is broken. */
function tryLock(lockFile: string): boolean {
  try {
    fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    try {
      if (Date.now() - fs.statSync(lockFile).mtimeMs > 30_000) fs.rmSync(lockFile, { force: true });
    } catch {
      /* someone else removed it */
    }
    return false;
  }
}

/**
 * Reuse a running local cloud or start one in the background. `onStatus`
 * receives human-readable progress ("starting the local cloud…").
 */
export async function ensureLocalCloud(onStatus: (text: string) => void = () => {}): Promise<{ endpoint: string; started: boolean; credentials: LocalCredentials; adminToken?: string }> {
  const running = await findRunningCloud();
  if (running) return { endpoint: running.endpoint, started: false, credentials: running.credentials, adminToken: running.adminToken };

  const lockFile = statePath("cloud.lock");
  const deadline = Date.now() + 45_000;
  while (!tryLock(lockFile)) {
    // Another terminal is starting one: wait for it instead of starting a second cloud.
    onStatus("another terminal is starting the local cloud; waiting for it…");
    await sleep(200);
    const found = await findRunningCloud();
    if (found) return { endpoint: found.endpoint, started: false, credentials: found.credentials, adminToken: found.adminToken };
    if (Date.now() > deadline) throw new Error(`Timed out waiting for the local cloud another process is starting. Remove ${lockFile} if no other terminal is running the kit.`);
  }
  try {
    const again = await findRunningCloud();
    if (again) return { endpoint: again.endpoint, started: false, credentials: again.credentials, adminToken: again.adminToken };
    onStatus("starting the local cloud in the background…");
    const state = await startBackgroundCloud();
    return { endpoint: state.endpoint, started: true, credentials: state.credentials ?? DEFAULT_LOCAL_CREDENTIALS, adminToken: state.adminToken };
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

async function startBackgroundCloud(): Promise<CloudState> {
  const port = await freePort();
  const dataDir = path.join(stateDir(), "cloud-data");
  const logFile = statePath("cloud.log");
  const credentials = configuredCredentials();
  // Chosen here and recorded in cloud.json, so every kit command can print the console's link.
  const adminToken = randomBytes(16).toString("hex");
  const log = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "localcloud.mjs"), "--port", String(port), "--data-dir", dataDir, "--log-level", "warn"], {
    cwd: repoRoot,
    detached: true, // its own process group: Ctrl-C in this terminal does not stop it
    stdio: ["ignore", log, log],
    env: { ...process.env, FORCE_COLOR: "0", LOCALCLOUD_CREDENTIALS: `${credentials.accessKeyId}:${credentials.secretAccessKey}`, LOCALCLOUD_ADMIN_TOKEN: adminToken },
  });
  fs.closeSync(log);
  let exited: number | null = null;
  child.on("exit", (code) => (exited = code ?? 1));
  child.unref();
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000; // the first launch compiles src/cloud with esbuild
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`The local cloud exited during start-up (code ${exited}). Its output is in ${logFile}.`);
    if (await checkHealth(endpoint, 500)) {
      const state: CloudState = { endpoint, credentials, port, pid: child.pid!, dataDir, logFile, startedAt: new Date().toISOString(), adminToken };
      writeFileAtomic(statePath("cloud.json"), JSON.stringify(state, null, 2) + "\n");
      return state;
    }
    await sleep(100);
  }
  try {
    process.kill(child.pid!);
  } catch {
    /* already gone */
  }
  throw new Error(`The local cloud did not answer its health check within 30 s. Its output is in ${logFile}.`);
}

/** Stop the background cloud the kit started (only that one, by its recorded pid). */
export async function stopBackgroundCloud(): Promise<"stopped" | "not-running"> {
  const state = readCloudState();
  if (!state) return "not-running";
  const health = await checkHealth(state.endpoint);
  fs.rmSync(statePath("cloud.json"), { force: true });
  // Only signal the pid if the cloud on the recorded endpoint reports that same pid.
  if (!health || health.pid !== state.pid) return "not-running";
  try {
    process.kill(state.pid, "SIGTERM");
  } catch {
    return "not-running";
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (await checkHealth(state.endpoint, 300))) await sleep(100);
  return "stopped";
}

/**
 * Start a local cloud inside this process (tests, and `--in-process` runs).
 * Imported lazily so the kit costs nothing from src/cloud/ unless asked.
 */
export async function startInProcessCloud(
  options: { port?: number; dataDir?: string; inMemory?: boolean; iam?: "enforce" | "off" } = {},
): Promise<{ endpoint: string; credentials: LocalCredentials; close(): Promise<void> }> {
  const { start } = await import("../cloud/index.js");
  const running = await start({ port: options.port ?? 0, dataDir: options.dataDir, inMemory: options.inMemory ?? !options.dataDir, iam: options.iam, logLevel: "warn", logSink: () => {} });
  return { endpoint: running.endpoint, credentials: running.credentials, close: () => running.close() };
}

/** Whether this machine's local cloud can sandbox Lambda handlers (bubblewrap), for `npm run doctor`. */
export async function lambdaSandboxStatus(): Promise<{ sandboxed: boolean; detail: string; fix?: string }> {
  const { sandboxStatus } = await import("../cloud/services/lambda/runtime/sandbox.js");
  const status = await sandboxStatus();
  if (status.mode === "bwrap") return { sandboxed: true, detail: `handlers run in a bubblewrap sandbox (${status.bwrap})` };
  const detail = `handlers run UNSANDBOXED, as your user (they can read your files and the cloud's data): ${status.reason}`;
  if (status.forcedOff) return { sandboxed: false, detail, fix: "Unset LOCALCLOUD_SANDBOX to sandbox them again." };
  if (status.fix) return { sandboxed: false, detail, fix: `To sandbox them: ${status.fix}.` };
  return { sandboxed: false, detail, fix: "Sandboxing needs Linux with bubblewrap; on macOS run only handler code you trust (or the kit in a Linux VM or container)." };
}
