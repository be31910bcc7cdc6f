/**
 * Native modules on a host that is not AWS's (issue 14, "any laptop").
 *
 * A function package built for AWS Lambda carries sharp's linux-x64 build
 * (`node_modules/@img/sharp-linux-x64` + `@img/sharp-libvips-linux-x64`),
 * which does not load on a Mac, on Windows or on linux-arm64. When the code
 * is unpacked (code-package.ts), this step adds the host's own build of the
 * same sharp version — `@img/sharp-<platform>-<arch>` and its libvips
 * package, from the kit's node_modules, which `npm ci` installed for this
 * machine — beside the linux one in the unpacked directory. sharp picks the
 * package for the platform it runs on, so the function loads the host's
 * build locally; the zip itself is untouched and still deploys to AWS as is.
 *
 * Copied, not symlinked: the unpacked directory must stay self-contained
 * (a sandboxed environment may see only the code directory; Windows
 * symlinks need privileges).
 *
 * By design: only when the package's sharp has the same version as the
 * host's platform package (a mismatched native module would fail in a
 * stranger way than the honest "could not load" error), and only for sharp.
 * Gaps: musl Linux hosts are detected from process.report (no glibc version).
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface Host {
  platform: string;
  arch: string;
  /** Linux only: musl (Alpine) instead of glibc. */
  musl?: boolean;
}

export function currentHost(): Host {
  let musl = false;
  if (process.platform === "linux") {
    const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
    musl = !header?.glibcVersionRuntime;
  }
  return { platform: process.platform, arch: process.arch, musl };
}

/** sharp's name for a platform, e.g. "darwin-arm64", "linux-x64", "linuxmusl-x64". */
export const sharpPlatform = (h: Host): string => `${h.platform}${h.platform === "linux" && h.musl ? "musl" : ""}-${h.arch}`;

const readVersion = (dir: string): string | undefined => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
};

export interface NativeAdaptation {
  /** Packages copied into the code's node_modules, e.g. ["@img/sharp-darwin-arm64", "@img/sharp-libvips-darwin-arm64"]. */
  added: string[];
  /** Why nothing was added when something would be needed. */
  skipped?: string;
}

/**
 * Make the unpacked code in `codeDir` load on `host`: when it carries sharp
 * with only another platform's build, copy in the host's build from
 * `hostNodeModules` (the kit's node_modules).
 */
export function adaptNativeModules(codeDir: string, hostNodeModules: string | undefined, host: Host = currentHost()): NativeAdaptation {
  const modules = path.join(codeDir, "node_modules");
  const sharpDir = path.join(modules, "sharp");
  const want = sharpPlatform(host);
  if (!fs.existsSync(path.join(sharpDir, "package.json"))) return { added: [] };
  const pkgName = `@img/sharp-${want}`;
  if (fs.existsSync(path.join(modules, pkgName))) return { added: [] }; // the package has this host's build already
  if (!hostNodeModules) return { added: [], skipped: "the kit's node_modules was not found" };
  const sharpVersion = readVersion(sharpDir);
  const hostPkg = path.join(hostNodeModules, pkgName);
  const hostVersion = readVersion(hostPkg);
  if (!hostVersion) return { added: [], skipped: `${pkgName} is not installed in the kit (npm ci installs it for this machine)` };
  if (hostVersion !== sharpVersion) return { added: [], skipped: `the function's sharp is ${sharpVersion}, the kit's ${pkgName} is ${hostVersion}` };
  const added: string[] = [];
  const copy = (name: string) => {
    fs.cpSync(path.join(hostNodeModules, name), path.join(modules, name), { recursive: true, dereference: true });
    added.push(name);
  };
  copy(pkgName);
  // Its libvips, named in its optionalDependencies (not every platform has one: wasm builds carry it inside).
  const optional = (JSON.parse(fs.readFileSync(path.join(hostPkg, "package.json"), "utf8")) as { optionalDependencies?: Record<string, string> }).optionalDependencies ?? {};
  for (const dep of Object.keys(optional)) {
    if (dep.startsWith("@img/sharp-libvips-") && fs.existsSync(path.join(hostNodeModules, dep)) && !fs.existsSync(path.join(modules, dep))) copy(dep);
  }
  return { added };
}
