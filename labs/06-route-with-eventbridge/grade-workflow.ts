/**
 * Lab 06 — the workflow's error handling and the replay: a busy task must be
 * retried (the failures are in the execution's history, then success), a
 * broken image must not be retried but caught and notified, and a replay of
 * the archive into the CSV rule must re-deliver the CSV events (marked with
 * replay-name) without changing the import totals or reaching other rules.
 */
import { DescribeArchiveCommand } from "@aws-sdk/client-eventbridge";
import { CheckFailed, type Check } from "../../src/kit/grader/types.js";
import { describeFailure, functionActivity } from "../../src/kit/grader/evidence.js";
import { errorCode, errorMessage, pollUntil } from "../../src/kit/wait.js";
import { pace } from "../../src/kit/context.js";
import { defaultBusArn, readTotals, replayAndWait } from "./support.js";
import { finishedRuns } from "./grade-traffic.js";
import { BROKEN, BROKEN_BYTES, FLAKY, imageBytes } from "./test-data.js";
import { ARCHIVE, CSVS, FLAKY as FLAKY_CHECK, NOTIFY, patience, PERMANENT, put, quietWindow, REPLAY, IMAGE_TARGET, type State } from "./grade-state.js";

/** The task function's own count (functions/thumbnail.ts). */
const FLAKY_FAILURES = 2;

