/**
 * `npm run grade -- <lab> --watch`: grade, then grade again on every save.
 *
 * Saves are noticed by polling the lab's few learner files (mtime, size and
 * inode, every 200 ms), not fs.watch: editors that save by writing a temp
 * file and renaming it over the original (vim, `sed -i`, many IDEs) replace
 * the inode an fs.watch on the file follows, and recursive fs.watch is not
 * available everywhere. Polling a handful of stats is cheap and behaves the
 * same on Linux, macOS and Windows.
 *
 * Each grade is a fresh child process (edited modules and what they import
 * are always reloaded). A save during a grade cancels it: the child gets
 * SIGINT — its first Ctrl-C path stops the checks and cleans up — and the
 * new grade starts when it has exited. Saves are debounced (250 ms).
 *
 * On POSIX the child runs in its own process group, so a Ctrl-C in the
 * terminal reaches only this watcher, which passes exactly one SIGINT on
 * (a second Ctrl-C passes a second one: the child exits at once and prints
 * what is left). On Windows a console Ctrl-C reaches both already.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import pc from "picocolors";
import { findLab, gradedDir, loadLab } from "../labs.js";
import type { GradeCommandOptions } from "./grade.js";

const POLL_MS = 200;
const DEBOUNCE_MS = 250;

type Stamp = string;
const stampOf = (file: string): Stamp => {
  try {
    const s = fs.statSync(file, { bigint: true });
    return `${s.mtimeNs}:${s.size}:${s.ino}`;
  } catch {
    return "missing";
  }
};

export async function watchGrade(labName: string, opts: GradeCommandOptions): Promise<number> {
  const entry = findLab(labName);
  const lab = await loadLab(entry);
  const dir = gradedDir(entry, opts);
  const files = lab.learnerFiles.map((f) => path.join(dir, f));
  const args = process.argv.slice(2).filter((a) => a !== "--watch" && a !== "-w");
  const detached = process.platform !== "win32";
  let child: ChildProcess | undefined;
  let pending = false;
  let stopping = false;

  const run = () => {
    pending = false;
    if (process.stdout.isTTY) console.clear();
    child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], { stdio: ["ignore", "inherit", "inherit"], detached });
    child.on("exit", () => {
      child = undefined;
      if (stopping) return process.exit(130);
      if (pending) return run();
      console.log(pc.dim(`\nwatching ${files.map((f) => path.relative(process.cwd(), f)).join(", ")} — save to grade again, Ctrl-C to stop`));
    });
  };

  let stamps = files.map(stampOf);
  let timer: NodeJS.Timeout | undefined;
  const poll = setInterval(() => {
    const now = files.map(stampOf);
    if (now.every((s, i) => s === stamps[i])) return;
    stamps = now;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (stopping) return;
      if (child) {
        if (!pending) console.log(pc.yellow("\na file changed: stopping this grade to start again…"));
        pending = true;
        child.kill("SIGINT");
        return;
      }
      run();
    }, DEBOUNCE_MS);
  }, POLL_MS);

  process.on("SIGINT", () => {
    stopping = true;
    clearInterval(poll);
    clearTimeout(timer);
    if (!child) process.exit(130);
    if (detached) child.kill("SIGINT"); // on Windows the console already signalled it
  });
  run();
  return new Promise(() => {}); // until Ctrl-C
}
