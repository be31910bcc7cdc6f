// The event trace, rendered: one card per S3 event (story), newest first, redrawn as entries
// stream in. Inside a card: the request, the record (with its encoded key explained), each
// notification configuration matched or not and why, every delivery attempt, each invocation with
// its log lines, the function's own SDK calls, and the events those caused as nested cards.
import { h, shortArn, time } from "./dom.js";
import { eventOf, explain, functionName, invocationKey, outcome, passes } from "./trace-model.js";

const MAX_STORIES = 100;
const MAX_DEPTH = 20;
const openDetails = new Set();

function details(key, summary, ...body) {
  const el = h("details", { open: openDetails.has(key), dataset: { key } }, h("summary", {}, summary), ...body);
  el.addEventListener("toggle", () => (el.open ? openDetails.add(key) : openDetails.delete(key)));
  return el;
}

const ICON = { ok: "✓", retry: "↻", failed: "✗", dropped: "⊘", denied: "⛔", info: "•" };

function keyNote(data) {
  if (data.encodedKey === data.key) return h("p", { class: "muted" }, `The key needs no encoding: the record's s3.object.key is "${data.key}" as stored.`);
  return h(
    "p",
    { class: "key-note" },
    "In the record the key is URL-encoded: ",
    h("code", {}, data.encodedKey),
    " stands for ",
    h("code", {}, data.key),
    ' (a space is "+", other characters are %XX bytes of UTF-8). A handler decodes it with ',
    h("code", {}, 'decodeURIComponent(key.replace(/\\+/g, " "))'),
    ".",
  );
}

function step(e, extra = []) {
  const arrow = [e.source && shortArn(e.source), e.target && shortArn(e.target)].filter(Boolean).join(" → ");
  return h(
    "div",
    { class: `step status-${e.status}`, dataset: { kind: e.kind, status: e.status } },
    h("span", { class: "t" }, time(e.time)),
    h("span", { class: "badge" }, ICON[e.status] ?? "•", " ", e.status, e.attempt ? ` #${e.attempt}` : ""),
    h("span", { class: "kind" }, e.kind),
    h("span", { class: "arrow" }, arrow),
    e.detail ? h("div", { class: "detail" }, e.detail) : null,
    extra,
  );
}

function invocation(model, e, entries, depth, seen) {
  const id = invocationKey(e.data);
  const extra = [];
  if (e.data?.logs?.length) {
    extra.push(details(`${e.id}:logs`, `log lines (${e.data.logs.length})`, h("pre", { class: "logs" }, e.data.logs.map((l) => l.message).join(""))));
  }
  const calls = entries.filter((c) => c.causedBy && invocationKey(c.causedBy) === id && c !== e);
  if (calls.length) extra.push(h("div", { class: "calls" }, h("div", { class: "label" }, "the function's SDK calls"), calls.map((c) => step(c))));
  const kids = [...(model.children.get(id) ?? [])].filter((cid) => cid !== e.correlationId);
  for (const cid of kids) {
    const fn = e.target;
    if (depth >= MAX_DEPTH) {
      extra.push(h("p", { class: "loop" }, `… and further events (not drawn past depth ${MAX_DEPTH}).`));
      break;
    }
    if (seen.has(fn)) {
      // The same function again: a loop. Its rounds are listed flat, not nested ever deeper.
      extra.push(h("div", { class: "child" }, h("div", { class: "label loop" }, `↺ loop: this event reaches ${functionName(fn)} again — round by round:`), loopChain(model, cid)));
      continue;
    }
    extra.push(h("div", { class: "child" }, h("div", { class: "label" }, "caused by this invocation:"), renderStory(model, cid, depth + 1, new Set([...seen, fn]))));
  }
  return step(e, extra);
}

/** The rounds of a loop, one line each, ending with what stopped it (or where the trace ends). */
function loopChain(model, cid) {
  const rows = [];
  let next = cid;
  const visited = new Set();
  while (next && !visited.has(next) && rows.length < 100) {
    visited.add(next);
    const entries = model.story(next);
    const event = eventOf(entries);
    const invoke = entries.filter((e) => e.kind === "lambda.invoke").pop();
    const stop = entries.find((e) => e.kind === "lambda.recursion");
    rows.push(
      h(
        "li",
        { class: "round" },
        event ? h("code", {}, `s3://${event.data.bucket}/${event.data.key}`) : entries[0]?.kind,
        invoke ? ` → ${functionName(invoke.target)} ${invoke.status === "ok" ? "✓" : "✗"} (${invoke.data?.durationMs?.toFixed?.(0) ?? "?"} ms)` : "",
        stop ? step(stop) : null,
      ),
    );
    next = invoke ? [...(model.children.get(invocationKey(invoke.data)) ?? [])][0] : undefined;
  }
  return h("ol", { class: "loop-chain" }, rows);
}

