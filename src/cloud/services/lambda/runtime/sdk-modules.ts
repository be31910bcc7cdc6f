/**
 * Makes the AWS SDK v3 resolvable from function code without shipping it, as
 * in AWS's Node runtimes, and nothing else: a scratch "runtime" directory gets
 * a node_modules with symlinks to the kit's own `@aws-sdk` and `@smithy`
 * scopes only. CommonJS code finds them through NODE_PATH (read by Node at
 * start-up); ESM code through the bootstrap's resolve hook, which retries a
 * failed `@aws-sdk/…`/`@smithy/…` import from this directory. Any other
 * package (sharp, uuid…) must be in the function's own node_modules, exactly
 * as on AWS. Symlinks resolve to their real path, so the SDK's own
 * dependencies (tslib, @aws-crypto…) are found next to it in the kit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface SdkModules {
  /** LAMBDA_RUNTIME_DIR: the scratch runtime directory. */
  runtimeDir: string;
  /** For NODE_PATH. */
  nodeModulesDir: string;
  /** A file URL inside runtimeDir, used as the parent of fallback ESM resolutions. */
  parentUrl: string;
}

const SDK_SCOPES = ["@aws-sdk", "@smithy"];

/** The kit's node_modules that holds @aws-sdk (found by walking up from this file). */
export function findKitNodeModules(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules");
    if (fs.existsSync(path.join(candidate, "@aws-sdk"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function prepareSdkModules(scratchDir: string): SdkModules {
  const runtimeDir = path.join(scratchDir, "runtime");
  const nodeModulesDir = path.join(runtimeDir, "node_modules");
  fs.mkdirSync(nodeModulesDir, { recursive: true });
  // The mount point of bootstrap/ inside a sandbox (/var/runtime/bootstrap, sandbox.ts).
  fs.mkdirSync(path.join(runtimeDir, "bootstrap"), { recursive: true });
  const kit = findKitNodeModules();
  for (const scope of SDK_SCOPES) {
    const target = kit && path.join(kit, scope);
    // Link to the real path: a sandbox binds the kit's node_modules at its real path only (a symlinked
    // node_modules, as in a git worktree, would dangle inside it).
    if (target && fs.existsSync(target)) fs.symlinkSync(fs.realpathSync(target), path.join(nodeModulesDir, scope), "dir");
  }
  return { runtimeDir, nodeModulesDir, parentUrl: pathToFileURL(path.join(runtimeDir, "index.mjs")).href };
}
