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
import { DEFAULT_AUTH, type AuthConfig } from "./core/identity.js";
import { withAnonymousAccess } from "./gateway/auth/anonymous.js";
import { randomBytes } from "node:crypto";

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
  /**
   * The administrator's credentials: `{ accessKeyId, secretAccessKey }` or
   * "KEY:SECRET". Default: env LOCALCLOUD_CREDENTIALS, else test/test.
   */
  credentials?: { accessKeyId: string; secretAccessKey: string } | string;
  /** "verify" (default): SigV4 checked on every request; "any": any key is the administrator (env LOCALCLOUD_AUTH). */
  auth?: "verify" | "any";
  /** Allowed clock skew in minutes (AWS: 15); Infinity turns the check off (env LOCALCLOUD_MAX_SKEW_MINUTES). */
  maxClockSkewMinutes?: number;
  /** The token /_localcloud/reset and /traces accept; random by default. */
  adminToken?: string;
}

/** Credentials as "KEY:SECRET" (the secret may itself contain ":"). */
export function parseCredentials(text: string): { accessKeyId: string; secretAccessKey: string } {
  const colon = text.indexOf(":");
  const accessKeyId = colon > 0 ? text.slice(0, colon).trim() : "";
  const secretAccessKey = colon > 0 ? text.slice(colon + 1).trim() : "";
  if (!/^[A-Za-z0-9]{1,128}$/.test(accessKeyId) || !secretAccessKey) {
    throw new Error(`Credentials must look like KEY:SECRET, the key made of letters and digits (got "${text}").`);
  }
  return { accessKeyId, secretAccessKey };
}

/** Fresh administrator credentials, for a cloud shared beyond this machine. */
export function generateCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: "LC" + randomBytes(9).toString("hex").toUpperCase(), secretAccessKey: randomBytes(30).toString("base64url") };
}

/** Thrown by start() for a classroom-shared cloud (0.0.0.0) left with the well-known credentials. */
export class UnsafeSharingError extends Error {
  constructor(readonly suggested: { accessKeyId: string; secretAccessKey: string }) {
    super(
      "A cloud shared on the network (--host 0.0.0.0) must not use the well-known credentials test/test, nor --auth any: anyone on the network could use it. " +
        `Start it with credentials of your own, e.g. --credentials ${suggested.accessKeyId}:${suggested.secretAccessKey}`,
    );
  }
}

function authConfig(options: StartOptions, host: string): AuthConfig {
  const given = options.credentials ?? process.env.LOCALCLOUD_CREDENTIALS;
  const creds = typeof given === "string" ? parseCredentials(given) : (given ?? { accessKeyId: DEFAULT_AUTH.accessKeyId, secretAccessKey: DEFAULT_AUTH.secretAccessKey });
  const mode = options.auth ?? (process.env.LOCALCLOUD_AUTH === "any" ? "any" : "verify");
  const envSkew = process.env.LOCALCLOUD_MAX_SKEW_MINUTES;
  const skewMinutes = options.maxClockSkewMinutes ?? (envSkew ? Number(envSkew) : 15);
  const shared = host === "0.0.0.0" || host === "::";
  const wellKnown = creds.accessKeyId === DEFAULT_AUTH.accessKeyId && creds.secretAccessKey === DEFAULT_AUTH.secretAccessKey;
  if (shared && (wellKnown || mode === "any")) throw new UnsafeSharingError(generateCredentials());
  return { mode, ...creds, maxSkewMs: skewMinutes > 0 ? skewMinutes * 60_000 : DEFAULT_AUTH.maxSkewMs };
}

export interface RunningCloud {
  /** e.g. http://127.0.0.1:4566 */
  endpoint: string;
  port: number;
  cloud: Cloud;
  /** The administrator's credentials the cloud accepts (test/test unless configured). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** For /_localcloud/reset and /traces (header x-localcloud-token). */
  adminToken: string;
  close(): Promise<void>;
}

/** Default time scale: AWS's minute-long async retry waits become seconds. */
export const DEFAULT_TIME_SCALE = 1 / 60;

export async function start(options: StartOptions = {}): Promise<RunningCloud> {
  const host = options.host ?? DEFAULT_HOST;
  const config: CloudConfig = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    dataDir: options.inMemory ? null : path.resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    iam: options.iam ?? (process.env.LOCALCLOUD_IAM === "off" ? "off" : "enforce"),
    timeScale: options.timeScale ?? DEFAULT_TIME_SCALE,
    lifecycleDaySeconds: options.lifecycleDaySeconds,
    logLevel: options.logLevel ?? "info",
    logSink: options.logSink,
    auth: authConfig(options, host),
  };
  // One cloud per data dir (core/data-dir-lock.ts): taken before the store loads, released after it closes.
  const lock = config.dataDir ? DataDirLock.acquire(config.dataDir) : undefined;
  try {
    return await startLocked(config, lock, options.adminToken);
  } catch (err) {
    lock?.release();
    throw err;
  }
}

async function startLocked(config: CloudConfig, lock: DataDirLock | undefined, adminToken: string | undefined): Promise<RunningCloud> {
  const cloud = new Cloud(config);
  // Anything that escapes every handler is logged and counted, never fatal (core/escape-guard.ts).
  cloud.onClose(installEscapeGuard(cloud, cloud.log));
  // IAM enforcement for role-session callers (src/cloud/policy/enforce.ts); "off" keeps allow-all.
  if (config.iam === "enforce") cloud.authorizer = (await import("./policy/enforce.js")).createEnforcingAuthorizer(cloud);
  // Unsigned (anonymous) callers get only what resource policies grant, whatever the IAM mode.
  cloud.authorizer = withAnonymousAccess(cloud, cloud.authorizer);
  if (config.auth!.mode === "any") cloud.log.warn("auth: --auth any — signatures are NOT verified: any access key is the administrator. Use it only on a machine you trust.");
  const factories = await Promise.all(serviceLoaders.map((load) => load()));
  for (const { default: factory } of factories) cloud.services.push(await factory(cloud));
  const gateway = await startGateway(cloud, config.port, config.host, { adminToken });
  const hostForUrl = config.host === "0.0.0.0" || config.host === "::" ? "127.0.0.1" : config.host;
  cloud.endpoint = `http://${hostForUrl.includes(":") ? `[${hostForUrl}]` : hostForUrl}:${gateway.port}`;
  lock?.update(gateway.port, cloud.endpoint);
  let closed: Promise<void> | undefined;
  return {
    endpoint: cloud.endpoint,
    port: gateway.port,
    cloud,
    credentials: { accessKeyId: config.auth!.accessKeyId, secretAccessKey: config.auth!.secretAccessKey },
    adminToken: gateway.adminToken,
    close: () => (closed ??= (async () => {
      await gateway.close();
      await cloud.close();
      lock?.release();
    })()),
  };
}
