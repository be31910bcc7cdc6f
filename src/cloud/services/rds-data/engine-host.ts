/**
 * The PGlite engines, one per DB cluster, each in its own process
 * (engine-process.mjs), and everything about their life:
 *
 * - **Files.** A cluster's database lives in `<data dir>/rds-data/<account>/
 *   <region>/<cluster>/` (or the scratch dir for an in-memory cloud), copied
 *   from the cached template (template.ts) when the cluster is created.
 *   PGlite writes PostgreSQL's own files there; a statement is acknowledged
 *   after PostgreSQL has written its WAL, so a kill -9 of the cloud (or of the
 *   engine) loses nothing acknowledged: the next open recovers.
 * - **One connection.** A PGlite instance is one connection, so statements
 *   and transactions are serialized per cluster: an autocommit statement
 *   takes the cluster's lock for its own run; BeginTransaction takes it until
 *   Commit/Rollback (or the transaction's 3-minute idle rollback, scaled by
 *   the cloud's time scale). Other callers wait their turn (at most 45 s,
 *   then StatementTimeoutException). On AWS they would run concurrently.
 * - **Auto-pause.** With MinCapacity 0 the engine stops after
 *   SecondsUntilAutoPause without a call (scaled by the time scale; no open
 *   transaction), which frees its memory; the next statement answers
 *   DatabaseResumingException once while the engine starts again, as AWS
 *   answers it for a paused cluster. The paused mark is persisted. Clusters
 *   with MinCapacity ≥ 0.5 never pause; their engine is still released after
 *   the same idle time and restarted silently on the next call.
 * - **Time limit.** A statement running 45 s (real seconds) answers
 *   StatementTimeoutException and its engine is stopped (the statement
 *   rolls back), unless continueAfterTimeout: then it runs on holding the lock.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import type { Cloud } from "../../core/cloud.js";
import type { RdsClusterInfo } from "../../core/internal-apis.js";
import type { Table } from "../../core/store.js";
import { EngineCallError, EngineGone, EngineProcess } from "./engine-process-client.js";
import { ensureTemplate } from "./template.js";
import type { EngineResult } from "./results.js";

interface EngineRecord {
  arn: string;
  dir: string;
  username: string;
  paused?: boolean;
}

interface Transaction {
  id: string;
  arn: string;
  release: () => void;
  busy: boolean;
  timer?: NodeJS.Timeout;
}

export interface PauseSettings {
  /** The writer instance AWS names in DatabaseResumingException. */
  writer?: string;
  /** AWS seconds of idleness before the engine stops; undefined = the default 300. */
  secondsUntilAutoPause?: number;
  /** Whether stopping is a pause AWS would report (MinCapacity 0). */
  autoPause: boolean;
}

/** A cluster's auto-pause settings as RDS holds them (MinCapacity 0 is what makes a stop a pause). */
export function pauseSettings(cluster: RdsClusterInfo): PauseSettings {
  return { autoPause: cluster.minCapacity === 0, secondsUntilAutoPause: cluster.secondsUntilAutoPause, writer: cluster.writerIdentifier };
}

const STATEMENT_TIMEOUT_MS = 45_000;
const LOCK_WAIT_MS = 45_000;
const TRANSACTION_IDLE_MS = 3 * 60_000;

class ClusterEngine {
  proc?: EngineProcess;
  starting?: Promise<EngineProcess>;
  /** A released engine still closing its database: a new one waits for it (one engine per directory). */
  stopping?: Promise<void>;
  private tail: Promise<void> = Promise.resolve();
  holders = 0;
  idleTimer?: NodeJS.Timeout;
  pause: PauseSettings = { autoPause: false };

  constructor(readonly record: EngineRecord) {}

  /** Wait for the cluster's one connection; resolves to its release. */
  acquire(timeoutMs: number): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = this.tail;
    this.tail = before.then(() => mine);
    this.holders++;
    let done = false;
    const releaseOnce = () => {
      if (done) return;
      done = true;
      this.holders--;
      release();
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        // Give the place in the queue back as soon as it comes, and fail now.
        before.then(releaseOnce);
        reject(new AwsError("StatementTimeoutException", "Request timed out: the cluster's one connection stayed busy (another transaction or statement) for 45 seconds.", { fields: { dbConnectionId: 0 } }));
      }, timeoutMs);
      before.then(() => {
        clearTimeout(timer);
        resolve(releaseOnce);
      });
    });
  }
}

