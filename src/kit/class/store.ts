/**
 * The class server's state, on the instructor's disk (default
 * .s3-event-labs/class/): `class.json` — the class, its join code, the
 * instructor's dashboard key and the participants (tokens kept as SHA-256
 * hashes) — written atomically on every join and leave; `results.jsonl` — every
 * result received, one JSON line each, appended and fsync'ed before the
 * server answers 202, so an acknowledged result survives a crash or kill -9.
 * A torn last line (the crash came mid-write) is skipped on load.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { readJson, writeFileAtomic } from "../paths.js";
import type { GradeReport } from "../grader/types.js";
import { CLASS_SCHEMA, CODE_ALPHABET, normalizeCode } from "./protocol.js";

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
  private state: ClassFile;
  private results: StoredResult[] = [];
  private ids = new Set<string>();

  constructor(readonly dir: string, name = "S3 Event Labs class") {
    fs.mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, "class.json");
    this.resultsFile = path.join(dir, "results.jsonl");
    const existing = readJson<ClassFile | undefined>(this.file, undefined);
    this.state = existing ?? { schema: CLASS_SCHEMA, name, code: newCode(), instructorKey: randomBytes(24).toString("base64url"), createdAt: new Date().toISOString(), participants: [] };
    if (!existing) this.save();
    this.load();
  }

  private load(): void {
    if (!fs.existsSync(this.resultsFile)) return;
    for (const line of fs.readFileSync(this.resultsFile, "utf8").split("\n")) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as StoredResult;
        if (!this.ids.has(r.id)) {
          this.ids.add(r.id);
          this.results.push(r);
        }
      } catch {
        // a line torn by a crash mid-append: it was never acknowledged
      }
    }
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
    const fd = fs.openSync(this.resultsFile, "a");
    try {
      fs.writeSync(fd, JSON.stringify(stored) + "\n");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.ids.add(id);
    this.results.push(stored);
    return true;
  }
}
