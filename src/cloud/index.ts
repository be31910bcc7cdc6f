/**
 * The local cloud's public surface (design.md): `start({ port, dataDir })`
 * returns a running cloud — its endpoint, and `close()`. Everything else is
 * the AWS wire protocols on that endpoint plus /_localcloud/*. The kit starts
 * it only through this function (or as a process via cli.ts).
 */
import * as path from "node:path";
import { Cloud, type CloudConfig } from "./core/cloud.js";
import { startGateway } from "./gateway/server.js";
import { serviceLoaders } from "./services/registry.js";
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from "./core/constants.js";
import type { LogLevel } from "./core/trace.js";
import { DataDirLock } from "./core/data-dir-lock.js";
import { installEscapeGuard } from "./core/escape-guard.js";

export interface StartOptions {
  /** 0 = any free port. Default 4566. */
  port?: number;
  host?: string;
  /** Data directory; default ".localcloud". Ignored with inMemory. */
  dataDir?: string;
  inMemory?: boolean;
  iam?: "enforce" | "off";
  timeScale?: number;
  /** Real seconds per day of S3 lifecycle rules (default 10). */
  lifecycleDaySeconds?: number;
  logLevel?: LogLevel;
  logSink?: (line: string) => void;
}

export interface RunningCloud {
  /** e.g. http://127.0.0.1:4566 */
  endpoint: string;
  port: number;
  cloud: Cloud;
  close(): Promise<void>;
}

/** Default time scale: AWS's minute-long async retry waits become seconds. */
export const DEFAULT_TIME_SCALE = 1 / 60;

export async function start(options: StartOptions = {}): Promise<RunningCloud> {
  const config: CloudConfig = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    dataDir: options.inMemory ? null : path.resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    iam: options.iam ?? (process.env.LOCALCLOUD_IAM === "off" ? "off" : "enforce"),
    timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
    lifecycleDaySeconds: options.lifecycleDaySeconds,
    logLevel: options.logLevel ?? "info",
    logSink: options.logSink,
  };
  // One cloud per data dir (core/data-dir-lock.ts): taken before the store loads, released after it closes.
  const lock = config.dataDir ? DataDirLock.acquire(config.dataDir) : undefined;
  try {
    return await startLocked(config, lock);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function startLocked(config: CloudConfig, lock: DataDirLock | undefined): Promise<RunningCloud> {
  const cloud = new Cloud(config);
  // Anything that escapes every handler is logged and counted, never fatal (core/escape-guard.ts).
  cloud.onClose(installEscapeGuard(cloud, cloud.log));
  // IAM enforcement for role-session callers (src/cloud/policy/enforce.ts); "off" keeps allow-all.
  if (config.iam === "enforce") cloud.authorizer = (await import("./policy/enforce.js")).createEnforcingAuthorizer(cloud);
  const factories = await Promise.all(serviceLoaders.map((load) => load()));
  for (const { default: factory } of factories) cloud.services.push(await factory(cloud));
  const gateway = await startGateway(cloud, config.port, config.host);
  const hostForUrl = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  cloud.endpoint = `http://${hostForUrl.includes(":") ? `[${hostForUrl}]` : hostForUrl}:${gateway.port}`;
  lock?.update(gateway.port, cloud.endpoint);
  let closed: Promise<void> | undefined;
  return {
    endpoint: cloud.endpoint,
    port: gateway.port,
    cloud,
    close: () => (closed ??= (async () => {
      await gateway.close();
      await cloud.close();
      lock?.release();
    })()),
  };
}
