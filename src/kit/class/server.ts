/**
 * The class server (`npm run class -- serve`): participants' kits send their
 * grades here; the instructor watches the room on a live dashboard.
 *
 * Safe by default, like the local cloud:
 * - LAN only: it refuses to listen on a public address and answers only
 *   peers with private, link-local or loopback addresses.
 * - Joining needs the class's join code (8 characters, shown to the room;
 *   wrong codes are counted per address and refused for ten minutes after
 *   20); each participant then authenticates with a token of its own, so
 *   nobody can file results under another name.
 * - The dashboard needs the instructor's key: the printed link carries it
 *   once (`/dashboard/login?key=…`), it becomes an HttpOnly SameSite=Strict
 *   cookie, and the page moves to a URL without it (Referrer-Policy:
 *   no-referrer). Other web pages can neither read nor drive the dashboard:
 *   the Host header must name this server (no DNS rebinding), cross-site
 *   requests are refused (Sec-Fetch-Site, Origin), and nothing sends CORS
 *   headers.
 * - Request bodies are bounded (4 KiB for a join or a guided-step progress
 *   record, 256 KiB for a result) and
 *   checked for shape; nothing a participant sends is rendered as HTML.
 */
import * as http from "node:http";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { ClassStore, sameSecret, type Participant } from "./store.js";
import { classView, type LabInfo } from "./summary.js";
import { classCsv, classroom50Zip } from "./export.js";
import { cleanName, cleanProgress, MAX_PROGRESS_BYTES, MAX_RESULT_BYTES, reportProblem, SUBMISSION_ID, type JoinAnswer, type ProgressSubmission, type ResultSubmission } from "./protocol.js";
import { isPrivateAddress, lanAddresses } from "./network.js";

export interface ClassServerOptions {
  dir: string;
  labs: LabInfo[];
  name?: string;
  /** Address to listen on (default: this machine's first LAN address, else 127.0.0.1). */
  host?: string;
  port?: number;
}

export interface ClassServer {
  url: string;
  joinLink: string;
  dashboardLink: string;
  code: string;
  store: ClassStore;
  close(): Promise<void>;
}

