/**
 * The embedded DynamoDB engine: one `dynalite` instance (LevelDB under
 * `<dataDir>/dynamodb/<account>/<region>`, memory-level when the cloud runs in
 * memory) per account and region, created on the first request that needs it
 * so the ~80 ms it costs to load dynalite and LevelDB never slows the cloud's
 * start-up.
 *
 * Requests are handed to dynalite's own HTTP request listener in-process (no
 * second hop over the network): the gateway's response object is passed
 * through and dynalite writes its answer — including the `x-amz-crc32` header
 * the SDK's DynamoDB client verifies — straight to it. The request body has
 * already been read (for IAM authorization), so it is replayed from a small
 * stream that looks like an IncomingMessage.
 *
 * No socket of any kind: dynalite's server never listens, so the engine is
 * reachable only through the gateway (and its IAM check) — nothing else on
 * the machine, a web page or a Lambda handler included, can open it. Two
 * things dynalite would normally do through a listening server are done
 * in-process instead:
 * - Closing LevelDB: dynalite closes its database only from its server's
 *   close(), which fails before reaching the database when the server never
 *   listened. Its store (`dynalite/db`'s create()) is captured when the
 *   instance is created and its lifecycle manager closed directly
 *   (graceful: waits for pending LevelDB operations).
 * - Internal calls (DescribeTable for the TTL operations) go to the same
 *   request listener with an in-memory response that collects the body.
 * Both rely on dynalite 4's internals (`db/index.js` exports `create`, the
 * store has `db.close`); the DynamoDB tests fail loudly if an upgrade
 * changes them (the restart test cannot reopen a LevelDB left open).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as http from "node:http";
import { createRequire } from "node:module";
import { PassThrough } from "node:stream";

/** The slice of dynalite's (untyped, CommonJS) API used here. */
type DynaliteFactory = (options: {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => http.Server;

/** Time dynalite keeps tables in CREATING/DELETING/UPDATING. AWS takes seconds; waiters poll every 20 s
 * on AWS but only need to see the status change once, so a short real delay keeps the states visible. */
const TABLE_STATE_MS = 30;

/** dynalite's store (db/index.js create()): `db` is its LevelDB, whose close() is graceful. */
interface DynaliteStore {
  db: { close(callback: (err?: Error | null) => void): void };
}
interface DynaliteDbModule {
  create(options: unknown): DynaliteStore;
}

interface Instance {
  /** dynalite's request listener lives on this server; it never listens on any socket. */
  server: http.Server;
  store: DynaliteStore;
}

export class DynamoEngine {
  private readonly instances = new Map<string, Promise<Instance>>();
  private factory: DynaliteFactory | undefined;
  private dbModule: DynaliteDbModule | undefined;
  /** Responses dynalite is still writing: close() waits for them, because dynalite throws
   * (uncaught, from a LevelDB callback) when its database closes under a running request. */
  private readonly inFlight = new Set<Promise<void>>();
  /** When a table last changed state: dynalite flips CREATING→ACTIVE on a timer that must fire
   * before the database closes, or the table would stay CREATING after a restart. */
  private lastStateChange = 0;

  constructor(private readonly dataDir: string | null) {}

  private load(): DynaliteFactory {
    if (!this.factory) {
      const require = createRequire(import.meta.url);
      this.factory = require("dynalite") as DynaliteFactory;
      // The same module instance dynalite's index.js required as "./db" (one CommonJS cache).
      this.dbModule = require(path.join(path.dirname(require.resolve("dynalite")), "db", "index.js")) as DynaliteDbModule;
      if (typeof this.dbModule.create !== "function") throw new Error("dynalite/db has no create(): unsupported dynalite version");
    }
    return this.factory;
  }

  private dirFor(account: string, region: string): string | undefined {
    if (!this.dataDir) return undefined;
    if (!/^\d{12}$/.test(account) || !/^[a-z0-9-]+$/.test(region)) throw new Error(`bad account/region ${account}/${region}`);
    const dir = path.join(this.dataDir, "dynamodb", account, region);
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** The instance for an account and region, started on first use. */
  instance(account: string, region: string): Promise<Instance> {
    const key = `${account}/${region}`;
    let pending = this.instances.get(key);
    if (!pending) {
      pending = this.startInstance(account, region);
      this.instances.set(key, pending);
      pending.catch(() => this.instances.delete(key));
    }
    return pending;
  }

  private async startInstance(account: string, region: string): Promise<Instance> {
    const dynalite = this.load();
    // dynalite reads the account and region for its ARNs from the environment when its store is
    // created (synchronously, inside this call), so set them for exactly that moment.
    const saved = { account: process.env.AWS_ACCOUNT_ID, region: process.env.AWS_REGION };
    process.env.AWS_ACCOUNT_ID = account;
    process.env.AWS_REGION = region;
    const dbModule = this.dbModule!;
    const create = dbModule.create;
    let store: DynaliteStore | undefined;
    // Capture the store dynalite creates (synchronously, inside this call) so it can be closed without a server.
    dbModule.create = (options: unknown) => (store = create(options));
    let server: http.Server;
    try {
      server = dynalite({
        path: this.dirFor(account, region),
        createTableMs: TABLE_STATE_MS,
        deleteTableMs: TABLE_STATE_MS,
        updateTableMs: TABLE_STATE_MS,
      });
    } finally {
      dbModule.create = create;
      restoreEnv("AWS_ACCOUNT_ID", saved.account);
      restoreEnv("AWS_REGION", saved.region);
    }
    if (!store) throw new Error("dynalite did not create its store through db.create(): unsupported dynalite version");
    return { server, store };
  }

  /** Whether the account and region may have tables: its instance runs, or its data directory exists (without starting dynalite). */
  hasData(account: string, region: string): boolean {
    if (this.instances.has(`${account}/${region}`)) return true;
    return this.dataDir !== null && /^\d{12}$/.test(account) && /^[a-z0-9-]+$/.test(region) && fs.existsSync(path.join(this.dataDir, "dynamodb", account, region));
  }

  /** Let dynalite answer a request whose body was already read. */
  async dispatch(account: string, region: string, req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): Promise<void> {
    const { server } = await this.instance(account, region);
    const target = String(req.headers["x-amz-target"] ?? "");
    if (/\.(CreateTable|DeleteTable|UpdateTable)$/.test(target)) this.lastStateChange = Date.now();
    this.track(
      new Promise<void>((resolve) => {
        res.once("finish", resolve);
        res.once("close", resolve);
      }),
    );
    replayRequest(server, req.headers, req.method, req.url, body, res);
  }

  /** An internal call (same JSON protocol, same in-process listener) — used for DescribeTable checks. */
  async call<T>(account: string, region: string, operation: string, input: unknown): Promise<{ status: number; body: T }> {
    const { server } = await this.instance(account, region);
    if (/^(CreateTable|DeleteTable|UpdateTable)$/.test(operation)) this.lastStateChange = Date.now();
    const headers: http.IncomingHttpHeaders = {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      "x-amz-date": new Date().toISOString().replace(/[-:]|\.\d+/g, ""),
      authorization: `AWS4-HMAC-SHA256 Credential=localcloud/20000101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    };
    const response = new CollectedResponse();
    this.track(response.done);
    replayRequest(server, headers, "POST", "/", JSON.stringify(input), response);
    const text = await response.done;
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = {} as T; // dynalite answers every POST in JSON; an empty body stays a plain status check
    }
    return { status: response.statusCode, body };
  }

  private track(done: Promise<unknown>): void {
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
  }

  /** Close every instance (its LevelDB included). */
  async close(): Promise<void> {
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, 2000))]);
    const settle = this.lastStateChange + TABLE_STATE_MS + 20 - Date.now();
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    const pending = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(
      pending.map(async (p) => {
        const instance = await p.catch(() => undefined);
        if (!instance) return;
        await new Promise<void>((resolve, reject) => instance.store.db.close((err) => (err ? reject(err) : resolve())));
      }),
    );
  }

  /** Close and delete every table's data (POST /_localcloud/reset). */
  async reset(): Promise<void> {
    await this.close();
    if (this.dataDir) fs.rmSync(path.join(this.dataDir, "dynamodb"), { recursive: true, force: true });
  }
}

/** Hand dynalite's listener a request whose body is already in memory, from a small stream that looks like an IncomingMessage. */
function replayRequest(server: http.Server, headers: http.IncomingHttpHeaders, method: string | undefined, url: string | undefined, body: Buffer | string, res: unknown): void {
  const replay = new PassThrough() as PassThrough & Partial<http.IncomingMessage>;
  replay.headers = headers;
  replay.method = method;
  replay.url = url;
  server.emit("request", replay, res);
  replay.end(body);
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The slice of ServerResponse dynalite's sendData uses, collecting the body in memory (internal calls). */
class CollectedResponse {
  statusCode = 200;
  contentType?: string;
  private readonly headers = new Map<string, number | string>();
  private resolve!: (text: string) => void;
  readonly done = new Promise<string>((resolve) => (this.resolve = resolve));

  setHeader(name: string, value: number | string): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  getHeader(name: string): number | string | undefined {
    return this.headers.get(name.toLowerCase());
  }
  end(body?: string | Buffer): this {
    this.resolve(body === undefined ? "" : String(body));
    return this;
  }
}