export class EngineHost {
  private readonly records: Table<EngineRecord>;
  private readonly engines = new Map<string, ClusterEngine>();
  private readonly transactions = new Map<string, Transaction>();
  private readonly root: string;
  private closed = false;

  constructor(private readonly cloud: Cloud) {
    this.records = cloud.store.table<EngineRecord>("rds-data.engines");
    this.root = cloud.store.dataDir ? path.join(cloud.store.dataDir, "rds-data") : path.join(cloud.store.scratchDir("rds-data"));
  }

  private dirFor(arn: string): string {
    const [, , , region, account, , id] = arn.split(":");
    return path.join(this.root, account!, region!, id!);
  }

  private engine(arn: string): ClusterEngine | undefined {
    let e = this.engines.get(arn);
    if (!e) {
      const record = this.records.get(arn);
      if (!record) return undefined;
      e = new ClusterEngine(record);
      this.engines.set(arn, e);
    }
    return e;
  }

  /** Lay down a new cluster's database from the template, and start its engine in the background (the master user is created there). */
  async prepare(arn: string, username: string, pause: PauseSettings): Promise<void> {
    const started = Date.now();
    const template = await ensureTemplate((m) => this.cloud.log.info(m));
    const dir = this.dirFor(arn);
    await this.drop(arn);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await fs.promises.cp(template, dir, { recursive: true });
    const copied = Date.now();
    const record: EngineRecord = { arn, dir, username };
    this.records.set(arn, record);
    const engine = new ClusterEngine(record);
    engine.pause = pause;
    this.engines.set(arn, engine);
    this.cloud.log.debug(`rds-data: ${arn} files laid down in ${copied - started} ms`);
    // The engine starts now, beside the rest of the creation (the writer instance, the caller's waiter);
    // the cluster is available once its files are: a first statement waits for the start if it comes sooner.
    void this.running(engine).then(
      () => {
        this.cloud.log.debug(`rds-data: ${arn} engine started ${Date.now() - copied} ms after its files`);
        this.scheduleIdle(engine);
      },
      (err) => this.cloud.log.warn(`rds-data: the engine of ${arn} did not start (it is tried again on the next statement): ${(err as Error).message}`),
    );
  }

  async drop(arn: string): Promise<void> {
    const engine = this.engines.get(arn);
    this.engines.delete(arn);
    for (const t of this.transactionsOf(arn)) this.endTransaction(t);
    if (engine) {
      clearTimeout(engine.idleTimer);
      const proc = engine.proc ?? (await engine.starting?.catch(() => undefined));
      proc?.kill();
      await proc?.exitedPromise;
    }
    this.records.delete(arn);
    await fs.promises.rm(this.dirFor(arn), { recursive: true, force: true, maxRetries: 3 });
  }

  /** Answer DatabaseResumingException once for a paused cluster, and start it resuming. */
  checkResume(arn: string, pause: PauseSettings): void {
    const engine = this.need(arn);
    engine.pause = pause;
    if (!engine.record.paused) return;
    engine.record.paused = false;
    this.records.set(arn, engine.record);
    void this.running(engine).then(
      () => this.scheduleIdle(engine),
      (err) => this.cloud.log.warn(`rds-data: resuming ${arn} failed: ${(err as Error).message}`),
    );
    throw new AwsError(
      "DatabaseResumingException",
      `The Aurora DB instance ${pause.writer ?? arn.split(":")[6]} is resuming after being auto-paused. Please wait a few seconds and try again.`,
    );
  }

  private need(arn: string): ClusterEngine {
    const engine = this.engine(arn);
    if (!engine) throw new AwsError("DatabaseNotFoundException", "The DB cluster doesn't have a database: it may still be creating.", { status: 404 });
    return engine;
  }

