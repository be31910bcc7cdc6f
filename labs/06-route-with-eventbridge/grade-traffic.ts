/**
 * Lab 06 — the routing checks: uploads and deletes of many kinds, each of
 * which must land at exactly the right target and nowhere else. Executions
 * are counted per key and branch from the Step Functions API, imports from
 * the function's totals item and its REPORT log lines, deletion messages from
 * the queue subscribed to the topic. Each check uses its own keys.
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { DescribeArchiveCommand } from "@aws-sdk/client-eventbridge";
import { CheckFailed, type Check, type GradeContext } from "../../src/kit/grader/types.js";
import { describeFailure, functionActivity, waitForEvidence } from "../../src/kit/grader/evidence.js";
import { errorCode, pollUntil, TimeoutError } from "../../src/kit/wait.js";
import { pace } from "../../src/kit/context.js";
import { readTotals } from "./support.js";
import type { Run } from "./workflow-runs.js";
import { CSVS, DELETIONS, deletionText, exampleDeletionText, IMAGES, imageBytes, processedKeyFor } from "./test-data.js";
import { copy, CSVS as CSVS_CHECK, DELETIONS as DELETIONS_CHECK, IMAGES as IMAGES_CHECK, NOTIFY, OUTPUTS, patience, put, quietWindow, remove, IMAGE_TARGET, CSV_TARGET, DELETION_TARGET, type State } from "./grade-state.js";

/** Wait until every key has a finished execution (or the time is up); returns the runs per key. */
export async function finishedRuns(ctx: GradeContext, st: State, keys: string[]): Promise<Map<string, Run[]>> {
  const p = pace(ctx);
  const per = new Map<string, Run[]>();
  const look = async () => {
    const all = await st.runs!.all();
    for (const k of keys) per.set(k, all.filter((r) => r.key === k));
    return keys.every((k) => per.get(k)!.some((r) => r.status !== "RUNNING")) ? true : undefined;
  };
  try {
    await pollUntil(look, { timeoutMs: patience(ctx, st), intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs * 2, what: "the executions", onWait: () => ctx.status("waiting for the workflow's executions…") });
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    st.slow = true;
    // Still running ones are read again below; their key comes from DescribeExecution.
    for (const k of keys) per.set(k, await st.runs!.about(k));
  }
  return per;
}

const failedAt = (r: Run) => {
  const last = r.failures.at(-1);
  return last ? ` at ${last.state}: ${last.error}${last.cause ? ` (${last.cause.slice(0, 160)})` : ""}` : r.error ? `: ${r.error}` : "";
};

async function exists(ctx: GradeContext, st: State, key: string): Promise<boolean> {
  try {
    await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: st.bucket.name, Key: key }));
    return true;
  } catch (err) {
    if (errorCode(err) === "NotFound" || errorCode(err) === "NoSuchKey") return false;
    throw err;
  }
}

/** Events about `keys` that reached the rules other than `own` (their observer queues): "nowhere else". */
async function strayEvents(st: State, own: "images" | "csv" | "deletions", keys: string[], allow: (rule: string, event: Record<string, any>) => boolean = () => false): Promise<string[]> {
  const lines: string[] = [];
  for (const rule of (["images", "csv", "deletions"] as const).filter((r) => r !== own)) {
    const observer = st.observers[rule];
    await observer.drain();
    for (const key of keys) for (const e of observer.eventsAbout(key)) if (!allow(rule, e)) lines.push(`the ${rule === "csv" ? "CSV" : rule === "images" ? "image" : "deletion"} rule also matched ${e["detail-type"]} ${key}`);
  }
  return [...new Set(lines)];
}

async function invocationsSince(ctx: GradeContext, st: State, since: number) {
  return functionActivity(ctx, st.importer.name, since);
}

