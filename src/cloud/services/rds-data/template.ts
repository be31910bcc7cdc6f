/**
 * The pre-initialised database every new cluster is copied from. A fresh
 * PGlite initdb costs seconds and ~860 MB at its peak; copying a closed,
 * initialised data directory (~40 MB) costs ~0.2 s. The template is built
 * once per machine and PGlite version, in an engine process (never on the
 * cloud's event loop), and cached outside every cloud's data dir so tests,
 * CI and learners' clouds all reuse it:
 *
 *   $LOCALCLOUD_PGLITE_CACHE, else $XDG_CACHE_HOME/s3-event-labs, else
 *   ~/.cache/s3-event-labs — then pglite-<version>-<TEMPLATE_FORMAT>/template/
 *
 * (TEMPLATE_FORMAT changes when what the template holds changes, e.g. its
 * settings, so an older cached template is never used.)
 *
 * Building writes into a private temporary directory and renames it into
 * place (atomic), so concurrent builders never see a half-built template.
 * Processes on one machine (parallel test files, several clouds) take turns
 * through a lock directory beside it: one builds, the others wait for the
 * template to appear; a lock older than two minutes is a crashed builder's
 * and is taken over.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { EngineProcess } from "./engine-process-client.js";

const require = createRequire(import.meta.url);

export function pgliteVersion(): string {
  try {
    const pkgPath = path.join(path.dirname(require.resolve("@electric-sql/pglite")), "..", "package.json");
    return (JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** Bumped when the template's content changes (2: shared_buffers 32 MB). */
const TEMPLATE_FORMAT = 2;

export function templateCacheDir(): string {
  const base = process.env.LOCALCLOUD_PGLITE_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "s3-event-labs");
  return path.join(base, `pglite-${pgliteVersion()}-${TEMPLATE_FORMAT}`);
}

let building: Promise<string> | undefined;

/** The template's path, building it first if this machine has none. */
export function ensureTemplate(log: (message: string) => void): Promise<string> {
  const dir = path.join(templateCacheDir(), "template");
  if (fs.existsSync(path.join(dir, "PG_VERSION"))) return Promise.resolve(dir);
  building ??= build(dir, log).finally(() => (building = undefined));
  return building;
}

const LOCK_STALE_MS = 120_000;

/** Take the machine-wide build lock, or wait until another process has built the template. Returns false when the template appeared meanwhile. */
async function lockOrWait(dir: string, lock: string): Promise<boolean> {
  for (;;) {
    if (fs.existsSync(path.join(dir, "PG_VERSION"))) return false;
    try {
      fs.mkdirSync(lock);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lock).mtimeMs;
      } catch {
        continue; // released just now
      }
      if (age > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function build(dir: string, log: (message: string) => void): Promise<string> {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const lock = path.join(parent, "template.lock");
  if (!(await lockOrWait(dir, lock))) return dir;
  try {
    return await buildLocked(dir, parent, log);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

async function buildLocked(dir: string, parent: string, log: (message: string) => void): Promise<string> {
  const tmp = path.join(parent, `template.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  const started = Date.now();
  log(`rds-data: building the PostgreSQL template once for this machine (PGlite ${pgliteVersion()}) in ${parent} …`);
  const engine = await EngineProcess.start();
  try {
    await engine.call({ op: "build-template", dir: tmp });
  } finally {
    await engine.stop();
  }
  try {
    fs.renameSync(tmp, dir);
  } catch {
    // Another builder won the race: its template is as good as ours.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(path.join(dir, "PG_VERSION"))) throw new Error(`could not place the PostgreSQL template at ${dir}`);
  }
  log(`rds-data: template ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}