  private async running(engine: ClusterEngine): Promise<EngineProcess> {
    if (engine.proc?.alive) return engine.proc;
    engine.starting ??= (async () => {
      await engine.stopping;
      const proc = await EngineProcess.start();
      try {
        await proc.call({ op: "open", dir: engine.record.dir, username: engine.record.username });
      } catch (err) {
        proc.kill();
        throw err;
      }
      if (this.closed || this.engines.get(engine.record.arn) !== engine) {
        await proc.stop();
        throw new EngineGone("the cluster was deleted or the cloud closed while its engine started");
      }
      engine.proc = proc;
      // However it ends (released, crashed, killed at a timeout), its open transactions end with it: PostgreSQL rolled them back.
      void proc.exitedPromise.then(() => {
        if (engine.proc === proc) engine.proc = undefined;
        for (const t of this.transactionsOf(engine.record.arn)) this.endTransaction(t);
      });
      return proc;
    })().finally(() => (engine.starting = undefined));
    return engine.starting;
  }

  private scheduleIdle(engine: ClusterEngine): void {
    clearTimeout(engine.idleTimer);
    if (this.closed) return;
    const seconds = engine.pause.secondsUntilAutoPause ?? 300;
    engine.idleTimer = setTimeout(() => void this.idle(engine), this.cloud.scaled(seconds * 1000));
    engine.idleTimer.unref();
  }

  private async idle(engine: ClusterEngine): Promise<void> {
    if (engine.holders > 0 || !engine.proc) return; // busy: the next release reschedules
    if (this.transactionsOf(engine.record.arn).length > 0) return;
    const proc = engine.proc;
    engine.proc = undefined;
    if (engine.pause.autoPause) {
      engine.record.paused = true;
      this.records.set(engine.record.arn, engine.record);
      this.cloud.log.debug(`rds-data: ${engine.record.arn} auto-paused`);
    }
    engine.stopping = proc.stop().finally(() => (engine.stopping = undefined));
    await engine.stopping;
  }

  /** Run one statement: in its transaction, or alone (autocommit) holding the cluster's connection. */
  async execute(arn: string, statement: { text: string; values: Array<string | null>; types: number[] }, options: { transactionId?: string; continueAfterTimeout?: boolean }): Promise<EngineResult> {
    const engine = this.need(arn);
    if (options.transactionId !== undefined) {
      const t = this.transaction(arn, options.transactionId);
      if (t.busy) throw new AwsError("DatabaseErrorException", "Transaction is still running a query");
      t.busy = true;
      try {
        return await this.run(engine, { op: "query", sql: statement.text, params: statement.values, types: statement.types }, options.continueAfterTimeout);
      } finally {
        t.busy = false;
        this.touch(t);
      }
    }
    const release = await engine.acquire(LOCK_WAIT_MS);
    try {
      return await this.run(engine, { op: "query", sql: statement.text, params: statement.values, types: statement.types, autocommit: true }, options.continueAfterTimeout);
    } finally {
      release();
      this.scheduleIdle(engine);
    }
  }

  async begin(arn: string): Promise<string> {
    const engine = this.need(arn);
    const release = await engine.acquire(LOCK_WAIT_MS);
    try {
      await this.run(engine, { op: "query", sql: "BEGIN", params: [], types: [] });
    } catch (err) {
      release();
      throw err;
    }
    const t: Transaction = { id: randomBytes(96).toString("base64"), arn, release, busy: false };
    this.transactions.set(t.id, t);
    this.touch(t);
    return t.id;
  }

  /** COMMIT or ROLLBACK; returns AWS's transactionStatus. */
  async end(arn: string, id: string, how: "COMMIT" | "ROLLBACK"): Promise<string> {
    const engine = this.need(arn);
    const t = this.transaction(arn, id);
    if (t.busy) throw new AwsError("DatabaseErrorException", "Transaction is still running a query");
    t.busy = true;
    try {
      const result = await this.run(engine, { op: "query", sql: how, params: [], types: [] });
      // COMMIT of a transaction a failed statement aborted rolls back (PostgreSQL answers ROLLBACK).
      return how === "COMMIT" && result.command !== "ROLLBACK" ? "Transaction Committed" : "Rollback Complete";
    } finally {
      this.endTransaction(t);
      this.scheduleIdle(engine);
    }
  }

