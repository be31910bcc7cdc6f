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
 * runtime/environment.ts looks for it, as it does beside itself in src/.
 * dynalite (loaded on demand, with its LevelDB) and the AWS SDK (resolved for
 * Lambda functions from node_modules) stay external.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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
  for (const file of [...files, path.join(root, "package-lock.json")]) {
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
    entryPoints: [path.join(srcDir, "cli.ts")],
    outfile: path.join(tmp, "cli.js"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["dynalite", "@aws-sdk/*", "@smithy/*", "esbuild"],
    // Bundled CommonJS dependencies (commander…) require Node built-ins; an ES module has no `require`.
    banner: { js: 'import { createRequire as __localcloudRequire } from "node:module"; const require = __localcloudRequire(import.meta.url);' },
    // A linked map: stack traces map back to src/ with --enable-source-maps, and costs nothing otherwise.
    sourcemap: "linked",
    logLevel: "error",
  });
  // The bundle's import.meta.url is cli.js at the build root; environment.ts finds bootstrap/ beside
  // itself, so the bootstrap folder goes beside cli.js.
  const bootstrapDir = path.join(srcDir, "services", "lambda", "runtime", "bootstrap");
  // The Data API's engine process (services/rds-data/engine-process.mjs) is found beside the bundle too.
  const engineDir = path.join(srcDir, "services", "rds-data");
  for (const file of files.filter((f) => !f.endsWith(".ts"))) {
    if (path.dirname(file) === engineDir) {
      fs.copyFileSync(file, path.join(tmp, path.basename(file)));
      continue;
    }
    if (!file.startsWith(bootstrapDir + path.sep)) throw new Error(`localcloud launcher: do not know where ${file} belongs in the bundle`);
    const dest = path.join(tmp, "bootstrap", path.relative(bootstrapDir, file));
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
await import(pathToFileURL(path.join(outDir, "cli.js")).href);
