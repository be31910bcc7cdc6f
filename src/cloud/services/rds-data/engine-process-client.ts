/**
 * The cloud's side of one engine process (engine-process.mjs): start it,
 * send it one request at a time, end it. A process that dies (crash, OOM,
 * killed) fails its pending requests with EngineGone; the host starts a new
 * one on the next request.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./engine-process.mjs", import.meta.url));

export interface EngineError {
  message: string;
  code?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
  constraint?: string;
  /** A PostgreSQL error (has a SQLSTATE), as opposed to an engine failure. */
  pg?: boolean;
  /** The result was past the Data API's response limit (not sent). */
  tooLarge?: boolean;
}

export class EngineCallError extends Error {
  constructor(readonly engine: EngineError) {
    super(engine.message);
  }
}

export class EngineGone extends Error {}

type Pending = { resolve: (v: any) => void; reject: (e: Error) => void };

export class EngineProcess {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exited = false;
  readonly exitedPromise: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    this.exitedPromise = new Promise((resolve) => {
      child.on("exit", () => {
        this.exited = true;
        for (const p of this.pending.values()) p.reject(new EngineGone("the database engine process ended"));
        this.pending.clear();
        resolve();
      });
    });
    child.on("message", (msg: { id: number; ok: boolean; result?: unknown; error?: EngineError }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new EngineCallError(msg.error ?? { message: "unknown engine error" }));
    });
    child.on("error", () => undefined);
  }

  static async start(): Promise<EngineProcess> {
    // No tsx loader needed (plain .mjs); a smaller heap cap is not set: the WebAssembly memory is outside V8's heap.
    const child = fork(SCRIPT, [], { stdio: ["ignore", "ignore", "pipe", "ipc"], execArgv: [], serialization: "advanced" });
    child.stderr?.resume();
    const engine = new EngineProcess(child);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: { id: number }) => {
        if (msg.id === 0) {
          child.off("message", onMessage);
          resolve();
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code) => reject(new EngineGone(`the database engine process ended at start (exit code ${code})`)));
    });
    return engine;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  call<T = any>(message: Record<string, unknown>): Promise<T> {
    if (this.exited) return Promise.reject(new EngineGone("the database engine process ended"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...message, id });
    });
  }

  /** Close the database cleanly and end the process; kill it if it does not end within `ms`. */
  async stop(ms = 10_000): Promise<void> {
    if (this.exited) return;
    const timer = setTimeout(() => this.child.kill("SIGKILL"), ms);
    try {
      await this.call({ op: "close" }).catch(() => undefined);
      await this.exitedPromise;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}
