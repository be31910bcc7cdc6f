// From trace entries to stories: one story per correlation id (one S3 event and everything it
// caused), invocations inside it, the function's SDK calls under each invocation, and the events
// those calls caused as child stories — a loop is a chain of children. explain() says in one
// sentence why a delivery failed or never happened.

export class TraceModel {
  constructor() {
    this.byCid = new Map();
    /** invocation (trace root of one attempt, else request id) → child correlation ids (events its SDK calls caused). */
    this.children = new Map();
    this.count = 0;
    this.lost = 0;
  }

  add(entry) {
    this.count++;
    let list = this.byCid.get(entry.correlationId);
    if (!list) this.byCid.set(entry.correlationId, (list = []));
    list.push(entry);
    const parent = entry.causedBy;
    if (parent && entry.correlationId !== parent.correlationId) {
      const id = invocationKey(parent);
      let kids = this.children.get(id);
      if (!kids) this.children.set(id, (kids = new Set()));
      kids.add(entry.correlationId);
    }
  }

  /** Stories nobody else caused (or whose cause is no longer in the trace), newest first. */
  roots() {
    const out = [];
    for (const [cid, entries] of this.byCid) {
      const first = entries[0];
      const parent = entries.find((e) => e.causedBy && e.causedBy.correlationId !== cid)?.causedBy;
      if (parent && this.byCid.has(parent.correlationId)) continue;
      out.push({ cid, entries, time: first.time });
    }
    return out.sort((a, b) => (a.time < b.time ? 1 : -1));
  }

  story(cid) {
    return this.byCid.get(cid) ?? [];
  }

  /** Every entry of the stories this one caused, transitively (bounded: a loop is at most a few dozen rounds). */
  descendants(cid, limit = 200) {
    const out = [];
    const seen = new Set([cid]);
    const queue = [cid];
    while (queue.length && seen.size < limit) {
      for (const e of this.story(queue.shift())) {
        if (e.kind !== "lambda.invoke") continue;
        for (const kid of this.children.get(invocationKey(e.data)) ?? []) {
          if (seen.has(kid)) continue;
          seen.add(kid);
          queue.push(kid);
          out.push(...this.story(kid));
        }
      }
    }
    return { entries: out, stories: seen.size - 1 };
  }
}

/** Which invocation attempt a link (causedBy) or a lambda.invoke entry's data names: retries share a request id, not a trace root. */
export function invocationKey(link) {
  return link?.traceRoot ?? link?.requestId;
}

/** The s3.event entry of a story, if it is an S3 event. */
export function eventOf(entries) {
  return entries.find((e) => e.kind === "s3.event");
}

export function functionName(arn) {
  return arn ? arn.split(":").slice(6).join(":") || arn : "";
}

/** One sentence per thing that went wrong (or never happened), in the order it happened. */
export function explain(entries) {
  const problems = [];
  const event = eventOf(entries);
  if (event) {
    const matches = event.data?.matches ?? [];
    if (matches.length === 0) problems.push(`Nothing was notified: the bucket ${event.data.bucket} has no notification configuration.`);
    else if (!matches.some((m) => m.matched)) problems.push(`No notification configuration matched: ${matches.map((m) => `${m.id || m.service} — ${m.reason}`).join("; ")}.`);
  }
  const finalByTarget = new Map();
  for (const e of entries) {
    const target = e.target ?? "";
    if (e.kind === "iam.deny") problems.push(`Denied by a policy: ${e.detail}.`);
    else if (e.kind === "lambda.recursion") problems.push(`Loop detection stopped it: ${e.detail}`);
    else if (e.kind === "lambda.invoke" && e.status === "failed") problems.push(`The function ${functionName(target)} failed${e.data?.errorType ? ` (${e.data.errorType})` : ""}: ${e.data?.error ?? e.detail}.`);
    else if (e.status === "info" && /filtered out/.test(e.detail ?? "")) problems.push(`SNS did not deliver to ${target}: filtered out by the subscription's FilterPolicy.`);
    else if (e.kind === "events.put" && /matched no enabled rule/.test(e.detail ?? "")) problems.push(`EventBridge: the event matched no enabled rule on ${target.split("/").pop()}.`);
    // A 4xx a handler expects (a conditional write that lost, a HeadObject 404) is not a problem; a refusal without an IAM reason, or a 5xx, is.
    else if (e.kind === "sdk.call" && ((e.data?.status === 403 && !entries.some((d) => d.kind === "iam.deny" && d.data?.requestId === e.data?.requestId)) || e.data?.status >= 500)) problems.push(`The function's call ${e.detail} was refused.`);
    else if (e.kind !== "lambda.invoke" && e.kind !== "sdk.call" && (e.status === "failed" || e.status === "denied" || e.status === "dropped")) {
      finalByTarget.set(`${e.kind} ${target}`, e);
    }
  }
  for (const e of finalByTarget.values()) {
    const why = e.detail ?? "";
    if (e.kind === "lambda.async") {
      problems.push(`Lambda gave up on the event for ${functionName(e.target)}: ${why}`);
      continue;
    }
    const denied = /AccessDenied|not authorized|may not|denied/i.test(why);
    problems.push(`${denied ? "Delivery denied" : "Delivery failed"} (${e.kind} to ${e.target}): ${why}`);
  }
  // Retries repeat the same sentence: say it once, with how often it happened.
  const counts = new Map();
  for (const p of problems) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].map(([p, n]) => (n > 1 ? `${p} (${n} times: every attempt)` : p));
}

/** A one-line summary of what went right. */
export function outcome(entries) {
  const delivered = entries.filter((e) => e.status === "ok" && e.kind.includes("→")).length;
  const invoked = entries.filter((e) => e.kind === "lambda.invoke" && e.status === "ok").length;
  const calls = entries.filter((e) => e.kind === "sdk.call").length;
  return `${delivered} deliver${delivered === 1 ? "y" : "ies"}, ${invoked} successful invocation${invoked === 1 ? "" : "s"}, ${calls} SDK call${calls === 1 ? "" : "s"} by functions`;
}

/** Does a story pass the filters (bucket, key prefix, namespace, since)? */
export function passes(entries, f) {
  const event = eventOf(entries);
  if (!event && !f.all) return false;
  if (f.since && entries[entries.length - 1].time < f.since) return false;
  const at = (event ?? entries[0]).time;
  if (f.from && at < f.from) return false;
  if (f.to && at > f.to) return false;
  if (f.bucket && event?.data?.bucket !== f.bucket) return false;
  if (f.prefix && !(event?.data?.key ?? "").startsWith(f.prefix)) return false;
  if (f.ns) {
    const ns = f.ns.toLowerCase();
    const text = [event?.data?.bucket, event?.data?.key, ...entries.map((e) => `${e.source ?? ""} ${e.target ?? ""}`)].join(" ").toLowerCase();
    if (!text.includes(ns)) return false;
  }
  return true;
}
