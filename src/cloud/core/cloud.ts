/**
 * The Cloud: one running local cloud's shared parts — configuration, the
 * persistent store, who-is-calling, the trace log, the destination registry
 * and the authorizer — plus the registered services. Services receive it at
 * start-up and talk to each other only through it: `destinations` for routed
 * events, and `provide`/`use` for the few internal APIs one service offers
 * another (Lambda's invoke for SQS event source mappings, IAM's role lookup
 * for Lambda), so no service folder imports another.
 */
import { Store } from "./store.js";
import { IdentityRegistry, type AuthConfig } from "./identity.js";
import { Logger, TraceLog, type LogLevel } from "./trace.js";
import { Destinations } from "./destinations.js";
import { Faults } from "./faults/index.js";
import { allowAll, type Authorizer } from "./authorizer.js";
import type { ServiceModule } from "./service.js";

export interface CloudConfig {
  port: number;
  host: string;
  /** null = in memory. */
  dataDir: string | null;
  /** IAM enforcement for role-session callers. */
  iam: "enforce" | "off";
  /**
   * Local time scale for AWS's long waits (async-invoke retries after 1 and 2
   * minutes become 1 and 2 seconds at 1/60). Documented in docs/architecture.md.
   */
  timeScale: number;
  /** Real seconds one "day" of S3 lifecycle rules lasts (default 10; services/s3/lifecycle). */
  lifecycleDaySeconds?: number;
  logLevel: LogLevel;
  /** Where log lines go (stderr by default). */
  logSink?: (line: string) => void;
  /** Request authentication (gateway/auth/); default: verify, admin test/test. */
  auth?: AuthConfig;
}

export class Cloud {
  readonly store: Store;
  readonly identity: IdentityRegistry;
  readonly log: Logger;
  readonly trace: TraceLog;
  readonly destinations: Destinations;
  /** Injected faults (core/faults/): off unless an administrator adds a rule. */
  readonly faults: Faults;
  authorizer: Authorizer = allowAll;
  readonly services: ServiceModule[] = [];
  /** Base URL the cloud listens on (set once listening), e.g. http://127.0.0.1:4566. */
  endpoint = "";
  readonly startedAt = Date.now();
  /** Errors the process guard caught while this cloud ran (core/escape-guard.ts); 0 unless there is a bug. */
  escapedErrors = 0;
  private readonly internals = new Map<string, unknown>();
  private readonly resetHooks: Array<() => void | Promise<void>> = [];
  private readonly closeHooks: Array<() => void | Promise<void>> = [];

  constructor(readonly config: CloudConfig) {
    this.log = new Logger(config.logSink ?? ((line) => process.stderr.write(line + "\n")), config.logLevel);
    this.store = new Store(config.dataDir, { warn: (m) => this.log.warn(m) });
    this.trace = new TraceLog(this.log);
    this.identity = new IdentityRegistry(this.store, config.auth);
    this.faults = new Faults(this.trace);
    this.destinations = new Destinations(this.trace, this.log, this.faults);
  }

  /** Offer an internal API to other services, e.g. provide("lambda", { invoke }). */
  provide<T>(name: string, api: T): void {
    this.internals.set(name, api);
  }

  /** Use another service's internal API; undefined when that service is absent. */
  use<T>(name: string): T | undefined {
    return this.internals.get(name) as T | undefined;
  }

  /** Every internal API provided under a name starting with `prefix` (e.g. "tags:"), in the order provided. */
  useAll<T>(prefix: string): T[] {
    return [...this.internals].filter(([name]) => name.startsWith(prefix)).map(([, api]) => api as T);
  }

  /** Scale an AWS duration (ms) to local time. */
  scaled(ms: number): number {
    return Math.max(0, Math.round(ms * this.config.timeScale));
  }

  onReset(hook: () => void | Promise<void>): void {
    this.resetHooks.push(hook);
  }

  onClose(hook: () => void | Promise<void>): void {
    this.closeHooks.push(hook);
  }

  async reset(): Promise<void> {
    for (const service of this.services) await service.reset?.();
    for (const hook of this.resetHooks) await hook();
    await this.store.reset();
    this.trace.clear();
    this.faults.clear();
  }

  async close(): Promise<void> {
    for (const service of this.services) await service.close?.();
    for (const hook of this.closeHooks) await hook();
    await this.destinations.drain();
    this.store.close();
  }
}
