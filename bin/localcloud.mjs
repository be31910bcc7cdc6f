#!/usr/bin/env node
/**
 * Fast launcher for the local cloud process (`npm run cloud`, the kit's
 * background cloud, the benchmark). Running TypeScript through tsx costs
 * ~250 ms of loader start-up on every launch, and loading ~190 small ES
 * modules one by one costs another ~150 ms of resolving and reading files;
 * the cloud must start in well under a second. So this launcher bundles
 * src/cloud/cli.ts with esbuild into one file,
 * node_modules/.cache/s3-event-labs/cloud/cli.js (only when a source file or
 * the lockfile changed), and imports it. The Lambda runtime's bootstrap/
 * (plain JavaScript run in its own processes) is copied beside cli.js, where
 * runtime/environment.ts looks for it, as it does beside itself in src/; so
 * is the console's web/ folder (plain HTML, CSS and ES modules, no build).
 * dynalite (loaded on demand, with its LevelDB), the AWS SDK (resolved for
 * Lambda functions from node_modules) and aws-local-stepfunctions (loaded on
 * the first execution) stay external; the options are in cloud-build.mjs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cloudBuildOptions } from "./cloud-build.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const srcDir = path.join(root, "src", "cloud");
const outDir = path.join(root, "node_modules", ".cache", "s3-event-labs", "cloud");

function listFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** A fingerprint of the sources and the lockfile (bundled dependencies): names, sizes and modification times. */
function fingerprint(files) {
  let text = "";
  // The build options too (externals, target): they shape the bundle.
  for (const file of [...files, path.join(root, "package-lock.json"), fileURLToPath(new URL("./cloud-build.mjs", import.meta.url))]) {
    if (!fs.existsSync(file)) continue;
    const st = fs.statSync(file);
    text += `${path.relative(srcDir, file)}:${st.size}:${st.mtimeMs}\n`;
  }
  return text;
}

async function ensureBuilt() {
  const files = listFiles(srcDir).sort();
  const stamp = fingerprint(files);
  const stampFile = path.join(outDir, ".fingerprint");
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp) return;
  const { build } = await import("esbuild");
  // Build into a fresh directory and swap it in, so two launches at once never see half a build.
  const tmp = `${outDir}.${process.pid}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  await build({
    ...cloudBuildOptions(root, path.join(tmp, "cli.js")),
    // A linked map: stack traces map back to src/ with --enable-source-maps, and costs nothing otherwise.
    sourcemap: "linked",
  });
  // The bundle's import.meta.url is cli.js at the build root; environment.ts finds bootstrap/ beside
  // itself, so the bootstrap folder goes beside cli.js.
  const bootstrapDir = path.join(srcDir, "services", "lambda", "runtime", "bootstrap");
  // The console's page and modules (console/static-files.ts looks for web/ beside itself, so beside cli.js).
  const consoleWebDir = path.join(srcDir, "console", "web");
  // The Data API's engine process (services/rds-data/engine-process.mjs) is found beside the bundle too.
  const engineDir = path.join(srcDir, "services", "rds-data");
  for (const file of files.filter((f) => !f.endsWith(".ts"))) {
    if (path.dirname(file) === engineDir) {
      fs.copyFileSync(file, path.join(tmp, path.basename(file)));
      continue;
    }
    const home = [[bootstrapDir, "bootstrap"], [consoleWebDir, "web"]].find(([dir]) => file.startsWith(dir + path.sep));
    if (!home) throw new Error(`localcloud launcher: do not know where ${file} belongs in the bundle`);
    const dest = path.join(tmp, home[1], path.relative(home[0], file));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(file, dest);
  }
  fs.writeFileSync(path.join(tmp, ".fingerprint"), stamp);
  fs.mkdirSync(path.dirname(outDir), { recursive: true });
  const old = `${outDir}.${process.pid}.old`;
  if (fs.existsSync(outDir)) fs.renameSync(outDir, old);
  fs.renameSync(tmp, outDir);
  fs.rmSync(old, { recursive: true, force: true });
}

await ensureBuilt();
// The console reads its page from the sources (console/static-files.ts): the bundle's copy can be swapped by another launch's rebuild.
process.env.LOCALCLOUD_CONSOLE_WEB ??= path.join(srcDir, "console", "web");
await import(pathToFileURL(path.join(outDir, "cli.js")).href);
