/**
 * Reporters for a GradeReport: the terminal checklist, the results JSON
 * (docs/kit.md documents the schema) and JUnit XML for CI systems.
 * A skipped check is never drawn green: a dim "–" with its reason, counted
 * apart in the summary, and a JUnit <skipped/> (types.ts has the rule).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import pc from "picocolors";
import type { CheckResult, GradeReport } from "./types.js";

const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export function formatCheckLine(r: CheckResult): string {
  const mark = r.status === "pass" ? pc.green("✔") : r.status === "fail" ? pc.red("✘") : r.status === "skip" ? pc.dim("–") : pc.yellow("!");
  const name = r.status === "pass" ? r.name : r.status === "skip" ? `${r.name} ${pc.dim("(skipped)")}` : pc.bold(r.name);
  const lines = [`${mark} ${name} ${pc.dim(secs(r.durationMs))}`];
  if (r.message && r.status === "skip") lines.push(`    skipped: ${r.message}`);
  else if (r.message && r.status !== "pass") lines.push(`    ${r.status === "error" ? pc.yellow(r.message) : r.message}`);
  else if (r.message) lines.push(pc.dim(`    ${r.message}`));
  if (r.hint && r.status !== "pass" && r.status !== "skip") lines.push(`    ${pc.cyan("hint:")} ${r.hint}`);
  return lines.join("\n");
}

export function formatWarning(line: string): string {
  return `${pc.yellow("⚠")} ${pc.yellow(line)}`;
}

export function formatSummary(report: GradeReport): string {
  const s = report.summary;
  const lines: string[] = [];
  if (report.setup.status !== "pass") lines.push(pc.red(`setup ${report.setup.status}: ${report.setup.message}`));
  const head = report.passed ? pc.green(pc.bold(`Lab ${report.lab.id} passed`)) : pc.red(pc.bold(`Lab ${report.lab.id} not passed yet`));
  const skipped = report.checks.filter((c) => c.status === "skip").map((c) => c.name);
  const skips = skipped.length ? `, ${skipped.length} skipped: ${skipped.join("; ")}` : "";
  lines.push(`${head}: ${s.passed}/${s.total} checks passed${s.errored ? `, ${s.errored} could not run` : ""}${skips} in ${secs(report.durationMs)} ${pc.dim(`(${report.source === "solution" ? "reference solution" : report.sourceDir}, ${report.target.kind})`)}`);
  if (report.cleanup.kept) lines.push(pc.yellow(report.cleanup.message ?? "resources kept"));
  else if (report.cleanup.status !== "pass") lines.push(pc.yellow(`cleanup: ${report.cleanup.message}`));
  else lines.push(pc.dim(`cleaned up ${report.cleanup.deleted} resources in ${secs(report.cleanup.durationMs)}`));
  return lines.join("\n");
}

export function writeJsonReport(report: GradeReport, file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
}

const xml = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");

export function toJUnit(report: GradeReport): string {
  const suite = `lab-${report.lab.id}-${report.lab.slug}`;
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="${(c.durationMs / 1000).toFixed(3)}"`;
    if (c.status === "pass") return `${open}/>`;
    if (c.status === "skip") return `${open}>\n      <skipped message="${xml(c.message ?? "skipped")}"/>\n    </testcase>`;
    const tag = c.status === "fail" ? "failure" : "error";
    const body = [c.message, c.hint ? `hint: ${c.hint}` : ""].filter(Boolean).join("\n");
    return `${open}>\n      <${tag} message="${xml(c.message ?? c.status)}" type="${c.blockedBy ? "blocked" : c.status}">${xml(body)}</${tag}>\n    </testcase>`;
  });
  const s = report.summary;
  const skipped = report.checks.filter((c) => c.status === "skip").length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="s3-event-labs" tests="${s.total}" failures="${s.failed}" errors="${s.errored}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(suite)}" tests="${s.total}" failures="${s.failed}" errors="${s.errored}" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${report.startedAt}">`,
    `    <properties><property name="target" value="${xml(report.target.id)}"/><property name="source" value="${report.source}"/><property name="namespace" value="${xml(report.namespace)}"/></properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    "",
  ].join("\n");
}

export function writeJUnitReport(report: GradeReport, file: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, toJUnit(report));
}
