// Tiny DOM helper: every text goes in as a text node, never as HTML (trace entries carry
// object keys, message bodies and log lines written by anyone).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function shortArn(arn) {
  if (!arn) return "";
  if (arn.startsWith("arn:aws:s3:::")) return `s3://${arn.slice(13)}`;
  const parts = arn.split(":");
  if (parts.length < 6) return arn;
  const service = parts[2];
  const resource = parts.slice(5).join(":");
  return `${service} ${resource.replace(/^function:/, "")}`;
}

export function time(iso) {
  return iso ? iso.slice(11, 23) : "";
}