const COOKIE = "sel_class";
const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "dashboard");
const STATIC: Record<string, string> = { "/dashboard/": "index.html", "/dashboard/app.js": "app.js", "/dashboard/app.css": "app.css" };
const TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8" };

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        // Stop reading and answer 413 (then close the connection): destroying the socket here would lose the answer.
        req.removeAllListeners("data");
        req.pause();
        reject(new HttpError(413, `request body over ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"));
      } catch {
        reject(new HttpError(400, "request body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", ...headers });
  res.end(text);
}

function cookieOf(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === COOKIE) return v.join("=");
  }
  return undefined;
}

export async function startClassServer(options: ClassServerOptions): Promise<ClassServer> {
  const host = options.host ?? lanAddresses()[0] ?? "127.0.0.1";
  if (!isPrivateAddress(host) && host !== "0.0.0.0") {
    throw new Error(`Refusing to serve the class on ${host}: it is not a private (LAN) address. Choose one with --host (this machine has: ${lanAddresses().join(", ") || "none"}).`);
  }
  const store = new ClassStore(options.dir, options.name);
  const labs = options.labs;
  const streams = new Set<http.ServerResponse>();
  const failedJoins = new Map<string, { count: number; since: number }>();
  let pending: NodeJS.Timeout | undefined;
  let port = 0;

  const broadcast = () => {
    // 30 participants finishing at once: one update per 250 ms is plenty for a person watching.
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      const data = `event: class\ndata: ${JSON.stringify(classView(store, labs))}\n\n`;
      for (const s of streams) s.write(data);
    }, 250);
  };

  const allowedHosts = () => {
    const names = host === "0.0.0.0" ? ["localhost", "127.0.0.1", "[::1]", ...lanAddresses()] : [host, "localhost", "127.0.0.1"];
    return new Set(names.map((n) => `${n}:${port}`));
  };

  const instructor = (req: http.IncomingMessage) => {
    const key = cookieOf(req);
    if (!key || !sameSecret(key, store.instructorKey)) throw new HttpError(401, "This is the instructor's dashboard: open the link `npm run class -- serve` printed.");
    const site = req.headers["sec-fetch-site"];
    if (site && site !== "same-origin" && site !== "none") throw new HttpError(403, "cross-site request refused");
  };

  const participant = (req: http.IncomingMessage) => {
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : "";
    const p = token ? store.byToken(token) : undefined;
    if (!p) throw new HttpError(401, "Unknown participant: join the class first (npm run class -- join <link> --name <name>).");
    return p;
  };

  /** A result or a progress record: its sender, a bounded body with a well-formed id; `storeIt` checks the rest and stores it once (false: a duplicate). */
  async function submit<T extends { id: string }>(req: http.IncomingMessage, res: http.ServerResponse, limit: number, what: string, storeIt: (p: Participant, body: T) => boolean): Promise<void> {
    const p = participant(req);
    const body = (await readBody(req, limit)) as T | null;
    if (typeof body?.id !== "string" || !SUBMISSION_ID.test(body.id)) throw new HttpError(400, `${what} id missing or malformed`);
    const stored = storeIt(p, body);
    if (stored) broadcast();
    return send(res, 202, { stored, duplicate: !stored });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const remote = req.socket.remoteAddress ?? "";
    if (!isPrivateAddress(remote)) throw new HttpError(403, "the class server answers only its LAN");
    if (!allowedHosts().has(String(req.headers.host ?? "").toLowerCase())) throw new HttpError(421, "wrong Host for this class server");
    const origin = req.headers.origin;
    if (req.method !== "GET" && origin && !allowedHosts().has(origin.replace(/^https?:\/\//, ""))) throw new HttpError(403, "cross-origin request refused");
    const url = new URL(req.url ?? "/", "http://class.local");

    if (req.method === "POST" && url.pathname === "/api/join") {
      const seen = failedJoins.get(remote);
      if (seen && seen.count >= 20 && Date.now() - seen.since < 600_000) throw new HttpError(429, "too many wrong join codes from this address; wait ten minutes");
      const body = (await readBody(req, 4096)) as { code?: unknown; name?: unknown } | null;
      if (typeof body?.code !== "string" || !store.codeMatches(body.code)) {
        const entry = seen && Date.now() - seen.since < 600_000 ? seen : { count: 0, since: Date.now() };
        entry.count++;
        failedJoins.set(remote, entry);
        throw new HttpError(403, "wrong join code: check the code the instructor showed");
      }
      const name = cleanName(body.name);
      if (!name) throw new HttpError(400, "a name of 1 to 40 characters is needed (--name)");
      const joined = store.join(name);
      if (!joined) throw new HttpError(409, `"${name}" is already in this class: choose another --name`);
      broadcast();
      const answer: JoinAnswer = { participantId: joined.participant.id, token: joined.token, className: store.name };
      return send(res, 201, answer);
    }
    if (req.method === "POST" && url.pathname === "/api/results") {
      return submit<ResultSubmission>(req, res, MAX_RESULT_BYTES, "result", (p, body) => {
        const problem = reportProblem(body.report);
        if (problem) throw new HttpError(400, problem);
        if (body.report.source !== "learner") throw new HttpError(422, "only grades of a participant's own files are results (not --solution)");
        return store.addResult(p, body.id, body.report);
      });
    }
    if (req.method === "POST" && url.pathname === "/api/progress") {
      return submit<ProgressSubmission>(req, res, MAX_PROGRESS_BYTES, "progress", (p, body) => {
        const progress = cleanProgress(body.progress);
        if (typeof progress === "string") throw new HttpError(400, progress);
        return store.addProgress(p, body.id, progress);
      });
    }
    if (req.method === "POST" && url.pathname === "/api/leave") {
      store.leave(participant(req));
      broadcast();
      return send(res, 200, { left: true });
    }
    if (req.method === "GET" && url.pathname === "/dashboard/login") {
      const key = url.searchParams.get("key") ?? "";
      if (!sameSecret(key, store.instructorKey)) throw new HttpError(401, "wrong dashboard key");
      res.writeHead(303, { location: "/dashboard/", "set-cookie": `${COOKIE}=${store.instructorKey}; HttpOnly; SameSite=Strict; Path=/`, "referrer-policy": "no-referrer" });
      return void res.end();
    }
    if (req.method === "GET" && (STATIC[url.pathname] || url.pathname === "/dashboard")) {
      instructor(req);
      const file = STATIC[url.pathname] ?? "index.html";
      const headers = {
        "content-type": TYPES[path.extname(file)]!,
        "content-security-policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
        "cache-control": "no-store",
      };
      res.writeHead(200, headers);
      return void res.end(fs.readFileSync(path.join(staticDir, file)));
    }
    if (req.method === "GET" && url.pathname === "/api/class") {
      instructor(req);
      return send(res, 200, classView(store, labs), { "cache-control": "no-store" });
    }
    if (req.method === "GET" && url.pathname === "/api/events") {
      instructor(req);
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
      res.write(`event: class\ndata: ${JSON.stringify(classView(store, labs))}\n\n`);
      streams.add(res);
      const beat = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
      req.on("close", () => {
        clearInterval(beat);
        streams.delete(res);
      });
      return;
    }
    if (req.method === "GET" && url.pathname === "/api/export.csv") {
      instructor(req);
      return send(res, 200, classCsv(store, labs), { "content-type": "text/csv; charset=utf-8", "content-disposition": 'attachment; filename="class-results.csv"' });
    }
    if (req.method === "GET" && url.pathname === "/api/export-classroom50.zip") {
      instructor(req);
      return send(res, 200, classroom50Zip(store, labs), { "content-type": "application/zip", "content-disposition": 'attachment; filename="classroom50-results.zip"' });
    }
    if (req.method === "GET" && url.pathname === "/join") {
      // Someone opened the join link in a browser: joining is done by the kit, which keeps the token.
      return send(res, 200, `To join "${store.name}", run this in the kit's folder:\n\n  npm run class -- join ${`http://${req.headers.host}/join`} --code <the code on the board> --name <your name>\n`);
    }
    if (req.method === "GET" && url.pathname === "/health") return send(res, 200, { class: store.name, participants: store.participants.length });
    throw new HttpError(404, "not found");
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (!res.headersSent) send(res, status, { error: err instanceof HttpError ? err.message : "internal error" }, status === 413 ? { connection: "close" } : {});
      else res.end();
      if (!(err instanceof HttpError)) console.error(err);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host === "0.0.0.0" ? (lanAddresses()[0] ?? "127.0.0.1") : host;
  const url = `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
  return {
    url,
    code: store.code,
    joinLink: `${url}/join?code=${store.code}`,
    dashboardLink: `${url}/dashboard/login?key=${store.instructorKey}`,
    store,
    close: async () => {
      if (pending) clearTimeout(pending);
      for (const s of streams) s.end();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

