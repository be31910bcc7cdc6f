/**
 * Any laptop: a function zip built for AWS carries sharp's linux-x64 build
 * only; when the local cloud unpacks it on another host, the host's build of
 * the same sharp version is added beside it (src/cloud/services/lambda/runtime/
 * native-modules.ts). CI runs on linux-x64, so the other host is simulated:
 * a darwin-arm64 "kit node_modules" with sharp's darwin-arm64 packages, and
 * the host passed in. The zip itself is never changed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { afterAll, describe, expect, it } from "vitest";
import { unzipSync } from "fflate";
import { packageHandler } from "../../src/kit/packaging.js";
import { repoRoot } from "../../src/kit/paths.js";
import { adaptNativeModules, currentHost, sharpPlatform } from "../../src/cloud/services/lambda/runtime/native-modules.js";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "native-host-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const sharpVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "sharp", "package.json"), "utf8")) as { version: string }).version;

/** A node_modules as `npm ci` leaves it on a Mac with Apple silicon: sharp's darwin-arm64 packages. */
function fakeDarwinArm64Kit(version = sharpVersion): string {
  const nm = fs.mkdtempSync(path.join(work, "kit-darwin-arm64-")) + "/node_modules";
  const pkg = path.join(nm, "@img", "sharp-darwin-arm64");
  fs.mkdirSync(path.join(pkg, "lib"), { recursive: true });
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "@img/sharp-darwin-arm64", version, optionalDependencies: { "@img/sharp-libvips-darwin-arm64": "1.3.4" }, exports: { "./sharp.node": "./index.cjs", "./package": "./package.json" } }));
  fs.writeFileSync(path.join(pkg, "index.cjs"), `module.exports = require('./lib/sharp-darwin-arm64-${version}.node');\n`);
  fs.writeFileSync(path.join(pkg, "lib", `sharp-darwin-arm64-${version}.node`), "not a real Mach-O binary");
  const vips = path.join(nm, "@img", "sharp-libvips-darwin-arm64");
  fs.mkdirSync(path.join(vips, "lib"), { recursive: true });
  fs.writeFileSync(path.join(vips, "package.json"), JSON.stringify({ name: "@img/sharp-libvips-darwin-arm64", version: "1.3.4" }));
  fs.writeFileSync(path.join(vips, "lib", "libvips-cpp.8.17.3.dylib"), "not a real dylib");
  return nm;
}

let zipFiles: Record<string, Uint8Array> | undefined;
async function unpackedLab03(name: string): Promise<string> {
  if (!zipFiles) {
    const pkg = await packageHandler({ entry: path.join(repoRoot, "solutions", "03-the-image-pipeline", "handler.ts"), nativeModules: ["sharp"] });
    zipFiles = unzipSync(pkg.zip);
  }
  const dir = path.join(work, name);
  for (const [file, data] of Object.entries(zipFiles)) {
    if (file.endsWith("/")) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), data);
  }
  return dir;
}

const imgPackages = (files: string[]) => [...new Set(files.filter((f) => f.startsWith("node_modules/@img/sharp-")).map((f) => f.split("/").slice(1, 3).join("/")))].sort();

describe("sharp's build: linux-x64 in the zip, the host's when run locally", () => {
  it("the zip for AWS carries only sharp's linux-x64 packages, whatever the host", async () => {
    await unpackedLab03("probe");
    expect(imgPackages(Object.keys(zipFiles!))).toEqual(["@img/sharp-libvips-linux-x64", "@img/sharp-linux-x64"]);
  }, 120_000);

  it("on a (simulated) darwin-arm64 host the unpacked code gets the host's build beside the linux one, and resolves it", async () => {
    const dir = await unpackedLab03("darwin");
    const host = { platform: "darwin", arch: "arm64" };
    expect(sharpPlatform(host)).toBe("darwin-arm64");
    const r = adaptNativeModules(dir, fakeDarwinArm64Kit(), host);
    expect(r).toEqual({ added: ["@img/sharp-darwin-arm64", "@img/sharp-libvips-darwin-arm64"] });
    expect(fs.existsSync(path.join(dir, "node_modules", "@img", "sharp-linux-x64", "package.json"))).toBe(true); // still deployable as is
    expect(fs.existsSync(path.join(dir, "node_modules", "@img", "sharp-libvips-darwin-arm64", "lib", "libvips-cpp.8.17.3.dylib"))).toBe(true);
    // What sharp's loader requires on darwin-arm64 now resolves inside the function's own code.
    const resolved = createRequire(path.join(dir, "node_modules", "sharp", "package.json")).resolve("@img/sharp-darwin-arm64/sharp.node");
    expect(resolved.startsWith(dir + path.sep)).toBe(true);
    expect(fs.readFileSync(resolved, "utf8")).toContain(`sharp-darwin-arm64-${sharpVersion}.node`);
    expect(adaptNativeModules(dir, fakeDarwinArm64Kit(), host)).toEqual({ added: [] }); // idempotent
  }, 120_000);

  it("a different sharp version on the host is not mixed in (the honest load error stays)", async () => {
    const dir = await unpackedLab03("mismatch");
    const r = adaptNativeModules(dir, fakeDarwinArm64Kit("0.0.1"), { platform: "darwin", arch: "arm64" });
    expect(r.added).toEqual([]);
    expect(r.skipped).toContain("0.0.1");
    expect(fs.existsSync(path.join(dir, "node_modules", "@img", "sharp-darwin-arm64"))).toBe(false);
  }, 120_000);

  it.skipIf(sharpPlatform(currentHost()) !== "linux-x64")("on linux-x64 (AWS's platform) nothing is added", async () => {
    const dir = await unpackedLab03("linux");
    expect(adaptNativeModules(dir, path.join(repoRoot, "node_modules"))).toEqual({ added: [] });
  }, 120_000);

  it("code without sharp is left alone", () => {
    const dir = path.join(work, "plain");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "index.mjs"), "export const handler = async () => 1;\n");
    expect(adaptNativeModules(dir, fakeDarwinArm64Kit(), { platform: "darwin", arch: "arm64" })).toEqual({ added: [] });
    expect(fs.readdirSync(dir)).toEqual(["index.mjs"]);
  });
});