export const trafficChecks: Array<Check<State>> = [
  {
    name: IMAGES_CHECK,
    needs: [NOTIFY, IMAGE_TARGET],
    async run(ctx, st) {
      const { positives, negatives } = IMAGES;
      for (const img of positives.filter((i) => !i.copyOf)) await put(ctx, st, img.key, imageBytes(img.format, img.size));
      for (const img of positives.filter((i) => i.copyOf)) await copy(ctx, st, img.copyOf!, img.key);
      for (const img of negatives) await put(ctx, st, img.key, imageBytes(img.format, img.size));
      const per = await finishedRuns(ctx, st, positives.map((i) => i.key));
      await quietWindow(ctx);
      const problems: string[] = [];
      for (const img of positives) {
        const runs = (await st.runs!.about(img.key));
        if (runs.length === 0) {
          problems.push(`no execution for ${img.key} (${img.why})`);
          continue;
        }
        if (runs.length > 1) problems.push(`${runs.length} executions for ${img.key}: one upload, one execution`);
        const r = runs[0]!;
        const other = img.branch === "PngThumbnail" ? "JpegThumbnail" : "PngThumbnail";
        if (r.status === "RUNNING") problems.push(`${img.key}: the execution is still running after ${patience(ctx, st) / 1000} s`);
        else if (!r.entered.includes(img.branch!) || r.entered.includes(other)) problems.push(`${img.key} went through ${r.entered.join(" → ") || "no state"}; expected the ${img.branch} branch (the Choice decides by the key's file type)`);
        else if (r.status !== "SUCCEEDED") problems.push(`${img.key}: the execution ${r.status}${failedAt(r)}`);
        else if (!(await exists(ctx, st, processedKeyFor(img.key)))) problems.push(`${img.key}: the execution succeeded but ${processedKeyFor(img.key)} was not written (does the task pass {bucket, key} from the event?)`);
      }
      for (const img of negatives) {
        const runs = per.get(img.key) ?? (await st.runs!.about(img.key));
        if (runs.length) problems.push(`${img.key} (${img.why}) started ${runs.length} execution(s)`);
      }
      problems.push(...(await strayEvents(st, "images", [...positives, ...negatives].map((i) => i.key))));
      if (problems.length) {
        const none = positives.every((i) => problems.includes(`no execution for ${i.key} (${i.why})`));
        throw new CheckFailed(problems.slice(0, 8).join("\n    ") + (none ? "\n    — no execution started at all: EventBridge starts one only with a RoleArn whose role trusts events.amazonaws.com and may states:StartExecution on this state machine" : ""));
      }
      return `${positives.length} executions on the right branches, ${negatives.length} uploads ignored`;
    },
  },
  {
    name: OUTPUTS,
    needs: [NOTIFY, IMAGE_TARGET],
    async run(ctx, st) {
      await st.observers.images.drain();
      const runs = (await st.runs!.all()).filter((r) => r.key?.startsWith("processed/"));
      const seen = st.observers.images.seen.map((m) => m.json?.detail?.object?.key as string | undefined).filter((k) => k?.startsWith("processed/"));
      if (runs.length || seen.length) throw new CheckFailed(`the image rule matched the workflow's own output(s) ${[...new Set([...runs.map((r) => r.key), ...seen])].slice(0, 3).join(", ")}: every output would start another execution — limit the pattern to uploads/`);
      return "no execution for anything under processed/";
    },
  },
  {
    name: CSVS_CHECK,
    needs: [NOTIFY, CSV_TARGET],
    async run(ctx, st) {
      // How many events the archive held before this round: the replay waits until the round's are in too (AWS archives late).
      const archivedBefore = st.archive ? ((await ctx.clients.events.send(new DescribeArchiveCommand({ ArchiveName: st.archive.name }))).EventCount ?? 0) : 0;
      const started = Date.now();
      const first = [...CSVS.positives, CSVS.scratch];
      const rows = (cs: Array<{ rows: number }>) => cs.reduce((n, c) => n + c.rows, 0);
      const want1 = { files: first.length, rows: rows(first) };
      const want2 = { files: want1.files + 1, rows: want1.rows + CSVS.reupload.rows };
      const wait = async (want: { files: number; rows: number }, since: number, invocations: number, what: string) => {
        let last: { files: number; rows: number } | undefined;
        try {
          await waitForEvidence(ctx, {
            functionName: st.importer.name, since, timeoutMs: patience(ctx, st), what, invocations, verbose: ctx.verbose,
            result: async () => ((last = await readTotals(ctx, st.table.name)) && last.files >= want.files && last.rows >= want.rows ? last : undefined),
            failed: (f) => `the import function failed during ${what}: ${describeFailure(f, ctx.verbose)}`,
            notProduced: () => `after ${what} the totals are ${JSON.stringify(last ?? null)}, expected ${JSON.stringify(want)}`,
          });
        } catch (err) {
          if (err instanceof TimeoutError) {
            st.slow = true;
            throw new CheckFailed(`after ${what} the totals are ${JSON.stringify(last ?? null)}, expected ${JSON.stringify(want)} (waited ${patience(ctx, st) / 1000} s; was the function invoked? the CSV rule's target and permission)`);
          }
          throw err;
        }
      };
      for (const c of first.filter((c) => !("copyOf" in c && c.copyOf))) await put(ctx, st, c.key, c.body);
      for (const c of CSVS.positives.filter((c) => c.copyOf)) await copy(ctx, st, c.copyOf!, c.key);
      for (const key of CSVS.negatives) await put(ctx, st, key, "a,b\n1,2\n");
      await wait(want1, started, first.length, `${first.length} CSV uploads`);
      // A deletion of an imported file and a new upload of an imported key, once the first round is counted.
      const second = Date.now();
      await remove(ctx, st, CSVS.scratch.key);
      await put(ctx, st, CSVS.reupload.key, CSVS.reupload.body);
      await wait(want2, second, 1, "a re-upload of imports/sales.csv");
      await quietWindow(ctx);
      const totals = await readTotals(ctx, st.table.name);
      const activity = await invocationsSince(ctx, st, started);
      await st.observers.csv.drain();
      const extra = st.observers.csv.seen.filter((m) => {
        const key = m.json?.detail?.object?.key as string | undefined;
        return key !== undefined && (CSVS.negatives.includes(key) || m.json?.["detail-type"] === "Object Deleted");
      });
      const problems: string[] = await strayEvents(st, "csv", [...first.map((c) => c.key), ...CSVS.negatives], (rule, e) => rule === "deletions" && e.detail?.object?.key === CSVS.scratch.key && e["detail-type"] === "Object Deleted");
      if (extra.length) problems.push(`the CSV rule matched ${extra.map((m) => `${m.json!["detail-type"]} ${m.json!.detail.object.key}`).join(", ")}`);
      if (activity.completed > want2.files) problems.push(`${activity.completed} invocations for ${want2.files} CSV uploads${activity.failures.length ? ` (${activity.failures.length} failed: ${activity.failures[0]!.summary})` : ""}`);
      if (totals && (totals.files !== want2.files || totals.rows !== want2.rows)) problems.push(`the totals are ${JSON.stringify(totals)}, expected ${JSON.stringify(want2)} (each upload counted once, a re-upload is a new upload)`);
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      st.csvRound = { started, totals: want2, keys: [...first.map((c) => c.key), CSVS.reupload.key], archivedBefore };
      return `${want2.files} imports, ${want2.rows} rows; ${CSVS.negatives.length} other files and a deletion invoked nothing`;
    },
  },
  {
    name: DELETIONS_CHECK,
    needs: [NOTIFY, DELETION_TARGET],
    async run(ctx, st) {
      const keys = [...DELETIONS.notified, ...DELETIONS.silent];
      for (const key of keys) await put(ctx, st, key, "x");
      for (const key of keys) await remove(ctx, st, key);
      const inbox = st.deletionsInbox;
      const about = (key: string) => inbox.seen.filter((m) => m.text.includes(key));
      await inbox.until(() => DELETIONS.notified.every((k) => about(k).length > 0) || inbox.seen.length >= keys.length * 2, patience(ctx, st));
      await quietWindow(ctx);
      await inbox.drain();
      const problems: string[] = await strayEvents(st, "deletions", keys);
      if (inbox.seen.length === 0) throw new CheckFailed(`no message reached the topic for ${DELETIONS.notified.join(", ")} (waited ${patience(ctx, st) / 1000} s): the deletion rule's target, or the topic's policy`);
      for (const key of DELETIONS.notified) {
        const got = about(key);
        // A string template arrives as a JSON string: its quotes are part of the message.
        const texts = got.map((m) => m.text.replace(/^"(.*)"$/s, "$1"));
        if (!got.length) problems.push(`no message about the deletion of ${key}`);
        else if (got.length > 1) problems.push(`${got.length} messages about ${key}: one deletion, one message`);
        else if (!deletionText(key, st.bucket.name).test(texts[0]!)) problems.push(`the message for ${key} is ${JSON.stringify(texts[0]!.slice(0, 200))}; expected ${JSON.stringify(exampleDeletionText(key, st.bucket.name))} (with the event's time)`);
      }
      for (const key of DELETIONS.silent) if (about(key).length) problems.push(`the deletion of ${key} was announced: deletions of the workflow's outputs are housekeeping`);
      // The CSV check deleted its scratch file: that message is right, and not this check's business.
      const unknown = inbox.seen.filter((m) => !keys.some((k) => m.text.includes(k)) && !m.text.includes(CSVS.scratch.key));
      if (unknown.length && !problems.length) problems.push(`the topic also received ${unknown.length} message(s) about something else, e.g. ${JSON.stringify(unknown[0]!.text.slice(0, 160))}`);
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      return `${DELETIONS.notified.length} readable messages, none for processed/`;
    },
  },
];
