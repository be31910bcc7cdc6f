// The process guard (src/cloud/core/escape-guard.ts): an error that escapes
// every handler is logged and counted, and the cloud keeps serving. The other
// robustness tests (malformed-input, fuzz-*) assert the count stays 0, so the
// guard is proven not to be what answers the known bad inputs.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

it("survives an uncaught exception and an unhandled rejection, and counts both", () => {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), "../helpers/escape-guard-child.ts");
  const run = spawnSync(process.execPath, ["--import", "tsx", child], { encoding: "utf8", timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  const health = JSON.parse(run.stdout.trim().split("\n").pop()!);
  expect(health).toMatchObject({ status: "ok", escapedErrors: 2 });
});
