/**
 * Where the kit keeps its files. Everything the kit writes locally (the state
 * file of the background local cloud, its data and log, the resource ledger,
 * graded progress) lives in one state directory, `.s3-event-labs/` at the
 * repository root (gitignored). S3_EVENT_LABS_HOME moves it — tests use a
 * temporary directory so parallel test files never share a ledger.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (src/kit/ is two levels below it). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export const labsDir = path.join(repoRoot, "labs");
export const solutionsDir = path.join(repoRoot, "solutions");

export function stateDir(): string {
  const dir = process.env.S3_EVENT_LABS_HOME ? path.resolve(process.env.S3_EVENT_LABS_HOME) : path.join(repoRoot, ".s3-event-labs");
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export const statePath = (name: string): string => path.join(stateDir(), name);

/** Write a file atomically (temp file + rename) so a crash or Ctrl-C never leaves half a JSON file. */
export function writeFileAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    throw new Error(`${path.relative(process.cwd(), file)} is not valid JSON (${(err as Error).message}). Delete it to start afresh.`);
  }
}