/** An event on an EventBridge bus: the event, and each rule's decision. */
function busEvent(e) {
  const rules = e.data?.rules ?? [];
  return step(e, [
    rules.length ? h("ul", { class: "configs" }, rules.map((r) => h("li", { class: "config-match", dataset: { matched: String(r.matched) } }, r.matched ? "✓ " : "✗ ", h("b", {}, r.name), ` — ${r.why}`))) : null,
    e.data?.event ? details(`${e.id}:event`, "EventBridge event", h("pre", { class: "json" }, JSON.stringify(e.data.event, null, 2))) : null,
  ]);
}

export function renderStory(model, cid, depth = 0, seen = new Set()) {
  const entries = model.story(cid);
  const event = eventOf(entries);
  const problems = explain(entries);
  if (depth === 0) {
    // A loop ends far down the chain: say at the top that it happened and where it was stopped.
    const { entries: below, stories } = model.descendants(cid);
    const stop = below.find((e) => e.kind === "lambda.recursion");
    if (stop) problems.unshift(`A loop: this event caused ${stories} more event(s) in turn, until Lambda's loop detection stopped it — ${stop.detail}`);
    else if (below.some((e) => e.status === "failed" || e.status === "denied")) problems.push(`Something this event caused failed: see the events below.`);
  }
  // An event a function caused that notifies nobody is a fact (often the point: no loop), not a failure.
  const quiet = depth > 0 && event && !(event.data.matches ?? []).some((m) => m.matched);
  const card = h("article", { class: `story${problems.length && !quiet ? " has-problem" : ""}`, dataset: { cid, bucket: event?.data?.bucket ?? "", key: event?.data?.key ?? "" } });
  if (event) {
    const d = event.data;
    card.append(
      h("h3", {}, h("span", { class: "event-name" }, d.eventName), " ", h("code", {}, `s3://${d.bucket}/${d.key}`), h("span", { class: "muted" }, ` ${time(event.time)} · ${d.size ?? "?"} bytes · by ${d.principalId} · request ${d.requestId}`)),
    );
  } else card.append(h("h3", {}, entries[0].kind, " ", h("span", { class: "muted" }, `${time(entries[0].time)} ${entries[0].detail ?? ""}`)));
  card.append(
    quiet
      ? h("p", { class: "summary muted" }, problems[0].replace("No notification configuration matched", "Notified nobody (no configuration matched)"))
      : problems.length
      ? h("ul", { class: "summary problem" }, problems.map((p) => h("li", {}, p)))
      : h("p", { class: "summary ok" }, `✓ ${outcome(entries)}`),
  );
  if (event) {
    card.append(details(`${cid}:record`, "event record", keyNote(event.data), h("pre", { class: "json" }, JSON.stringify(event.data.record, null, 2))));
    const matches = event.data.matches ?? [];
    card.append(
      h(
        "ul",
        { class: "configs" },
        matches.length === 0 ? h("li", { class: "config-match", dataset: { matched: "none" } }, "no notification configuration on this bucket") : null,
        matches.map((m) =>
          h("li", { class: "config-match", dataset: { matched: String(m.matched) } }, m.matched ? "✓ " : "✗ ", h("b", {}, m.id || m.service), ` → ${m.arn ? shortArn(m.arn) : m.service} — `, m.reason),
        ),
      ),
    );
  }
  // A function's SDK calls are drawn under its invocation (when that invocation's entry is here).
  const invocations = new Set(entries.filter((e) => e.kind === "lambda.invoke").map((e) => invocationKey(e.data)));
  const steps = entries.filter((e) => e !== event && !(e.kind !== "lambda.invoke" && e.causedBy && e.causedBy.correlationId === cid && invocations.has(invocationKey(e.causedBy))));
  const list = h("div", { class: "steps" });
  for (const e of steps) list.append(e.kind === "lambda.invoke" ? invocation(model, e, entries, depth, seen) : e.kind === "events.put" ? busEvent(e) : step(e));
  card.append(list);
  return card;
}

export function renderTrace(model, container, filters, status) {
  const roots = model.roots().filter((r) => passes(r.entries, filters));
  const shown = roots.slice(0, MAX_STORIES);
  container.replaceChildren(...shown.map((r) => renderStory(model, r.cid)));
  status.textContent =
    `${model.count} trace entries, ${roots.length} ${filters.all ? "stories" : "S3 events"} match the filters` +
    (roots.length > shown.length ? ` (newest ${shown.length} shown)` : "") +
    (model.lost ? ` — ${model.lost} older entries were trimmed from the cloud's memory before this page read them` : "");
}
