/**
 * The resource ledger (issue 6, item 5): every resource the kit creates is
 * written here *before* the create call, so a Ctrl-C or crash in the middle
 * still leaves a record for `npm run cleanup` (deleting something that was
 * never created is a harmless "not found"). Entries are removed once cleanup
 * has deleted them. One JSON file in the state dir, rewritten atomically;
 * read-modify-write happens synchronously so one process never interleaves.
 */
import { randomUUID } from "node:crypto";
import { readJson, statePath, writeFileAtomic } from "./paths.js";

/** Resource types, listed in the order cleanup deletes them (dependents first). */
export const RESOURCE_TYPES = [
  "s3-notification", // notification configuration of a bucket (cleared, not deleted)
  "lambda-permission", // a statement of a function's resource policy
  "lambda-event-source-mapping",
  "lambda-function",
  "log-group",
  "eventbridge-rule",
  "sns-subscription",
  "sns-topic",
  "sqs-queue",
  "s3-bucket", // emptied first, all versions and delete markers
  "dynamodb-table",
  "iam-role-policy", // inline policy
  "iam-attached-policy", // managed policy attachment
  "iam-role",
  "iam-policy", // customer managed policy
  "rds-db-instance", // an Aurora instance (parent: its cluster)
  "rds-db-cluster", // deleted with SkipFinalSnapshot; its RDS-managed secret goes with it
  "secretsmanager-secret", // a secret the kit created itself (deleted without recovery window)
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export interface LedgerEntry {
  id: string;
  /** Target.id: "local", "endpoint:<url>", "aws:<account>:<region>". */
  target: string;
  region: string;
  lab: string;
  namespace: string;
  type: ResourceType;
  /** The name cleanup needs (bucket, queue URL, function name, role name, sid…). */
  name: string;
  arn?: string;
  /** Extra identifiers: the parent (role of a role policy, function of a permission), queue URL… */
  parent?: string;
  createdAt: string;
  /** "guided" | "grade" | "solution" — who created it. */
  by: string;
}

interface LedgerFile {
  version: 1;
  entries: LedgerEntry[];
}

export class Ledger {
  constructor(private readonly file = statePath("ledger.json")) {}

  private load(): LedgerFile {
    const data = readJson<LedgerFile>(this.file, { version: 1, entries: [] });
    return { version: 1, entries: Array.isArray(data.entries) ? data.entries : [] };
  }

  private save(data: LedgerFile): void {
    writeFileAtomic(this.file, JSON.stringify(data, null, 2) + "\n");
  }

  /** Record a resource (idempotent on target + type + name + parent). */
  record(entry: Omit<LedgerEntry, "id" | "createdAt">): LedgerEntry {
    const data = this.load();
    const existing = data.entries.find((e) => e.target === entry.target && e.type === entry.type && e.name === entry.name && e.parent === entry.parent);
    if (existing) {
      if (entry.arn && !existing.arn) {
        existing.arn = entry.arn;
        this.save(data);
      }
      return existing;
    }
    const full: LedgerEntry = { ...entry, id: randomUUID(), createdAt: new Date().toISOString() };
    data.entries.push(full);
    this.save(data);
    return full;
  }

  /** Fill in the ARN once the create call returned it. */
  setArn(id: string, arn: string): void {
    const data = this.load();
    const e = data.entries.find((x) => x.id === id);
    if (e) {
      e.arn = arn;
      this.save(data);
    }
  }

  remove(id: string): void {
    const data = this.load();
    const next = data.entries.filter((e) => e.id !== id);
    if (next.length !== data.entries.length) this.save({ version: 1, entries: next });
  }

  list(filter: { target?: string; lab?: string; namespace?: string } = {}): LedgerEntry[] {
    return this.load().entries.filter(
      (e) => (!filter.target || e.target === filter.target) && (!filter.lab || e.lab === filter.lab) && (!filter.namespace || e.namespace === filter.namespace),
    );
  }
}
