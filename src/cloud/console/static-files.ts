/**
 * The console's page, modules and stylesheet (web/), plain files with no
 * build step: read once on the first request and kept in memory. web/ sits
 * beside this module in src/, and beside cli.js in bin/localcloud.mjs's
 * bundle (the launcher copies it there, as it copies the Lambda bootstrap).
 * The launcher also names the source folder (LOCALCLOUD_CONSOLE_WEB), which
 * is preferred: the bundle's folder can be replaced under a running cloud by
 * another launch that rebuilds it. Only the files found there are served — a
 * name is looked up, never joined into a path.
 */
import * as fs from "node:fs";
import type * as http from "node:http";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const BESIDE = path.join(path.dirname(fileURLToPath(import.meta.url)), "web");

function webDir(): string {
  const named = process.env.LOCALCLOUD_CONSOLE_WEB;
  return named && fs.existsSync(path.join(named, "index.html")) ? named : BESIDE;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** Headers every console page and module gets: nobody else may frame, script or refer from it. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

let files: Map<string, { body: Buffer; type: string }> | undefined;

function load(): Map<string, { body: Buffer; type: string }> {
  const dir = webDir();
  const out = new Map<string, { body: Buffer; type: string }>();
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (type) out.set(name, { body: fs.readFileSync(path.join(dir, name)), type });
  }
  return out;
}

export async function serveStatic(res: http.ServerResponse, name: string, method: string): Promise<void> {
  // Re-read while developing (LOCALCLOUD_CONSOLE_DEV=1): edit web/ and reload the page.
  try {
    files = files && process.env.LOCALCLOUD_CONSOLE_DEV !== "1" ? files : load();
  } catch (err) {
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8", ...PAGE_HEADERS });
    res.end(`The console's files could not be read (${(err as Error).message}). Restart the cloud (npm run cloud, or npm run cleanup -- --stop-cloud then any lab command).`);
    return;
  }
  const file = files.get(name === "" ? "index.html" : name);
  if (!file) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...PAGE_HEADERS });
    res.end(`No console file ${name}.`);
    return;
  }
  res.writeHead(200, { "content-type": file.type, "content-length": file.body.length, ...PAGE_HEADERS });
  res.end(method === "HEAD" ? undefined : file.body);
}
