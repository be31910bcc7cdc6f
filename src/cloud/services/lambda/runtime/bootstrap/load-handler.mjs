/**
 * Loads the function's handler once per execution environment, the way the
 * AWS Node.js runtime does: `_HANDLER` "dir/file.export.nested" → module
 * "dir/file" in LAMBDA_TASK_ROOT, tried as the extensionless file, then
 * file.js (require, or import when the nearest package.json says
 * "type":"module"), file.mjs (import), file.cjs (require), and finally a
 * require() of the bare name (which yields AWS's "Cannot find module 'index'").
 * Failures become Runtime.MalformedHandlerName / ImportModuleError /
 * UserCodeSyntaxError / HandlerNotFound; an error thrown by the module's own
 * top-level code is reported as itself.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import {
  HandlerNotFound,
  ImportModuleError,
  MalformedHandlerName,
  UserCodeSyntaxError,
} from "./errors.mjs";

const bootstrapRequire = createRequire(import.meta.url);

/** @returns {Promise<{ handler: Function, isAsync: boolean }>} */
export async function loadHandler(taskRoot, handlerString, beforeEsmImport = () => {}) {
  const slash = handlerString.lastIndexOf("/");
  const moduleRoot = slash === -1 ? "" : handlerString.slice(0, slash);
  const moduleAndHandler = handlerString.slice(slash + 1);
  const match = /^([^.]*)\.(.*)$/.exec(moduleAndHandler);
  if (!match || match[2] === "") throw new MalformedHandlerName("Bad handler");
  const [, moduleName, handlerPath] = match;

  let loaded;
  try {
    loaded = await loadModule(taskRoot, moduleRoot, moduleName, beforeEsmImport);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(error);
    if (error?.code === "MODULE_NOT_FOUND" || error?.code === "ERR_MODULE_NOT_FOUND") throw new ImportModuleError(error);
    throw error;
  }

  let handler = loaded;
  for (const key of handlerPath.split(".")) handler = handler == null ? undefined : handler[key];
  if (handler == null) throw new HandlerNotFound(`${handlerString} is undefined or not exported`);
  if (typeof handler !== "function") throw new HandlerNotFound(`${handlerString} is not a function`);
  return { handler, isAsync: handler.constructor?.name === "AsyncFunction" };
}

async function loadModule(taskRoot, moduleRoot, moduleName, beforeEsmImport) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  const requireFromCode = createRequire(path.join(taskRoot, "noop.js"));
  const importFile = (file) => {
    beforeEsmImport();
    return import(pathToFileURL(file).href);
  };
  if (isFile(base)) return requireFromCode(base);
  const typeModule = nearestPackageIsModule(path.dirname(base));
  if (isFile(base + ".js")) return typeModule ? importFile(base + ".js") : requireFromCode(base + ".js");
  if (isFile(base + ".mjs")) return importFile(base + ".mjs");
  if (isFile(base + ".cjs")) return requireFromCode(base + ".cjs");
  // Last resort, as the AWS runtime: a package of that name in the code's node_modules.
  // Its failure ("Cannot find module 'index'") becomes Runtime.ImportModuleError.
  const resolved = requireFromCode.resolve(moduleName, { paths: [taskRoot, path.resolve(taskRoot, moduleRoot)] });
  return bootstrapRequire(resolved);
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function nearestPackageIsModule(dir) {
  for (let current = dir; ; current = path.dirname(current)) {
    const candidate = path.join(current, "package.json");
    if (isFile(candidate)) {
      try {
        return JSON.parse(fs.readFileSync(candidate, "utf8")).type === "module";
      } catch {
        return false;
      }
    }
    if (path.dirname(current) === current) return false;
  }
}
