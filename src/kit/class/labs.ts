/** The lab catalogue as the class server shows it: ids, titles, check names and their level-1 hints. */
import { listLabs, loadLab } from "../labs.js";
import type { LabInfo } from "./summary.js";

export async function classLabs(): Promise<LabInfo[]> {
  const out: LabInfo[] = [];
  for (const entry of listLabs()) {
    const lab = await loadLab(entry);
    out.push({ id: lab.id, title: lab.title, checks: lab.grader.checks.map((c) => c.name), hints: Object.fromEntries(lab.grader.checks.map((c) => [c.name, c.hint ?? ""])) });
  }
  return out;
}
