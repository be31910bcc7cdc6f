/**
 * Grade times (issues 13, 18): each lab's grader (01, 02, 03, 07) on the reference solution, on the
 * untouched starter (target < 5 s: it fails early and fast), and — labs 02 and
 * 03 — on a handler that throws on every record (targets 5 s and 10 s: the
 * evidence wait ends on the logged error, not on a timeout). Each grade runs
 * through the harness as `npm run grade` does, against the bench's cloud.
 * Lab 06 (target ≤ 60 s for --solution) has no handler-throws row: its
 * learner-written function is one of six pieces.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createClients } from "../../src/kit/clients.js";
import { Ledger } from "../../src/kit/ledger.js";
import { localTargetAt } from "../../src/kit/target.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { findLab, loadLab } from "../../src/kit/labs.js";
import type { Row } from "../lib.js";
import { root } from "../lib.js";

const THROW = { "02": "    const bucket = record.s3.bucket.name;", "03": "  const bucket = record.s3.bucket.name;" } as const;

export async function gradesScenario(endpoint: string): Promise<Row[]> {
  const target = localTargetAt(endpoint);
  const clients = createClients(target);
  const ledger = new Ledger(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-grades-")), "ledger.json"));
  const rows: Row[] = [];
  const grade = async (id: string, sourceDir: string, source: "learner" | "solution") => {
    const lab = await loadLab(findLab(id));
    const t0 = performance.now();
    const report = await runGrade({ lab, target, clients, ledger, sourceDir, source, participant: "bench" });
    return { ms: performance.now() - t0, report };
  };
  try {
    for (const id of ["01", "02", "03", "04", "05", "06", "07"]) {
      const entry = findLab(id);
      const solution = await grade(id, entry.solutionDir, "solution");
      rows.push({ figure: `grade ${id} --solution`, value: solution.ms, unit: "ms", note: `${solution.report.summary.passed}/${solution.report.summary.total} passed` });
      const starter = await grade(id, entry.dir, "learner");
      rows.push({ figure: `grade ${id}, untouched starter`, value: starter.ms, unit: "ms", target: "< 5 s", met: starter.ms < 5_000 && !starter.report.passed });
      if (id === "02" || id === "03") {
        // The solution with a throw at the top of each record, in a folder under the repo (imports resolve as a learner's do).
        fs.mkdirSync(path.join(root, ".mutants"), { recursive: true });
        const dir = fs.mkdtempSync(path.join(root, ".mutants", `bench${id}-`));
        try {
          for (const f of fs.readdirSync(entry.solutionDir)) fs.copyFileSync(path.join(entry.solutionDir, f), path.join(dir, f));
          const handler = fs.readFileSync(path.join(dir, "handler.ts"), "utf8");
          const line = THROW[id];
          fs.writeFileSync(path.join(dir, "handler.ts"), handler.replace(line, `${line.replace(/const bucket.*/, "")}throw new Error("bench: throws on every record");\n${line}`));
          const thrown = await grade(id, dir, "learner");
          const limit = id === "02" ? 5_000 : 10_000;
          const first = thrown.report.checks.find((c) => c.status !== "pass");
          rows.push({ figure: `grade ${id}, handler throws on every record`, value: thrown.ms, unit: "ms", target: `< ${limit / 1000} s`, met: thrown.ms < limit && !thrown.report.passed, note: first ? `first failure: ${first.name.slice(0, 40)}` : "passed?!" });
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    clients.destroy();
  }
  return rows;
}
