/**
 * The class server's state, on the instructor's disk (default
 * .s3-event-labs/class/): `class.json` — the class, its join code, the
 * instructor's dashboard key and the participants (tokens kept as SHA-256
 * hashes) — written atomically on every join and leave; `results.jsonl` — every
 * result received, one JSON line each, appended and fsync'ed before the
 * server answers 202, so an acknowledged result survives a crash or kill -9.
 * `progress.jsonl` — where participants are in the guided steps, the same way
 * (appended and fsync'ed before the 202); in memory only the latest record per
 * participant and lab is kept, which is all the dashboard shows.
 * A torn last line (the crash came mid-write) is skipped on load.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { readJson, writeFileAtomic } from "../paths.js";
import type { GradeReport } from "../grader/types.js";
import { CLASS_SCHEMA, CODE_ALPHABET, normalizeCode, type StepProgress } from "./protocol.js";

export interface Participant {
  id: string;
  name: string;
  tokenHash: string;
  joinedAt: string;
  leftAt?: string;
}

export interface ClassFile {
  schema: typeof CLASS_SCHEMA;
  name: string;
  code: string;
  instructorKey: string;
  createdAt: string;
  participants: Participant[];
}

export interface StoredResult {
  id: string;
  participantId: string;
  receivedAt: string;
  report: GradeReport;
}

export interface StoredProgress {
  id: string;
  participantId: string;
  receivedAt: string;
  progress: StepProgress;
}

/** Append one JSON line and fsync it: acknowledged only once it is on disk. */
function appendDurably(file: string, record: unknown): void {
  const fd = fs.openSync(file, "a");
  try {
    fs.writeSync(fd, JSON.stringify(record) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Every parsable line of a JSON-lines file (a line torn by a crash mid-append was never acknowledged). */
function readLines<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const out: T[] = [];
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // torn line: skipped
    }
  }
  return out;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

function newCode(): string {
  let code = "";
  for (let i = 0; i < 8; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** Constant-time string comparison (join codes, keys). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class ClassStore {
  readonly file: string;
  readonly resultsFile: string;
  readonly progressFile: string;
  private state: ClassFile;
  private results: StoredResult[] = [];
  private ids = new Set<string>();
  private progressIds = new Set<string>();
  /** The latest progress per `${participantId}/${lab}` (by the participant's clock). */
  private progress = new Map<string, StoredProgress>();

  constructor(readonly dir: string, name = "S3 Event Labs class") {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, "class.json");
    this.resultsFile = path.join(dir, "results.jsonl");
    this.progressFile = path.join(dir, "progress.jsonl");
    const existing = readJson<ClassFile | undefined>(this.file, undefined);
    this.state = existing ?? { schema: CLASS_SCHEMA, name, code: newCode(), instructorKey: randomBytes(24).toString("base64url"), createdAt: new Date().toISOString(), participants: [] };
    if (!existing) this.save();
    this.load();
  }

  private load(): void {
    for (const r of readLines<StoredResult>(this.resultsFile)) {
      if (!this.ids.has(r.id)) {
        this.ids.add(r.id);
        this.results.push(r);
      }
    }
    for (const p of readLines<StoredProgress>(this.progressFile)) if (p?.progress && !this.progressIds.has(p.id)) this.keepProgress(p);
  }

  private keepProgress(p: StoredProgress): void {
    this.progressIds.add(p.id);
    const key = `${p.participantId}/${p.progress.lab}`;
    const known = this.progress.get(key);
    if (!known || p.progress.at >= known.progress.at) this.progress.set(key, p);
  }

  private save(): void {
    writeFileAtomic(this.file, JSON.stringify(this.state, null, 2) + "\n");
  }

  get name(): string {
    return this.state.name;
  }
  get code(): string {
    return this.state.code;
  }
  get instructorKey(): string {
    return this.state.instructorKey;
  }
  get participants(): readonly Participant[] {
    return this.state.participants;
  }
  get allResults(): readonly StoredResult[] {
    return this.results;
  }

  codeMatches(code: string): boolean {
    return sameSecret(normalizeCode(code), normalizeCode(this.state.code));
  }

  /** A new participant; undefined when the name is taken by someone still in the class. */
  join(name: string): { participant: Participant; token: string } | undefined {
    const lower = name.toLowerCase();
    if (this.state.participants.some((p) => !p.leftAt && p.name.toLowerCase() === lower)) return undefined;
    const token = randomBytes(32).toString("base64url");
    const participant: Participant = { id: randomBytes(8).toString("hex"), name, tokenHash: sha256(token), joinedAt: new Date().toISOString() };
    this.state.participants.push(participant);
    this.save();
    return { participant, token };
  }

  byToken(token: string): Participant | undefined {
    const hash = sha256(token);
    return this.state.participants.find((p) => !p.leftAt && sameSecret(p.tokenHash, hash));
  }

  leave(participant: Participant): void {
    participant.leftAt = new Date().toISOString();
    this.save();
  }

  /** Store a result once; false when this id was stored before (a retried send). */
  addResult(participant: Participant, id: string, report: GradeReport): boolean {
    if (this.ids.has(id)) return false;
    const stored: StoredResult = { id, participantId: participant.id, receivedAt: new Date().toISOString(), report };
    appendDurably(this.resultsFile, stored);
    this.ids.add(id);
    this.results.push(stored);
    return true;
  }

  /** Store a progress record once; false when this id was stored before. An older record (sent late) never hides a newer one. */
  addProgress(participant: Participant, id: string, progress: StepProgress): boolean {
    if (this.progressIds.has(id)) return false;
    const stored: StoredProgress = { id, participantId: participant.id, receivedAt: new Date().toISOString(), progress };
    appendDurably(this.progressFile, stored);
    this.keepProgress(stored);
    return true;
  }

  /** The latest guided-step progress of a participant in a lab. */
  latestProgress(participantId: string, lab: string): StoredProgress | undefined {
    return this.progress.get(`${participantId}/${lab}`);
  }
}
