/**
 * "The console adds nothing to the cloud's start-up": the same sources are
 * bundled twice into a temp dir — as bin/localcloud.mjs bundles them, and with
 * the console replaced by an empty module — and each bundle is started in
 * turn, interleaved, to its first answered ListBuckets. The two medians
 * should be the same within noise (the console's code is in the bundle but
 * runs only on the first request to /_localcloud/console/).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { build, type Plugin } from "esbuild";
import { clientConfig, median, root, tempDir, type Row } from "../lib.js";
import { cloudBuildOptions } from "../../bin/cloud-build.mjs";

const withoutConsole: Plugin = {
  name: "without-console",
  setup(b) {
    b.onResolve({ filter: /console\/index\.js$/ }, (args) => ({ path: args.path, namespace: "empty-console" }));
    b.onLoad({ filter: /.*/, namespace: "empty-console" }, () => ({ contents: "export async function handleConsole() { throw new Error('no console in this build'); }", loader: "js" }));
  },
};

async function bundle(dir: string, plugins: Plugin[]): Promise<string> {
  const outfile = path.join(dir, "cli.js");
  await build({ ...cloudBuildOptions(root, outfile), plugins });
  return outfile;
}

async function startOnce(cli: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, "--port", "0", "--in-memory", "--log-level", "error", "--credentials", "test:test"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const s3 = new S3Client(clientConfig(endpoint));
    for (;;) {
      try {
        await s3.send(new ListBucketsCommand({}));
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    s3.destroy();
    return performance.now() - t0;
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

export async function consoleStartupRows(runs = 7): Promise<Row[]> {
  const dir = tempDir("console-ab");
  try {
    const withIt = await bundle(path.join(dir, "with"), []);
    const without = await bundle(path.join(dir, "without"), [withoutConsole]);
    const a: number[] = [];
    const b: number[] = [];
    await startOnce(withIt); // warm the file cache for both
    await startOnce(without);
    for (let i = 0; i < runs; i++) {
      a.push(await startOnce(withIt));
      b.push(await startOnce(without));
    }
    const size = (f: string) => fs.statSync(f).size;
    return [
      {
        figure: `start-up to first ListBuckets, with the console vs built without it (median of ${runs}, interleaved)`,
        value: median(a),
        unit: "ms",
        baseline: median(b),
        target: "same within noise",
        met: median(a) <= median(b) * 1.1 + 5,
        note: `"do-nothing" column: the bundle without the console; bundles ${(size(withIt) / 1024).toFixed(0)} KB vs ${(size(without) / 1024).toFixed(0)} KB`,
      },
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
