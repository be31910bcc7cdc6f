// The class dashboard: renders the class view the server pushes over
// server-sent events (/api/events). Everything a participant chose (names,
// check messages) is inserted as text, never as HTML.
const $ = (id) => document.getElementById(id);
let view;
let selected;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const minutes = (ms) => (ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);
const ago = (iso) => {
  if (!iso) return "—";
  const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  return s < 60 ? `${Math.round(s)} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(iso).toLocaleTimeString();
};
const median = (xs) => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

// Where the participant is in the lab's guided steps (npm run lab, the menu).
const stepShort = (st) => `step ${st.step}/${st.steps}${st.state === "started" ? "" : ` · ${st.state}`}`;
const stepLong = (st) => `guided ${stepShort(st)}: ${st.title} (${ago(st.at)})`;

function renderMatrix() {
  const head = el("tr", {}, el("th", { class: "name" }, "participant"), ...view.labs.map((l) => el("th", { title: l.title }, `lab ${l.id}`)), el("th", {}, "last activity"));
  $("matrix").tHead.replaceChildren(head);
  const rows = view.participants.map((p) => {
    const cells = view.labs.map((l) => {
      const c = p.labs[l.id];
      const skipped = c.skippedChecks ? ` · ${c.skippedChecks} skipped` : "";
      const graded = c.status === "not started" ? "" : `${c.status === "passed" ? "✔ " : ""}${c.passedChecks}/${c.totalChecks}${skipped} · ${c.attempts}×`;
      // No grade yet: the step says they are working; after a grade, a newer step is added to it.
      const step = c.step && (!graded || c.step.afterLatestGrade) ? stepShort(c.step) : "";
      const text = [graded, step].filter(Boolean).join(" · ") || "—";
      const guidedOnly = c.status === "not started" && c.step;
      const kind = guidedOnly ? "guided" : c.status.replace(" ", "-");
      const title = `${p.name}, lab ${l.id}: ${guidedOnly ? "not graded yet" : c.status}${c.step ? `; ${stepLong(c.step)}` : ""}`;
      const td = el("td", { class: `cell ${kind}`, "data-participant": p.id, "data-lab": l.id, title }, text);
      if (selected && selected.p === p.id && selected.lab === l.id) td.classList.add("selected");
      td.addEventListener("click", () => {
        selected = { p: p.id, lab: l.id };
        render();
      });
      return td;
    });
    return el("tr", { "data-participant": p.id }, el("td", { class: "name" }, p.name, p.left ? el("span", { class: "left" }, " (left)") : ""), ...cells, el("td", {}, ago(p.lastActivity)));
  });
  $("matrix").tBodies[0].replaceChildren(...rows);
  const foot = el(
    "tr",
    {},
    el("th", { class: "name" }, "passed · median time"),
    ...view.labs.map((l) => {
      const passed = view.participants.filter((p) => p.labs[l.id].everPassed);
      const m = median(passed.map((p) => p.labs[l.id].timeSpentMs));
      return el("td", { "data-lab": l.id }, `${passed.length}/${view.participants.length}${m === undefined ? "" : ` · ${minutes(m)}`}`);
    }),
    el("td", {}, ""),
  );
  $("matrix").tFoot.replaceChildren(foot);
}

function renderStuck() {
  const blocks = view.labs
    .filter((l) => (view.hardest[l.id] ?? []).length)
    .map((l) =>
      el(
        "div",
        { class: "stuck-lab", "data-lab": l.id },
        el("h3", {}, `Lab ${l.id} — ${l.title}`),
        el("ol", {}, ...view.hardest[l.id].slice(0, 3).map((h) => el("li", {}, el("span", { class: "count" }, `${h.failing} of ${h.of}`), ` failing: ${h.check}`, h.hint ? el("span", { class: "hint" }, `hint: ${h.hint}`) : ""))),
      ),
    );
  $("stuck").replaceChildren(...(blocks.length ? blocks : [el("p", { class: "note" }, "Nothing failing right now.")]));
}

function renderDetail() {
  const p = selected && view.participants.find((x) => x.id === selected.p);
  const c = p && p.labs[selected.lab];
  $("detail").hidden = !c;
  if (!c) return;
  $("detail-title").textContent = `${p.name} — lab ${selected.lab}`;
  $("detail-meta").textContent = c.latest
    ? `${c.status}; ${c.passedChecks}/${c.totalChecks} checks${c.skippedChecks ? ` (${c.skippedChecks} skipped: not verified on that target)` : ""} in the latest grade (${ago(c.latest.startedAt)}, ${c.latest.target}); ${c.attempts} grade(s); time spent ${minutes(c.timeSpentMs)}`
    : c.step
      ? "not graded yet"
      : "not started";
  $("detail-step").textContent = c.step ? `Where they are: ${stepLong(c.step)}` : "";
  $("detail-checks").replaceChildren(
    ...(c.latest?.checks ?? []).map((k) => el("li", { class: k.status }, k.name, k.status !== "pass" && k.message ? el("span", { class: "msg" }, k.status === "skip" ? `skipped: ${k.message}` : k.message) : "", k.status !== "pass" && k.status !== "skip" && k.hint ? el("span", { class: "msg" }, `hint: ${k.hint}`) : "")),
  );
}

function render() {
  $("class-name").textContent = view.name;
  document.title = `${view.name} — class dashboard`;
  $("counts").textContent = `${view.participants.filter((p) => !p.left).length} participants · ${view.results} results`;
  renderMatrix();
  renderStuck();
  renderDetail();
}

function connect() {
  const events = new EventSource("/api/events");
  events.addEventListener("class", (e) => {
    view = JSON.parse(e.data);
    $("live").textContent = "live";
    $("live").className = "live on";
    render();
  });
  events.addEventListener("error", () => {
    $("live").textContent = "reconnecting…";
    $("live").className = "live off";
  });
}
connect();
// "… min ago" keeps moving between updates.
setInterval(() => view && render(), 15_000);
