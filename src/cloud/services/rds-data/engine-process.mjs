// One DB cluster's PostgreSQL engine (PGlite), in its own Node process so the
// WebAssembly engine's CPU and ~300 MB never touch the cloud's event loop or
// heap (engine-host.ts starts it, talks to it over the IPC channel, and ends it
// when the cluster auto-pauses). Plain JavaScript so it starts without tsx.
//
// Messages in:  { id, op: "open", dir, username } | { id, op: "query", sql, params, types }
//               | { id, op: "build-template", dir } | { id, op: "close" } | { id, op: "stats" }
// Messages out: { id, ok: true, result } | { id, ok: false, error: { message, code, detail, hint, … } }
//
// Results are returned as PostgreSQL's text forms (every parser is the identity),
// so results.ts decides each value's Data API shape from the column type.
// If the cloud goes away (its IPC channel closes, also on kill -9) this process
// exits at once: the database files are consistent after every commit (WAL), so
// the next open recovers them.
import { PGlite } from "@electric-sql/pglite";
import * as fs from "node:fs";
import * as path from "node:path";

let db;
const MAX_RESULT_BYTES = 1024 * 1024;
const identity = new Proxy({}, { get: () => (value) => value });

/**
 * One engine per database directory. An engine left behind by a cloud that was
 * killed exits on its own when its IPC channel closes, but it may still be
 * finishing a statement: wait for it (up to 5 s), then kill it, before opening.
 */
async function takeOver(dir) {
  const pidFile = path.join(dir, ".engine.pid");
  let previous;
  try {
    previous = Number(fs.readFileSync(pidFile, "utf8"));
  } catch {}
  // Only ever an engine process: a recycled pid of anything else is left alone.
  const isEngine = (pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("engine-process.mjs");
    } catch {
      return false;
    }
  };
  if (previous && previous !== process.pid) {
    const deadline = Date.now() + 5000;
    while (isEngine(previous) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isEngine(previous)) {
      try {
        process.kill(previous, "SIGKILL");
      } catch {}
    }
  }
  fs.writeFileSync(pidFile, String(process.pid));
}

async function open(dir, username) {
  await takeOver(dir);
  db = await PGlite.create(dir);
  // Text in, text out: every value crosses as PostgreSQL's text form (the instance's maps, which per-query options only extend).
  db.parsers = identity;
  db.serializers = identity;
  await db.exec("SET TIME ZONE 'UTC'");
  if (username) {
    const quoted = '"' + username.replace(/"/g, '""') + '"';
    const literal = "'" + username.replace(/'/g, "''") + "'";
    // The Data API connects as the secret's user; the master user is created on first open.
    await db.exec(`DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal}) THEN CREATE ROLE ${quoted} LOGIN SUPERUSER; END IF; END $$`);
    await db.exec(`SET ROLE ${quoted}`);
  }
  return {};
}

async function query(sql, params, types, autocommit) {
  try {
    const r = await db.query(sql, params, { rowMode: "array", paramTypes: types });
    // Past the Data API's 1 MiB response limit the answer is an error anyway: never ship a huge result to the cloud.
    let bytes = 0;
    for (const row of r.rows) for (const v of row) bytes += v === null ? 4 : Buffer.byteLength(String(v)) + 2;
    if (bytes > MAX_RESULT_BYTES) {
      const err = new Error("Database returned more than the allowed response size limit");
      err.tooLarge = true;
      throw err;
    }
    return { fields: r.fields, rows: r.rows, affectedRows: r.affectedRows ?? 0, command: r.command };
  } finally {
    // A statement outside a Data API transaction must not leave the one connection inside one (a bare BEGIN).
    if (autocommit && db.isInTransaction()) await db.exec("ROLLBACK");
  }
}

async function handle(msg) {
  switch (msg.op) {
    case "open":
      return open(msg.dir, msg.username);
    case "query":
      return query(msg.sql, msg.params ?? [], msg.types ?? [], msg.autocommit === true);
    case "build-template": {
      // initdb into `dir` and shut down cleanly: the cached template new clusters are copied from.
      const fresh = await PGlite.create(msg.dir);
      // 32 MB of shared buffers instead of 128: a lab's tables are small, and each cluster's engine then
      // stays near 200 MB instead of 320 MB (persisted in postgresql.auto.conf, copied with the template).
      await fresh.exec("ALTER SYSTEM SET shared_buffers = '32MB'");
      await fresh.close();
      return {};
    }
    case "close":
      if (db) await db.close();
      db = undefined;
      return {};
    case "stats":
      return { rss: process.memoryUsage().rss };
    default:
      throw new Error(`unknown op ${msg.op}`);
  }
}

function errorOf(err) {
  const e = err ?? {};
  return {
    message: String(e.message ?? e),
    code: e.code,
    severity: e.severity,
    detail: e.detail,
    hint: e.hint,
    position: e.position,
    constraint: e.constraint,
    tooLarge: e.tooLarge === true,
    pg: typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code),
  };
}

// One message at a time: PGlite is one connection, and engine-host.ts serializes anyway.
let chain = Promise.resolve();
process.on("message", (msg) => {
  chain = chain.then(async () => {
    try {
      const result = await handle(msg);
      process.send?.({ id: msg.id, ok: true, result });
      if (msg.op === "close") setImmediate(() => process.exit(0));
    } catch (err) {
      process.send?.({ id: msg.id, ok: false, error: errorOf(err) });
    }
  });
});
process.on("disconnect", () => process.exit(0));
process.send?.({ id: 0, ok: true, result: { ready: true } });