  private transaction(arn: string, id: string): Transaction {
    const t = this.transactions.get(id);
    if (!t || t.arn !== arn) throw new AwsError("TransactionNotFoundException", `Transaction ${id} is not found`, { status: 404 });
    return t;
  }

  /** A transaction without a call for 3 minutes (scaled) is rolled back, as AWS does. */
  private touch(t: Transaction): void {
    clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      const engine = this.engines.get(t.arn);
      if (!this.transactions.has(t.id)) return;
      if (t.busy) return this.touch(t);
      this.endTransaction(t);
      if (engine?.proc) void engine.proc.call({ op: "query", sql: "ROLLBACK", params: [], types: [] }).catch(() => undefined);
      if (engine) this.scheduleIdle(engine);
    }, this.cloud.scaled(TRANSACTION_IDLE_MS));
    t.timer.unref();
  }

  /** The open transactions of one cluster (a copy: ending them while iterating is safe). */
  private transactionsOf(arn: string): Transaction[] {
    return [...this.transactions.values()].filter((t) => t.arn === arn);
  }

  private endTransaction(t: Transaction): void {
    clearTimeout(t.timer);
    this.transactions.delete(t.id);
    t.release();
  }

  private async run(engine: ClusterEngine, message: Record<string, unknown>, continueAfterTimeout = false): Promise<EngineResult> {
    let proc: EngineProcess;
    try {
      proc = await this.running(engine);
    } catch (err) {
      if (err instanceof EngineCallError) throw new AwsError("DatabaseErrorException", `The database could not be opened: ${err.engine.message}`);
      throw new AwsError("DatabaseErrorException", `The database engine did not start: ${(err as Error).message}`);
    }
    let timer: NodeJS.Timeout | undefined;
    const call = proc.call<EngineResult>(message);
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // AWS cancels the statement unless continueAfterTimeout; here cancelling means stopping the engine.
        if (!continueAfterTimeout) proc.kill();
        reject(new AwsError("StatementTimeoutException", "Request timed out", { fields: { dbConnectionId: proc.pid ?? 0 } }));
      }, STATEMENT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([call, timeout]);
    } catch (err) {
      if (err instanceof EngineCallError) throw sqlError(err);
      if (err instanceof EngineGone) {
        engine.proc = undefined;
        throw new AwsError("DatabaseErrorException", `The database engine stopped while running the statement (${err.message}); it starts again on the next call.`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
      if (continueAfterTimeout) call.catch(() => undefined);
    }
  }

  /** The engine process of a cluster, if running (for memory figures). */
  pid(arn: string): number | undefined {
    return this.engines.get(arn)?.proc?.pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of [...this.transactions.values()]) this.endTransaction(t);
    await Promise.all(
      [...this.engines.values()].map(async (e) => {
        clearTimeout(e.idleTimer);
        const proc = e.proc ?? (await e.starting?.catch(() => undefined));
        await proc?.stop();
      }),
    );
    this.engines.clear();
  }

  async reset(): Promise<void> {
    const arns = [...this.records.keys()];
    await this.close();
    this.closed = false;
    for (const arn of arns) await fs.promises.rm(this.dirFor(arn), { recursive: true, force: true, maxRetries: 3 });
  }
}

/** A PostgreSQL error in the Data API's shape: DatabaseErrorException with the server's text and SQLSTATE (§9). */
export function sqlError(err: EngineCallError): AwsError {
  const e = err.engine;
  if (e.tooLarge) return new AwsError("BadRequestException", e.message);
  if (!e.pg) return new AwsError("DatabaseErrorException", `The database engine failed: ${e.message}`);
  let text = `${e.severity ?? "ERROR"}: ${e.message}`;
  if (e.detail) text += `\n  Detail: ${e.detail}`;
  if (e.hint) text += `\n  Hint: ${e.hint}`;
  if (e.position) text += `\n  Position: ${e.position}`;
  text += `; SQLState: ${e.code}`;
  return new AwsError("DatabaseErrorException", text);
}