export const workflowChecks: Array<Check<State>> = [
  {
    name: FLAKY_CHECK,
    needs: [NOTIFY, IMAGE_TARGET],
    async run(ctx, st) {
      await put(ctx, st, FLAKY.key, imageBytes("png", FLAKY.size));
      const run = (await finishedRuns(ctx, st, [FLAKY.key])).get(FLAKY.key)?.[0];
      if (!run) throw new CheckFailed(`no execution for ${FLAKY.key}`);
      const busy = run.failures.filter((f) => f.error === "ThumbnailServiceBusy");
      if (run.status === "SUCCEEDED" && busy.length === FLAKY_FAILURES) return `${busy.length} ThumbnailServiceBusy failures in the history, then success`;
      if (run.status === "RUNNING") throw new CheckFailed(`the execution for ${FLAKY.key} is still running after ${patience(ctx, st) / 1000} s: are the retry intervals huge?`);
      if (busy.length <= 1) throw new CheckFailed(`the execution for ${FLAKY.key} ${run.status} after the first ThumbnailServiceBusy (${run.entered.join(" → ")}): the task needs a Retry for ThumbnailServiceBusy`);
      throw new CheckFailed(`the task failed ${busy.length} times with ThumbnailServiceBusy and the execution ${run.status} (${run.entered.join(" → ")}): the service answers on the third attempt — allow MaxAttempts of at least ${FLAKY_FAILURES}`);
    },
  },
  {
    name: PERMANENT,
    needs: [NOTIFY, IMAGE_TARGET],
    async run(ctx, st) {
      await put(ctx, st, BROKEN.key, BROKEN_BYTES(BROKEN.size));
      const run = (await finishedRuns(ctx, st, [BROKEN.key])).get(BROKEN.key)?.[0];
      if (!run) throw new CheckFailed(`no execution for ${BROKEN.key}`);
      if (run.status === "RUNNING") throw new CheckFailed(`the execution for ${BROKEN.key} is still running after ${patience(ctx, st) / 1000} s`);
      const unsupported = run.failures.filter((f) => f.error === "UnsupportedImage");
      if (unsupported.length > 1) throw new CheckFailed(`UnsupportedImage was retried ${unsupported.length - 1} time(s): a broken image stays broken — retry only ThumbnailServiceBusy (a Retry on States.ALL delays every permanent failure and hides it behind retries)`);
      if (!run.entered.includes("NotifyFailure")) throw new CheckFailed(`the execution went ${run.entered.join(" → ")} and never reached NotifyFailure: Catch the task's errors and go to NotifyFailure`);
      const inbox = st.failuresInbox;
      const about = () => inbox.seen.filter((m) => m.text.includes(BROKEN.key));
      await inbox.until(() => about().length > 0, patience(ctx, st));
      const got = about();
      if (!got.length) throw new CheckFailed(`NotifyFailure ran but no message about ${BROKEN.key} reached the failures topic${inbox.seen.length ? ` (it got ${JSON.stringify(inbox.seen[0]!.text.slice(0, 120))})` : ""}: publish a Message naming the key and the error`);
      if (!got.some((m) => m.text.includes("UnsupportedImage"))) throw new CheckFailed(`the failure message ${JSON.stringify(got[0]!.text.slice(0, 160))} does not name the error (UnsupportedImage): keep it with the Catch's ResultPath`);
      if (run.status !== "FAILED") throw new CheckFailed(`the execution for ${BROKEN.key} ended ${run.status}: after notifying, end in a Fail state so the failure shows in the execution list`);
      const flakyNotified = inbox.seen.some((m) => m.text.includes(FLAKY.key));
      if (flakyNotified) throw new CheckFailed(`the failures topic also received a message about ${FLAKY.key}, which succeeded after retries`);
      return `1 UnsupportedImage, no retry → NotifyFailure → FAILED; message: ${got[0]!.text.slice(0, 80)}`;
    },
  },
  {
    name: REPLAY,
    needs: [ARCHIVE, CSVS],
    async run(ctx, st) {
      const round = st.csvRound!;
      const replayName = `${ctx.names.namespace}-replay`;
      // Event times have whole seconds: start a second early; end now.
      const from = new Date(Math.floor(round.started / 1000) * 1000 - 1000);
      const to = new Date();
      const request = await ctx.callLearner("replayRequest", () => st.replay.replayRequest({ replayName, archiveArn: st.archive!.arn, busArn: defaultBusArn(ctx), ruleArn: st.rules.csv!.arn, from, to }));
      const p = pace(ctx);
      // Archives fill late on AWS (the guide says to wait before replaying): wait until the round's events are in.
      await pollUntil(async () => ((await ctx.clients.events.send(new DescribeArchiveCommand({ ArchiveName: st.archive!.name }))).EventCount ?? 0) >= round.archivedBefore + round.keys.length || undefined, {
        timeoutMs: ctx.target.kind === "aws" ? 15 * 60_000 : 10_000, intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs * 4, what: "the archive to hold the CSV round's events", onWait: () => ctx.status("waiting for the archive to record the events…"),
      }).catch(() => undefined);
      // Without the workflow (a grade of only some checks) there are no executions to compare.
      const runsBefore = st.runs ? (await st.runs.all()).length : 0;
      await st.deletionsInbox.drain();
      const messagesBefore = st.deletionsInbox.seen.length;
      await st.observers.csv.drain();
      const since = Date.now();
      try {
        await replayAndWait(ctx, { ...request, ReplayName: request?.ReplayName ?? replayName });
      } catch (err) {
        throw new CheckFailed(`the replay did not run: ${errorCode(err) ?? "Error"}: ${errorMessage(err)}`);
      }
      const replayed = () => st.observers.csv.seen.filter((m) => m.json?.["replay-name"] !== undefined);
      await st.observers.csv.until(() => round.keys.every((k) => replayed().some((m) => m.json!.detail?.object?.key === k)), patience(ctx, st));
      const p2 = pace(ctx);
      const activity = await pollUntil(async () => {
        const a = await functionActivity(ctx, st.importer.name, since);
        return a.completed >= replayed().length || a.failures.length ? a : undefined;
      }, { timeoutMs: patience(ctx, st), intervalMs: p2.intervalMs * 4, maxIntervalMs: p2.maxIntervalMs, what: "the replayed invocations" }).catch(() => functionActivity(ctx, st.importer.name, since));
      await quietWindow(ctx);
      const problems: string[] = [];
      const marked = replayed();
      if (!marked.length) problems.push(`no replayed event reached the CSV rule (the grader's observer on it saw none with replay-name): replay from the archive onto the default bus, with the CSV rule in Destination.FilterArns`);
      else if (marked.some((m) => m.json!["replay-name"] !== (request?.ReplayName ?? replayName))) problems.push(`replayed events carry replay-name ${JSON.stringify(marked[0]!.json!["replay-name"])}, expected the replay's name`);
      const missing = round.keys.filter((k) => !marked.some((m) => m.json!.detail?.object?.key === k));
      if (marked.length && missing.length) problems.push(`the replay did not re-deliver ${missing.join(", ")}: the window must cover the CSV round (from ${from.toISOString()} to ${to.toISOString()})`);
      if (activity.failures.length) problems.push(`the import function failed on a replayed event: ${describeFailure(activity.failures[0]!, ctx.verbose)} — a replayed event can name a file deleted since`);
      const totals = await readTotals(ctx, st.table.name);
      if (totals && (totals.files !== round.totals.files || totals.rows !== round.totals.rows)) problems.push(`the totals went from ${JSON.stringify(round.totals)} to ${JSON.stringify(totals)}: the function counted replayed events again — count each upload (its key and sequencer) once`);
      const runsAfter = st.runs ? (await st.runs.all()).length : 0;
      await st.deletionsInbox.drain();
      if (runsAfter > runsBefore || st.deletionsInbox.seen.length > messagesBefore) problems.push(`the replay also reached other rules (${runsAfter - runsBefore} new execution(s), ${st.deletionsInbox.seen.length - messagesBefore} new deletion message(s)): list only the CSV rule in Destination.FilterArns`);
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      return `${marked.length} events replayed (replay-name ${marked[0]!.json!["replay-name"]}), ${activity.completed} invocations, totals unchanged at ${JSON.stringify(round.totals)}`;
    },
  },
];
