// The console's start: read the token and the view from the fragment (#token=…&bucket=…&key=…),
// stream the trace, and switch between the event trace and the resources.
import { hasToken, setToken, streamTrace } from "./api.js";
import { TraceModel } from "./trace-model.js";
import { renderTrace } from "./trace-view.js";
import { setNameFilter, setRegion, showDetail, showKinds, showList } from "./resources-view.js";

const state = new URLSearchParams(location.hash.slice(1));
setToken(state.get("token") ?? "");

const model = new TraceModel();
const filtersForm = document.getElementById("filters");
const stories = document.getElementById("stories");
const traceStatus = document.getElementById("trace-status");
const live = document.getElementById("live");

function saveState() {
  history.replaceState(null, "", `#${state.toString()}`);
}

function filters() {
  const f = new FormData(filtersForm);
  const minutes = Number(f.get("since") || 0);
  return {
    bucket: String(f.get("bucket") ?? "").trim(),
    prefix: String(f.get("prefix") ?? ""),
    ns: String(f.get("ns") ?? "").trim(),
    since: minutes ? new Date(Date.now() - minutes * 60_000).toISOString() : "",
    all: f.get("all") === "on",
    // From a link (a failing check's time window); "show all times" drops them.
    from: state.get("from") ?? "",
    to: state.get("to") ?? "",
  };
}

let scheduled = false;
function redraw() {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    if (state.get("view") !== "resources") {
      renderTrace(model, stories, filters(), traceStatus);
      if (state.get("from") || state.get("to")) {
        const all = document.createElement("a");
        all.href = "#";
        all.className = "show-all-times";
        all.textContent = "show all times";
        all.addEventListener("click", (ev) => {
          ev.preventDefault();
          state.delete("from");
          state.delete("to");
          saveState();
          redraw();
        });
        traceStatus.append(` — only ${state.get("from")?.slice(11, 19) ?? "…"} to ${state.get("to")?.slice(11, 19) ?? "…"} (UTC) `, all);
      }
    }
  }, 150);
}

function show(view) {
  state.set("view", view);
  saveState();
  document.getElementById("trace-view").hidden = view !== "trace";
  document.getElementById("resources-view").hidden = view !== "resources";
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === view);
  if (view === "trace") redraw();
  else void openResources();
}

// The kinds in the menu; a hidden one (one object, one execution) is opened from another's detail and has no list.
let menuKinds = new Set();

async function open(kind, id) {
  if (menuKinds.has(kind)) {
    state.set("kind", kind);
    if (!id) await showList(kind, open);
  }
  if (id) {
    state.set("id", id);
    state.set("idKind", kind);
    await showDetail(kind, id, open);
  } else state.delete("id");
  saveState();
}

async function openResources() {
  const kinds = await showKinds((kind) => open(kind));
  menuKinds = new Set(kinds.map((k) => k.kind));
  const kind = state.get("kind") ?? kinds[0]?.kind;
  if (kind) await showList(kind, open);
  if (state.get("id")) await showDetail(state.get("idKind") ?? kind, state.get("id"), open);
}

if (!hasToken()) {
  document.getElementById("no-token").hidden = false;
  live.textContent = "no token";
} else {
  for (const name of ["bucket", "prefix", "ns"]) if (state.get(name)) filtersForm.elements[name].value = state.get(name);
  if (state.get("key")) filtersForm.elements.prefix.value = state.get("key");
  filtersForm.addEventListener("input", () => {
    for (const name of ["bucket", "prefix", "ns"]) {
      const v = filtersForm.elements[name].value;
      if (v) state.set(name, v);
      else state.delete(name);
    }
    state.delete("key");
    saveState();
    redraw();
  });
  filtersForm.addEventListener("submit", (ev) => ev.preventDefault());
  const regionForm = document.getElementById("region-form");
  regionForm.addEventListener("submit", (ev) => ev.preventDefault());
  regionForm.addEventListener("change", () => {
    setRegion(regionForm.elements.region.value.trim());
    setNameFilter(regionForm.elements.q.value);
    void openResources();
  });
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", (ev) => (ev.preventDefault(), show(tab.dataset.view)));
  streamTrace(
    (entry, gap) => {
      model.lost += gap;
      model.add(entry);
      redraw();
    },
    (text) => {
      live.textContent = text;
      live.classList.toggle("on", text === "live");
      // A wrong or stale token (the cloud was restarted with a new one): say what to do instead of an empty page.
      const refused = /refused/.test(text);
      const help = document.getElementById("no-token");
      help.hidden = !refused;
      if (refused) help.querySelector("h2").textContent = "The cloud did not accept this link's token (it may have been restarted): open the link it printed most recently";
    },
  );
  show(state.get("view") === "resources" ? "resources" : "trace");
}
