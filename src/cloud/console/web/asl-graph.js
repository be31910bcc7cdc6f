// An Amazon States Language definition drawn as a graph, from the ASL JSON alone: one box per
// state (name, type) in the order a run reaches them from StartAt, each listing its transitions —
// Next, End, a Choice's rules and Default, Catch (which errors) — as arrows naming the target box;
// Parallel branches and Map iterators are nested graphs inside their box. Everything in a
// definition is someone's text: it goes in through h() as text nodes, never as HTML, and no
// inline style is used (the console's CSP has no 'unsafe-inline').
import { h } from "./dom.js";

const MAX_DEPTH = 20;

// A Choice rule in one line: "$.kind StringEquals "a"", And/Or/Not nested.
function ruleText(rule, depth = 0) {
  if (!rule || typeof rule !== "object" || depth > MAX_DEPTH) return "?";
  if (Array.isArray(rule.And)) return rule.And.map((r) => ruleText(r, depth + 1)).join(" and ");
  if (Array.isArray(rule.Or)) return `(${rule.Or.map((r) => ruleText(r, depth + 1)).join(" or ")})`;
  if (rule.Not) return `not (${ruleText(rule.Not, depth + 1)})`;
  if (typeof rule.Condition === "string") return rule.Condition;
  const op = Object.keys(rule).find((k) => k !== "Variable" && k !== "Next" && k !== "Comment");
  return `${rule.Variable ?? ""} ${op ?? ""} ${op ? JSON.stringify(rule[op]) : ""}`.trim();
}

/** The transitions of one state: [{ label, target, kind }] (target undefined for End). */
export function transitionsOf(state) {
  const out = [];
  if (!state || typeof state !== "object") return out;
  if (state.Type === "Choice") {
    for (const [i, rule] of (Array.isArray(state.Choices) ? state.Choices : []).entries()) out.push({ kind: "choice", label: `Choice ${i + 1}: ${ruleText(rule)}`, target: rule?.Next });
    if (state.Default) out.push({ kind: "default", label: "Default", target: state.Default });
  }
  if (typeof state.Next === "string") out.push({ kind: "next", label: "Next", target: state.Next });
  for (const c of Array.isArray(state.Catch) ? state.Catch : []) out.push({ kind: "catch", label: `Catch ${(c?.ErrorEquals ?? []).join(", ")}`, target: c?.Next });
  if (state.End === true) out.push({ kind: "end", label: "End" });
  if (state.Type === "Succeed") out.push({ kind: "end", label: "Succeeds" });
  if (state.Type === "Fail") out.push({ kind: "end", label: `Fails${state.Error ? ` with ${state.Error}` : ""}${state.Cause ? `: ${state.Cause}` : ""}` });
  return out;
}

// States in the order a run meets them (breadth-first from StartAt), then any unreachable ones.
function ordered(machine) {
  const states = machine?.States && typeof machine.States === "object" ? machine.States : {};
  const seen = [];
  const queue = [machine?.StartAt];
  while (queue.length) {
    const name = queue.shift();
    if (typeof name !== "string" || !(name in states) || seen.includes(name)) continue;
    seen.push(name);
    for (const t of transitionsOf(states[name])) if (t.target) queue.push(t.target);
  }
  for (const name of Object.keys(states)) if (!seen.includes(name)) seen.push(name);
  return seen.map((name) => [name, states[name]]);
}

/** The graph of one (sub-)machine; `mark` = { visited: Set, failed }. */
export function aslGraph(machine, mark = { visited: new Set(), failed: undefined }, depth = 0) {
  if (depth > MAX_DEPTH) return h("p", { class: "muted" }, "nested too deep to draw");
  const states = ordered(machine);
  const boxes = states.map(([name, state]) => {
    const classes = ["asl-state"];
    if (name === machine.StartAt) classes.push("start");
    if (mark.visited.has(name)) classes.push("visited");
    if (name === mark.failed) classes.push("failed");
    const nested = [];
    if (state?.Type === "Parallel") for (const [i, b] of (Array.isArray(state.Branches) ? state.Branches : []).entries()) nested.push(h("div", { class: "asl-branch" }, h("div", { class: "asl-branch-title" }, `branch ${i + 1}`), aslGraph(b, mark, depth + 1)));
    const iterator = state?.ItemProcessor ?? state?.Iterator;
    if (state?.Type === "Map" && iterator) nested.push(h("div", { class: "asl-branch" }, h("div", { class: "asl-branch-title" }, "each item"), aslGraph(iterator, mark, depth + 1)));
    return h(
      "div",
      { class: classes.join(" "), dataset: { state: name, type: String(state?.Type ?? "?") } },
      h("div", { class: "asl-head" }, h("span", { class: "asl-name" }, name), h("span", { class: "asl-type" }, String(state?.Type ?? "?")), name === mark.failed ? h("span", { class: "asl-flag" }, "failed here") : null),
      typeof state?.Resource === "string" ? h("div", { class: "asl-resource" }, state.Resource) : null,
      nested,
      h(
        "ul",
        { class: "asl-edges" },
        transitionsOf(state).map((t) => h("li", { class: `asl-edge ${t.kind}`, dataset: { target: t.target ?? "" } }, `${t.label} `, t.target ? h("span", { class: "asl-target" }, `→ ${t.target}`) : null)),
      ),
    );
  });
  return h("div", { class: "asl-graph" }, h("div", { class: "asl-start" }, `Start → ${machine?.StartAt ?? "?"}`), boxes);
}
