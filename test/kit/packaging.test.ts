/**
 * Packaging: the zip the kit builds from a TypeScript handler unpacks to an
 * index.mjs that Node imports and runs — with @aws-sdk/* left to the runtime
 * and other dependencies bundled — and, when asked, carries sharp with its
 * linux-x64 binaries in node_modules/ so an image can be resized from the
 * unpacked folder alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";
import { packageHandler } from "../../src/kit/packaging.js";
import { repoRoot } from "../../src/kit/paths.js";

// Unpack under the repo's node_modules/.cache, as the Lambda runtime would offer @aws-sdk from outside the zip.
const scratch = fs.mkdtempSync(path.join(repoRoot, "node_modules", ".cache", "kit-packaging-"));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function unpack(zip: Uint8Array, name: string): string {
  const dir = path.join(scratch, name);
  for (const [file, bytes] of Object.entries(unzipSync(zip))) {
    const full = path.join(dir, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, bytes);
  }
  return dir;
}

function writeSource(name: string, code: string): string {
  const file = path.join(scratch, "src", name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, code);
  return file;
}

describe("packageHandler", () => {
  it("bundles a TypeScript handler with its dependencies into a zip whose index.mjs runs", async () => {
    writeSource("helper.ts", "export const shout = (s: string): string => s.toUpperCase() + '!';\n");
    const entry = writeSource(
      "handler.ts",
      [
        'import { S3Client } from "@aws-sdk/client-s3";',
        'import pc from "picocolors";',
        'import { shout } from "./helper.js";',
        "interface Ev { name: string }",
        "export const handler = async (event: Ev) => ({ greeting: shout(`hello ${event.name}`), sdk: typeof S3Client, colours: typeof pc.green });",
      ].join("\n"),
    );
    const pkg = await packageHandler({ entry });
    expect(pkg.handler).toBe("index.handler");
    const files = Object.keys(unzipSync(pkg.zip));
    expect(files).toEqual(["index.mjs"]);
    const code = Buffer.from(unzipSync(pkg.zip)["index.mjs"]!).toString("utf8");
    expect(code).toMatch(/from "@aws-sdk\/client-s3"/); // external, not bundled
    expect(code).not.toMatch(/from "picocolors"/); // bundled
    const dir = unpack(pkg.zip, "basic");
    const mod = (await import(pathToFileURL(path.join(dir, "index.mjs")).href)) as { handler(e: unknown): Promise<unknown> };
    await expect(mod.handler({ name: "lab" })).resolves.toEqual({ greeting: "HELLO LAB!", sdk: "function", colours: "function" });
  });

  it("reports a compile error with file and line", async () => {
    const entry = writeSource("broken.ts", "export const handler = async () => {\n  return (;\n};\n");
    await expect(packageHandler({ entry })).rejects.toThrow(/did not compile:[\s\S]*broken\.ts:2/);
  });

  it("says which file is missing", async () => {
    await expect(packageHandler({ entry: path.join(scratch, "nope.ts") })).rejects.toThrow(/does not exist/);
  });

  it("packages sharp with its linux-x64 binaries so the unpacked function resizes an image", async () => {
    const entry = writeSource(
      "thumb.ts",
      [
        'import sharp from "sharp";',
        "export const handler = async () => {",
        "  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#f00' } }).png().toBuffer();",
        "  const out = await sharp(png).resize(10, 10, { fit: 'inside' }).jpeg().toBuffer({ resolveWithObject: true });",
        "  return { width: out.info.width, height: out.info.height, format: out.info.format };",
        "};",
      ].join("\n"),
    );
    const pkg = await packageHandler({ entry, nativeModules: ["sharp"] });
    const files = Object.keys(unzipSync(pkg.zip));
    expect(files).toContain("node_modules/sharp/package.json");
    expect(files.some((f) => f.startsWith("node_modules/@img/sharp-linux-x64/"))).toBe(true);
    expect(files.some((f) => f.startsWith("node_modules/@img/sharp-libvips-linux-x64/"))).toBe(true);
    expect(files.some((f) => /node_modules\/@img\/sharp-(darwin|win32|linux-arm)/.test(f))).toBe(false);
    const code = Buffer.from(unzipSync(pkg.zip)["index.mjs"]!).toString("utf8");
    expect(code).toMatch(/from "sharp"/);
    if (process.platform !== "linux" || process.arch !== "x64") return; // the binaries only load on linux-x64
    const dir = unpack(pkg.zip, "sharp");
    const mod = (await import(pathToFileURL(path.join(dir, "index.mjs")).href)) as { handler(): Promise<unknown> };
    await expect(mod.handler()).resolves.toEqual({ width: 10, height: 5, format: "jpeg" });
  }, 30_000);
});
