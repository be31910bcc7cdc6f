/**
 * Packaging (issue 6, item 4): bundle a learner's TypeScript handler with
 * esbuild into one ES module, `index.mjs`, and zip it with fflate. The zip runs
 * on the local cloud and on AWS's Node.js 20 runtime:
 * - `@aws-sdk/*` stays external — every Lambda Node runtime ships SDK v3, and
 *   bundling it would add megabytes (the local cloud's runtime provides it too);
 * - CommonJS dependencies bundled into an ES module may call `require` for
 *   Node built-ins, so the bundle defines one with createRequire;
 * - native modules listed in `nativeModules` (sharp, for lab 03) are not
 *   bundled but copied into node_modules/ inside the zip, with their
 *   dependency closure and only the linux-x64 platform packages (`@img/sharp-
 *   linux-x64`, `@img/sharp-libvips-linux-x64`) — AWS runs x86_64 Linux. When
 *   this machine has no linux-x64 build (a Mac, say), they are fetched once with
 *   `npm install --os=linux --cpu=x64` into node_modules/.cache.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import { zipSync, type Zippable } from "fflate";
import { repoRoot } from "./paths.js";

export interface PackageOptions {
  /** The handler's TypeScript (or JavaScript) entry file. */
  entry: string;
  /** The exported function's name (default "handler"). */
  exportName?: string;
  /** Packages copied into the zip's node_modules instead of bundled (e.g. ["sharp"]). */
  nativeModules?: string[];
  /** Minify (smaller upload to AWS, harder to read stack traces). Default false. */
  minify?: boolean;
}

export interface PackagedFunction {
  zip: Uint8Array;
  /** The Lambda Handler setting, e.g. "index.handler". */
  handler: string;
  /** Files in the zip and their sizes. */
  files: Array<{ path: string; bytes: number }>;
  bundleBytes: number;
}

const BANNER = 'import { createRequire as __kitCreateRequire } from "node:module"; const require = __kitCreateRequire(import.meta.url);';

export async function packageHandler(options: PackageOptions): Promise<PackagedFunction> {
  if (!fs.existsSync(options.entry)) throw new Error(`Handler file ${path.relative(process.cwd(), options.entry)} does not exist.`);
  const native = options.nativeModules ?? [];
  let result;
  try {
    result = await build({
      entryPoints: [options.entry],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: "index.mjs",
      external: ["@aws-sdk/*", ...native, ...native.map((m) => `${m}/*`)],
      banner: { js: BANNER },
      minify: options.minify ?? false,
      sourcemap: false,
      logLevel: "silent",
      absWorkingDir: repoRoot,
    });
  } catch (err) {
    const errors = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } | null }> }).errors;
    if (errors?.length) {
      const lines = errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text));
      throw new Error(`Your handler did not compile:\n  ${lines.join("\n  ")}`);
    }
    throw err;
  }
  const code = result.outputFiles[0]!.contents;
  const files: Zippable = { "index.mjs": [code, { level: 6 }] };
  for (const mod of native) addModuleClosure(files, mod);
  const zip = zipSync(files, { level: 6 });
  return {
    zip,
    handler: `index.${options.exportName ?? "handler"}`,
    files: Object.entries(files).map(([p, v]) => ({ path: p, bytes: (Array.isArray(v) ? (v[0] as Uint8Array) : (v as Uint8Array)).length })),
    bundleBytes: code.length,
  };
}

/** Platform packages of sharp other than linux-x64 are skipped: AWS Lambda (x86_64) needs only those. */
function wantedOptional(name: string): boolean {
  if (!name.startsWith("@img/sharp-")) return true;
  return name === "@img/sharp-linux-x64" || name === "@img/sharp-libvips-linux-x64";
}

function moduleDir(name: string, searchRoots: string[]): string | undefined {
  for (const root of searchRoots) {
    const dir = path.join(root, "node_modules", name);
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
  }
  return undefined;
}

/** Where the linux-x64 sharp binaries come from: this repo if installed here, else a one-off cache install. */
function linuxX64Roots(): string[] {
  const roots = [repoRoot];
  if (moduleDir("@img/sharp-linux-x64", roots)) return roots;
  const cache = path.join(repoRoot, "node_modules", ".cache", "s3-event-labs", "linux-x64");
  if (!moduleDir("@img/sharp-linux-x64", [cache])) {
    const version = JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "sharp", "package.json"), "utf8")).version as string;
    fs.mkdirSync(cache, { recursive: true });
    const args = ["install", "--no-save", "--no-package-lock", "--os=linux", "--cpu=x64", "--libc=glibc", "--prefix", cache, `sharp@${version}`];
    // Under `npm run`, npm's own CLI script is known: run it with this Node — no shell, so paths with spaces survive on Windows.
    const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath) ? process.env.npm_execpath : undefined;
    const r = npmCli ? spawnSync(process.execPath, [npmCli, ...args], { encoding: "utf8" }) : spawnSync("npm", args, { encoding: "utf8", shell: process.platform === "win32" });
    if (r.status !== 0) throw new Error(`Could not fetch sharp's linux-x64 build for Lambda: ${r.stderr || r.stdout}`);
  }
  return [cache, repoRoot];
}

function addModuleClosure(files: Zippable, name: string): void {
  const roots = linuxX64Roots();
  const seen = new Set<string>();
  const visit = (mod: string, optional: boolean) => {
    if (seen.has(mod)) return;
    seen.add(mod);
    const dir = moduleDir(mod, roots);
    if (!dir) {
      if (optional) return;
      throw new Error(`Cannot package "${mod}": it is not installed (run npm ci).`);
    }
    addDirectory(files, dir, `node_modules/${mod}`);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) if (wantedOptional(dep)) visit(dep, true);
  };
  visit(name, false);
}

function addDirectory(files: Zippable, dir: string, prefix: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue; // nested deps are visited as packages
    const full = path.join(dir, entry.name);
    const rel = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) addDirectory(files, full, rel);
    else if (entry.isFile()) files[rel] = [new Uint8Array(fs.readFileSync(full)), { level: /\.(node|so(\.\d+)*)$/.test(entry.name) ? 0 : 6 }];
  }
}
