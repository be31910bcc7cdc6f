/**
 * Real Chromium for the console's tests, driven by playwright-core (no
 * bundled browser download): Debian's `chromium` at /usr/bin/chromium, or
 * CHROMIUM_PATH. When none is found the tests are skipped with the reason
 * printed — never silently passed.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { crc32 } from "../../src/cloud/services/s3/crc32.js";

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"];

export const chromiumPath: string | undefined = CANDIDATES.find((p): p is string => !!p && fs.existsSync(p));

if (!chromiumPath) console.warn("No Chromium found (/usr/bin/chromium or CHROMIUM_PATH): the console's browser tests are skipped. Install it with `apt-get install chromium`.");

/** Flags for a headless Chromium in CI containers (often root, small /dev/shm). */
export function chromiumArgs(extra: string[] = []): string[] {
  const args = ["--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", ...extra];
  if (process.getuid?.() === 0) args.push("--no-sandbox"); // Chromium refuses to sandbox as root
  return args;
}

/** A small w×h PNG (a diagonal gradient), built by hand so the test needs no image library. */
export function pngOf(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour RGB
  const rows: number[] = [];
  for (let y = 0; y < h; y++) {
    rows.push(0);
    for (let x = 0; x < w; x++) rows.push((x * 255) / w, (y * 255) / h, 160);
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", zlib.deflateSync(Buffer.from(rows))), chunk("IEND", Buffer.alloc(0))]);
}
