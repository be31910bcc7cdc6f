// The console's one door to the cloud: every call is a same-origin fetch with the admin token
// in the x-localcloud-token header. The token lives in this module (and the address bar's
// fragment), never in a cookie or in storage, so no other page can use it.

let token = "";

export function setToken(value) {
  token = value;
}

export function hasToken() {
  return token !== "";
}

function call(path) {
  return fetch(`api/${path}`, { headers: { "x-localcloud-token": token }, cache: "no-store", credentials: "omit" });
}

export async function getJson(path) {
  const res = await call(path);
  const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

export async function getBytes(path) {
  const res = await call(path);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return { blob: await res.blob(), contentType: res.headers.get("x-object-content-type") ?? "application/octet-stream" };
}

/**
 * The trace as server-sent events, read with fetch (EventSource cannot send the token header).
 * Reconnects from the last seq it saw; `onEntry` gets every entry once, `onStatus` the state.
 */
export function streamTrace(onEntry, onStatus) {
  let after = 0;
  let stopped = false;
  async function connect() {
    while (!stopped) {
      try {
        const res = await call(`stream?after=${after}`);
        if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error ?? `HTTP ${res.status}`);
        onStatus("live");
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
            if (!data) continue;
            const entry = JSON.parse(data);
            if (entry.seq <= after) continue;
            const gap = after > 0 && entry.seq > after + 1 ? entry.seq - after - 1 : 0;
            after = entry.seq;
            onEntry(entry, gap);
          }
        }
        onStatus("reconnecting…");
      } catch (err) {
        onStatus(`disconnected: ${err.message}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  void connect();
  return () => (stopped = true);
}
