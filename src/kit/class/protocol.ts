/**
 * What the class server and the participants' kits say to each other
 * (HTTP + JSON on the classroom's LAN), in one place:
 *
 *   POST /api/join     {code, name}                → 201 {participantId, token, className}
 *   POST /api/results  Bearer <token>, {id, report} → 202 {stored | duplicate}
 *   POST /api/progress Bearer <token>, {id, progress} → 202 {stored | duplicate}
 *   POST /api/leave    Bearer <token>              → 200
 *
 * The join code (shown to the room) authenticates a join; from then on the
 * participant's own token authenticates its results, so a result can only be
 * filed under the participant who sent it. A result carries an id chosen by
 * the sender: a retried send (the answer was lost, the server restarted) is
 * stored once.
 *
 * A progress record says where a participant is in a lab's guided steps
 * (`npm run lab`, the menu): sent when a step starts, when it fails, and when
 * the run is done. Only the latest per lab matters, so the kit keeps at most
 * one unsent per lab.
 */
import type { GradeReport } from "../grader/types.js";

export const CLASS_SCHEMA = "s3-event-labs/class@1";

/** The most a result may weigh (a report with every check's message is a few KiB). */
export const MAX_RESULT_BYTES = 256 * 1024;

export interface JoinRequest {
  code: string;
  name: string;
}

export interface JoinAnswer {
  participantId: string;
  token: string;
  className: string;
}

export interface ResultSubmission {
  id: string;
  report: GradeReport;
}

/** The most a progress record may weigh (a step title is one line). */
export const MAX_PROGRESS_BYTES = 4 * 1024;

/** "started": the step is running (or the participant reads it); "failed": it stopped there; "done": every step ran. */
export type StepState = "started" | "failed" | "done";

export interface StepProgress {
  /** Two-digit lab id. */
  lab: string;
  /** 1-based number of the step (for "done", the last step). */
  step: number;
  steps: number;
  title: string;
  state: StepState;
  /** When the participant's kit recorded it (ISO 8601). */
  at: string;
}

export interface ProgressSubmission {
  id: string;
  progress: StepProgress;
}

/** A result or progress id: chosen by the sender, unique, URL-safe. */
export const SUBMISSION_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** Is this a progress record we accept? Returns the record cleaned (title without control characters) or the problem. */
export function cleanProgress(raw: unknown): StepProgress | string {
  const o = raw as StepProgress;
  if (!o || typeof o !== "object") return "progress is not an object";
  if (typeof o.lab !== "string" || !/^\d\d$/.test(o.lab)) return "progress.lab must be a two-digit lab id";
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > 100) return "progress.steps must be a whole number from 1 to 100";
  if (!Number.isInteger(o.step) || o.step < 1 || o.step > o.steps) return "progress.step must be a whole number from 1 to progress.steps";
  if (!["started", "failed", "done"].includes(o.state)) return "progress.state must be started, failed or done";
  const title = typeof o.title === "string" ? o.title.replace(/[\u0000-\u001f\u007f]/g, " ").trim() : "";
  if (!title || title.length > 200) return "progress.title must be 1 to 200 characters";
  if (typeof o.at !== "string" || o.at.length > 40 || Number.isNaN(Date.parse(o.at))) return "progress.at must be a date";
  return { lab: o.lab, step: o.step, steps: o.steps, title, state: o.state, at: new Date(o.at).toISOString() };
}

/** A participant's name as the dashboard shows it: 1–40 printable characters, trimmed. */
export function cleanName(raw: unknown): string | undefined {
  if (typeof raw !== "string") return undefined;
  const name = raw.replace(/[\u0000-\u001f\u007f]/g, "").trim();
  return name.length >= 1 && name.length <= 40 ? name : undefined;
}

/** Join codes use letters and digits that cannot be misread on a whiteboard (no 0/O, 1/I/L). */
export const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[^0-9A-Z]/g, "");
}

/** Is this a grade report we accept? (Shape only: the dashboard reads these fields.) */
export function reportProblem(r: unknown): string | undefined {
  const o = r as GradeReport;
  if (!o || typeof o !== "object") return "report is not an object";
  if (o.schema !== "s3-event-labs/grade-result@1") return "report.schema must be s3-event-labs/grade-result@1";
  if (!o.lab || typeof o.lab.id !== "string" || !/^\d\d$/.test(o.lab.id)) return "report.lab.id must be a two-digit lab id";
  if (typeof o.startedAt !== "string" || Number.isNaN(Date.parse(o.startedAt))) return "report.startedAt must be a date";
  if (typeof o.durationMs !== "number" || typeof o.passed !== "boolean") return "report.durationMs and report.passed are required";
  if (!Array.isArray(o.checks) || o.checks.some((c) => !c || typeof c.name !== "string" || !["pass", "fail", "error", "skip"].includes(c.status))) {
    return "report.checks must be a list of {name, status}";
  }
  return undefined;
}
