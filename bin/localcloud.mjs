#!/usr/bin/env node
/**
 * Fast launcher for the local cloud process (`npm run cloud`, and the kit's
 * background cloud). Running TypeScript through tsx costs ~250 ms of loader
 * start-up on every launch; the cloud must start in well under a second, so
 * this launcher transpiles src/cloud/ file by file with esbuild into
 * node_modules/.cache/s3-event-labs/cloud/ (only when a source file changed),
 * then imports the plain JavaScript. File layout is preserved, so paths built
 * from import.meta.url (the Lambda runtime's bootstrap) keep working.
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

/** A fingerprint of the sources: names, sizes and modification times. */
function fingerprint(files) {
  let text = "";
  for (const file of files) {
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
  const tsFiles = files.filter((f) => f.endsWith(".ts"));
  await build({
    entryPoints: tsFiles,
    outdir: tmp,
    outbase: srcDir,
    format: "esm",
    platform: "node",
    target: "node20",
    bundle: false,
    sourcemap: "inline",
    logLevel: "error",
  });
  for (const file of files.filter((f) => !f.endsWith(".ts"))) {
    const dest = path.join(tmp, path.relative(srcDir, file));
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
