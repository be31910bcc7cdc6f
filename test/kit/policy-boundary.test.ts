/**
 * The kit's one documented exception to "the kit never imports src/cloud/"
 * (docs/architecture.md) besides local-cloud.ts: the grader's policy tables
 * evaluate learners' documents with the pure policy evaluator. This keeps the
 * exception honest — only those two kit files import src/cloud/, and the
 * evaluator's import closure stays inside src/cloud/policy/ without the
 * enforcement, services or core (so it is a library, not a cloud).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/kit/paths.js";

const importsOf = (file: string): string[] => [...fs.readFileSync(file, "utf8").matchAll(/^\s*(?:import|export)[^'"]*?from\s+["']([^"']+)["']/gm)].map((m) => m[1]!);
const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));

describe("kit ↔ cloud boundary", () => {
  it("only local-cloud.ts and grader/policy-table.ts import src/cloud/", () => {
    const offenders = walk(path.join(repoRoot, "src/kit")).filter((f) => importsOf(f).some((i) => i.startsWith(".") && path.resolve(path.dirname(f), i).startsWith(path.join(repoRoot, "src/cloud"))));
    const allowed = ["src/kit/grader/policy-table.ts", "src/kit/local-cloud.ts"];
    expect(offenders.map((f) => path.relative(repoRoot, f)).filter((f) => !allowed.includes(f))).toEqual([]);
    expect(offenders.map((f) => path.relative(repoRoot, f))).toContain("src/kit/grader/policy-table.ts");
  });

  it("the evaluator's import closure stays inside src/cloud/policy/, without enforcement", () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const i of importsOf(file)) if (i.startsWith(".")) visit(path.resolve(path.dirname(file), i).replace(/\.js$/, ".ts"));
    };
    visit(path.join(repoRoot, "src/cloud/policy/evaluate.ts"));
    const rel = [...seen].map((f) => path.relative(repoRoot, f));
    expect(rel.filter((f) => !f.startsWith("src/cloud/policy/"))).toEqual([]);
    expect(rel.filter((f) => /enforce|service-access|denial|actions\//.test(f))).toEqual([]);
  });
});
