// Resources: the kinds the cloud's console API offers (resources/registry.ts), a list per kind
// and a detail made of generic sections (kv, table, json, text, logs, preview, graph) — a new kind on the
// server needs nothing here.
import { getBytes, getJson } from "./api.js";
import { h, time } from "./dom.js";
import { aslGraph } from "./asl-graph.js";

let region = "us-east-1";
let nameFilter = "";
let current = { kind: "", id: "" };

export function setRegion(value) {
  region = value || "us-east-1";
}

export function setNameFilter(value) {
  nameFilter = (value || "").toLowerCase();
}

function q(params) {
  return new URLSearchParams({ region, ...params }).toString();
}

export async function showKinds(onOpen) {
  const { kinds } = await getJson("resources");
  document.getElementById("kinds").replaceChildren(...kinds.map((k) => h("li", {}, h("a", { href: "#", class: "kind", dataset: { kind: k.kind }, onclick: (ev) => (ev.preventDefault(), onOpen(k.kind)) }, k.title))));
  return kinds;
}

export async function showList(kind, onOpen) {
  const target = document.getElementById("resource-list");
  target.replaceChildren(h("p", { class: "muted" }, "loading…"));
  try {
    const list = await getJson(`resources/${kind}?${q({})}`);
    const items = list.items.filter((i) => !nameFilter || i.name.toLowerCase().includes(nameFilter));
    // replaceChildren would write a null as the text "null": only real nodes go in.
    const parts = [
      h("table", { class: "list" }, h("thead", {}, h("tr", {}, list.columns.map((c) => h("th", {}, c)))), h("tbody", {}, items.map((i) => h("tr", { class: "row", dataset: { id: i.id }, onclick: () => onOpen(kind, i.id) }, i.cells.map((c) => h("td", {}, c ?? "")))))),
      items.length ? null : h("p", { class: "muted" }, `No ${kind} in ${region}${nameFilter ? ` containing "${nameFilter}"` : ""}.`),
      list.note ? h("p", { class: "muted" }, list.note) : null,
    ];
    target.replaceChildren(...parts.filter(Boolean));
  } catch (err) {
    target.replaceChildren(h("p", { class: "error" }, err.message));
  }
}

async function preview(section) {
  const box = h("div", { class: "preview-box" }, h("p", { class: "muted" }, "loading preview…"));
  try {
    const { blob } = await getBytes(`resources/${section.kind}/body?${q({ id: section.id })}`);
    const type = section.contentType.split(";")[0].trim().toLowerCase();
    if (type.startsWith("image/") && type !== "image/svg+xml") {
      const url = URL.createObjectURL(new Blob([blob], { type }));
      box.replaceChildren(h("img", { class: "preview", src: url, alt: "object preview" }));
    } else if (type.startsWith("text/") || /json|xml|yaml|csv|javascript/.test(type)) {
      box.replaceChildren(h("pre", { class: "text-preview" }, (await blob.text()).slice(0, 100_000)));
    } else box.replaceChildren(h("p", { class: "muted" }, `${section.size} bytes of ${section.contentType}: no preview for this type.`));
  } catch (err) {
    box.replaceChildren(h("p", { class: "error" }, `preview failed: ${err.message}`));
  }
  return box;
}

async function renderSection(s, onOpen) {
  const title = h("h4", {}, s.title);
  switch (s.type) {
    case "kv":
      return h("section", {}, title, h("table", { class: "kv" }, s.rows.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v))))));
    case "table":
      return h(
        "section",
        {},
        title,
        h("table", { class: "list" }, h("thead", {}, h("tr", {}, s.columns.map((c) => h("th", {}, c)))), h("tbody", {}, s.rows.map((r) => h("tr", { class: r.open ? "row" : "", onclick: r.open ? () => onOpen(r.open.kind, r.open.id) : undefined }, r.cells.map((c) => h("td", {}, c ?? "")))))),
        s.note ? h("p", { class: "muted" }, s.note) : null,
      );
    case "json":
      return h("section", {}, title, h("pre", { class: "json" }, JSON.stringify(s.value, null, 2)));
    case "logs":
      return h("section", {}, title, h("pre", { class: "logs" }, s.lines.map((l) => `${time(new Date(l.timestamp).toISOString())} ${l.message}`).join("")));
    case "preview":
      return h("section", {}, title, await preview(s));
    case "graph":
      return h("section", {}, title, aslGraph(s.definition ?? {}, { visited: new Set(s.visited ?? []), failed: s.failed }));
    default:
      return h("section", {}, title, s.pre ? h("pre", { class: "text-preview" }, s.text ?? "") : h("p", {}, s.text ?? ""));
  }
}

export async function showDetail(kind, id, onOpen) {
  current = { kind, id };
  const target = document.getElementById("resource-detail");
  target.replaceChildren(h("p", { class: "muted" }, "loading…"));
  try {
    const detail = await getJson(`resources/${kind}/detail?${q({ id })}`);
    if (current.kind !== kind || current.id !== id) return;
    const sections = await Promise.all(detail.sections.map((s) => renderSection(s, onOpen)));
    target.replaceChildren(h("h3", {}, detail.title), ...sections);
  } catch (err) {
    target.replaceChildren(h("p", { class: "error" }, err.message));
  }
}
