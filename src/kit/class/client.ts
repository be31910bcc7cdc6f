/**
 * A participant's side of a class: join once (`npm run class -- join <link>
 * --name <name>`), and from then on every grade of the participant's own
 * files — from `npm run grade`, the menu or --watch — is also sent to the
 * class server.
 *
 * Sending never blocks or slows a grade: the result is first written to an
 * outbox (.s3-event-labs/class-outbox/, one file per result, named by its id),
 * then sent with a short time limit after the checklist is printed. Whatever
 * could not be sent stays in the outbox and goes with the next grade, or with
 * `npm run class -- status`. The server stores a result id once, so a result
 * sent twice (its answer was lost) is not counted twice.
 *
 * Guided steps (`npm run lab`, the menu's "Run the guided steps") report
 * where the participant is: a small progress record when each step starts
 * (the step they are on — reading it, waiting on it, or stuck in it — is what
 * an instructor walking the room needs; a step's end is the next one's
 * start), when a step fails, and when the run is done. Only the latest per
 * lab matters, so it is kept as one outbox file per lab
 * (class-outbox/progress-NN.json), overwritten by the next step: a server
 * that is down for the whole lab costs one small send per lab when it is
 * back. Each step starts a send in the background (never awaited by the
 * step); the end of the run waits for it at most a second.
 *
 * By design: two kits of the same participant flushing at the same moment
 * (a grade in another terminal) may both send a progress file; the server
 * stores an id once. If a step overwrites its lab's file while that file's
 * send is in flight, the send removes the file only when it still holds the
 * record it sent, so the newer one stays queued.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import pc from "picocolors";
import { readJson, statePath, writeFileAtomic } from "../paths.js";
import type { GradeReport } from "../grader/types.js";
import type { JoinAnswer, ProgressSubmission, ResultSubmission, StepProgress } from "./protocol.js";

export interface ClassMembership {
  server: string;
  participantId: string;
  token: string;
  name: string;
  className: string;
  joinedAt: string;
}

const membershipFile = () => statePath("class.json");
const outboxDir = () => statePath("class-outbox");

export function membership(): ClassMembership | undefined {
  return readJson<ClassMembership | undefined>(membershipFile(), undefined);
}

/** A join link is `http://<host>:<port>/join?code=XXXX-XXXX`; the code may also be given apart. */
export function parseJoinLink(link: string, code?: string): { server: string; code: string } {
  let url: URL;
  try {
    url = new URL(/^https?:\/\//.test(link) ? link : `http://${link}`);
  } catch {
    throw new Error(`"${link}" is not a join link: it looks like http://192.168.1.20:4590/join?code=ABCD-EFGH.`);
  }
  const found = code ?? url.searchParams.get("code") ?? "";
  if (!found) throw new Error("The join link has no code: add --code <the code the instructor shows>.");
  return { server: url.origin, code: found };
}

async function post(server: string, pathname: string, body: unknown, token?: string, timeoutMs = 5000): Promise<{ status: number; json: any }> {
  const res = await fetch(new URL(pathname, server), {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body ?? {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: text };
  }
  return { status: res.status, json };
}

export async function joinClass(link: string, name: string, code?: string): Promise<ClassMembership> {
  const current = membership();
  if (current) throw new Error(`You are already in "${current.className}" as ${current.name} (${current.server}). Leave first: npm run class -- leave`);
  const target = parseJoinLink(link, code);
  let answer: { status: number; json: any };
  try {
    answer = await post(target.server, "/api/join", { code: target.code, name });
  } catch (err) {
    throw new Error(`Could not reach the class server at ${target.server} (${(err as Error).message}). Are you on the classroom's network?`);
  }
  if (answer.status !== 201) throw new Error(`The class server refused to join: ${answer.json?.error ?? answer.status}`);
  const joined = answer.json as JoinAnswer;
  const m: ClassMembership = { server: target.server, participantId: joined.participantId, token: joined.token, name, className: joined.className, joinedAt: new Date().toISOString() };
  writeFileAtomic(membershipFile(), JSON.stringify(m, null, 2) + "\n");
  return m;
}

/** Leave the class: the server keeps your results; unsent ones are dropped. */
export async function leaveClass(): Promise<{ left?: ClassMembership; dropped: number; serverToldError?: string }> {
  const m = membership();
  if (!m) return { dropped: 0 };
  let serverToldError: string | undefined;
  try {
    const r = await post(m.server, "/api/leave", {}, m.token, 3000);
    if (r.status !== 200) serverToldError = r.json?.error ?? String(r.status);
  } catch (err) {
    serverToldError = (err as Error).message;
  }
  const dropped = pendingResults().length; // (unsent progress is dropped too: it only said where they were)
  fs.rmSync(outboxDir(), { recursive: true, force: true });
  fs.rmSync(membershipFile(), { force: true });
  return { left: m, dropped, serverToldError };
}

function outbox(): string[] {
  try {
    return fs.readdirSync(outboxDir()).filter((f) => f.endsWith(".json")).sort();
  } catch {
    return [];
  }
}

const PROGRESS_FILE = /^progress-\d\d\.json$/;

/** Unsent results, oldest first. */
export function pendingResults(): string[] {
  return outbox().filter((f) => !PROGRESS_FILE.test(f));
}

/** Unsent progress records (at most one per lab). */
export function pendingProgress(): string[] {
  return outbox().filter((f) => PROGRESS_FILE.test(f));
}

const newId = () => `${Date.now().toString(36)}-${randomBytes(6).toString("hex")}`;

/** Put a finished grade of the participant's own files in the outbox (no-op outside a class). */
export function queueResult(report: GradeReport): boolean {
  if (!membership() || report.source !== "learner" || report.interrupted) return false;
  // Time-ordered ids keep the outbox in grading order.
  const id = newId();
  const submission: ResultSubmission = { id, report };
  writeFileAtomic(path.join(outboxDir(), `${id}.json`), JSON.stringify(submission));
  return true;
}

/** Put where the participant is in a lab's guided steps in the outbox, replacing the lab's unsent one (no-op outside a class). */
export function queueProgress(progress: Omit<StepProgress, "at"> & { at?: string }): boolean {
  if (!membership() || !/^\d\d$/.test(progress.lab)) return false;
  const submission: ProgressSubmission = { id: newId(), progress: { ...progress, title: progress.title.slice(0, 200), at: progress.at ?? new Date().toISOString() } };
  writeFileAtomic(path.join(outboxDir(), `progress-${progress.lab}.json`), JSON.stringify(submission));
  return true;
}

export interface FlushResult {
  /** Results sent. */
  sent: number;
  /** Results still queued. */
  pending: number;
  progressSent: number;
  progressPending: number;
  /** Why sending stopped, when it did. */
  problem?: string;
}

/** Send what is in the outbox — results oldest first, then progress — within `budgetMs`; stops at the first unreachable send. */
export async function flushOutbox(budgetMs = 5000): Promise<FlushResult> {
  const m = membership();
  if (!m) return { sent: 0, pending: 0, progressSent: 0, progressPending: 0 };
  const deadline = Date.now() + budgetMs;
  let sent = 0;
  let progressSent = 0;
  let problem: string | undefined;
  const files = outbox();
  const queue = [...files.filter((f) => !PROGRESS_FILE.test(f)), ...files.filter((f) => PROGRESS_FILE.test(f))];
  for (const file of queue) {
    const isResult = !PROGRESS_FILE.test(file);
    const api = isResult ? "/api/results" : "/api/progress";
    const left = deadline - Date.now();
    if (left <= 0) {
      problem = "time limit reached";
      break;
    }
    const full = path.join(outboxDir(), file);
    let submission: { id: string };
    try {
      submission = JSON.parse(fs.readFileSync(full, "utf8"));
    } catch {
      if (isResult) fs.rmSync(full, { force: true }); // another flush sent it meanwhile, or a torn write
      continue;
    }
    // Remove what was sent — for a progress file only if no newer step replaced it meanwhile.
    const done = () => {
      if (isResult) return fs.rmSync(full, { force: true });
      try {
        if ((JSON.parse(fs.readFileSync(full, "utf8")) as { id: string }).id === submission.id) fs.rmSync(full, { force: true });
      } catch {
        /* already gone */
      }
    };
    let answer: { status: number; json: any };
    try {
      answer = await post(m.server, api, submission, m.token, Math.min(left, 3000));
    } catch (err) {
      problem = `the class server at ${m.server} is unreachable (${(err as Error).name === "TimeoutError" ? "timed out" : (err as Error).message})`;
      break;
    }
    if (answer.status === 202) {
      done();
      if (isResult) sent++;
      else progressSent++;
      continue;
    }
    if (answer.status === 401) {
      problem = `the class server does not know you any more (${answer.json?.error ?? 401}); join again`;
      break;
    }
    if (answer.status >= 500 || answer.status === 429) {
      problem = `the class server answered ${answer.status}`;
      break;
    }
    // 400/404/413/422: this will never be accepted (404: a class server older than progress records); keeping it would block the queue.
    done();
    problem = `one ${isResult ? "result" : "progress record"} was refused and dropped: ${answer.json?.error ?? answer.status}`;
  }
  const remaining = outbox();
  const progressPending = remaining.filter((f) => PROGRESS_FILE.test(f)).length;
  return { sent, pending: remaining.length - progressPending, progressSent, progressPending, problem };
}

let inFlight: Promise<unknown> | undefined;
let again = false;

function sendInBackground(budgetMs: number): void {
  if (inFlight) {
    again = true; // one send at a time; the newest record goes with the next
    return;
  }
  inFlight = flushOutbox(budgetMs)
    .catch(() => undefined)
    .finally(() => {
      inFlight = undefined;
      if (again) {
        again = false;
        sendInBackground(budgetMs);
      }
    });
}

/**
 * From the guided-step loop (steps.ts): queue where the participant is and
 * start sending it without waiting. Silent, never throws; no-op outside a class.
 */
export function reportStep(progress: Omit<StepProgress, "at">): void {
  try {
    if (queueProgress(progress)) sendInBackground(1500);
  } catch {
    // the outbox could not be written: the guided run goes on regardless
  }
}

/** At the end of a guided run: give the background send at most `budgetMs` to finish (what is not sent stays queued). */
export async function settleSteps(budgetMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
  const settled = async () => {
    while (inFlight) await inFlight;
  };
  await Promise.race([settled(), limit]);
  clearTimeout(timer);
}

/**
 * After a grade (grade.ts): queue the result for the class and send it within
 * a second; whatever is not sent waits for the next grade. Silent outside a class.
 */
export async function reportToClass(report: GradeReport, budgetMs = 1500): Promise<void> {
  try {
    if (!queueResult(report)) {
      if (membership() && outbox().length) await flushOutbox(budgetMs); // e.g. a --solution grade: still send what waits
      return;
    }
    const r = await flushOutbox(budgetMs);
    const m = membership()!;
    if (!r.pending) console.log(pc.dim(`Sent to the class "${m.className}".`));
    else console.log(pc.yellow(`Queued for the class server (${r.problem}); it is sent with your next grade, or now with npm run class -- status.`));
  } catch (err) {
    console.log(pc.yellow(`Could not queue this result for the class (${(err as Error).message}); the grade itself is unaffected.`));
  }
}
