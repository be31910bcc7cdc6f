/**
 * The esbuild options that bundle src/cloud/cli.ts into one file: used by the
 * launcher (localcloud.mjs) and by the benchmark that measures what the
 * console costs at start-up (bench/scenarios/console-startup.ts), so both
 * measure and ship the same bundle.
 */
import * as path from "node:path";

export function cloudBuildOptions(root, outfile) {
  return {
    entryPoints: [path.join(root, "src", "cloud", "cli.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // aws-local-stepfunctions stays external too: the service imports it on first use, but bundled, its own
    // static imports of @aws-sdk/client-lambda and credential-providers would be hoisted into start-up.
    external: ["dynalite", "@aws-sdk/*", "@smithy/*", "esbuild", "aws-local-stepfunctions"],
    // Bundled CommonJS dependencies (commander…) require Node built-ins; an ES module has no `require`.
    banner: { js: 'import { createRequire as __localcloudRequire } from "node:module"; const require = __localcloudRequire(import.meta.url);' },
    logLevel: "error",
  };
}
