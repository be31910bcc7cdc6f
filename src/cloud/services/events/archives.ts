/**
 * Archives (aws-behavior.md §13): CreateArchive / DescribeArchive /
 * ListArchives / UpdateArchive / DeleteArchive, and the archiving itself —
 * every event put on the archive's bus that matches its EventPattern (all
 * events when it has none) is kept, stored one record per event so replays
 * find them by time. Replayed events (those carrying `replay-name`) are never
 * archived, as on AWS. Events older than RetentionDays (0 = forever) are
 * dropped when the archive is next read or written.
 *
 * By design: events are archived at once (AWS takes up to minutes, and
 * advises waiting 10 minutes before replaying); EventCount and SizeBytes are
 * exact at any moment.
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { archiveArn, type ArchiveRecord, type ArchivedEvent, type EventsState } from "./state.js";
import { busExists, paginate } from "./buses.js";
import { validateEventPattern } from "./rules.js";
import { validation } from "./errors.js";

const ARCHIVE_NAME = /^[.\-_A-Za-z0-9]{1,48}$/;
const DAY_MS = 86_400_000;

export function archiveNotFound(name: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Archive ${name} does not exist.`);
}

export function requireArchive(state: EventsState, ctx: RequestContext, name: unknown): ArchiveRecord {
  if (typeof name !== "string" || !name) throw validation("1 validation error detected: Value null at 'archiveName' failed to satisfy constraint: Member must not be null");
  const archive = state.archives.get(archiveArn(ctx.region, ctx.account, name));
  if (!archive) throw archiveNotFound(name);
  return archive;
}

function checkRetention(days: unknown): number {
  if (days === undefined || days === null) return 0;
  if (!Number.isInteger(days) || (days as number) < 0) throw validation(`1 validation error detected: Value '${String(days)}' at 'retentionDays' failed to satisfy constraint: Member must have value greater than or equal to 0`);
  return days as number;
}

function keyOf(archive: string, event: Record<string, unknown>): string {
  return `${archive}#${String(event.time)}#${String(event.id)}`;
}

/** The archived events of an archive, oldest event time first (expired ones dropped). */
export function archivedEvents(state: EventsState, archive: ArchiveRecord): ArchivedEvent[] {
  purgeExpired(state, archive);
  const out: Array<[string, ArchivedEvent]> = [];
  for (const [key, value] of state.archived.entries()) if (value.archiveArn === archive.arn) out.push([key, value]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

function purgeExpired(state: EventsState, archive: ArchiveRecord): void {
  if (!archive.retentionDays) return;
  const cutoff = Date.now() - archive.retentionDays * DAY_MS;
  let dropped = 0;
  let bytes = 0;
  for (const [key, value] of state.archived.entries()) {
    if (value.archiveArn !== archive.arn || Date.parse(value.archivedAt) >= cutoff) continue;
    state.archived.delete(key);
    dropped++;
    bytes += Buffer.byteLength(JSON.stringify(value.event));
  }
  if (dropped) state.archives.set(archive.arn, { ...archive, eventCount: Math.max(0, archive.eventCount - dropped), sizeBytes: Math.max(0, archive.sizeBytes - bytes) });
}

/**
 * Keep an event put on `busArn` in every enabled archive of that bus whose pattern matches.
 * `matches` is the router's cached matcher, so a pattern is not parsed again for every event.
 */
export function archiveEvent(state: EventsState, busArn: string, event: Record<string, unknown>, matches: (pattern: string, event: Record<string, unknown>) => boolean): void {
  if ("replay-name" in event) return;
  let size: number | undefined;
  for (const archive of state.archives.values()) {
    if (archive.eventSourceArn !== busArn || archive.state !== "ENABLED") continue;
    if (archive.eventPattern && !matches(archive.eventPattern, event)) continue;
    size ??= Buffer.byteLength(JSON.stringify(event));
    state.archived.set(keyOf(archive.arn, event), { archiveArn: archive.arn, event, archivedAt: new Date().toISOString() });
    state.archives.set(archive.arn, { ...archive, eventCount: archive.eventCount + 1, sizeBytes: archive.sizeBytes + size });
  }
}

const describe = (a: ArchiveRecord) => ({
  ArchiveArn: a.arn,
  ArchiveName: a.name,
  EventSourceArn: a.eventSourceArn,
  Description: a.description,
  EventPattern: a.eventPattern,
  State: a.state,
  RetentionDays: a.retentionDays,
  SizeBytes: a.sizeBytes,
  EventCount: a.eventCount,
  CreationTime: Date.parse(a.createdAt) / 1000,
});

export function archiveHandlers(state: EventsState) {
  return {
    CreateArchive(ctx: RequestContext, input: { ArchiveName?: string; EventSourceArn?: string; Description?: string; EventPattern?: string; RetentionDays?: number; KmsKeyIdentifier?: string }) {
      const name = input.ArchiveName;
      if (typeof name !== "string" || !ARCHIVE_NAME.test(name)) {
        throw validation(`1 validation error detected: Value '${String(name)}' at 'archiveName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
      }
      const source = input.EventSourceArn;
      if (typeof source !== "string" || !/^arn:aws:events:[a-z0-9-]+:\d{12}:event-bus\/.+$/.test(source)) throw validation(`Parameter EventSourceArn is not valid. Reason: Provided Arn is not in correct format.`);
      if (!busExists(state, source)) throw new AwsError("ResourceNotFoundException", `Event bus ${source.split("/").pop()} does not exist.`);
      const pattern = input.EventPattern !== undefined ? validateEventPattern(input.EventPattern) : undefined;
      const arn = archiveArn(ctx.region, ctx.account, name);
      if (state.archives.has(arn)) throw new AwsError("ResourceAlreadyExistsException", `Archive ${name} already exists.`);
      const record: ArchiveRecord = {
        arn,
        name,
        account: ctx.account,
        region: ctx.region,
        eventSourceArn: source,
        description: input.Description,
        eventPattern: pattern,
        retentionDays: checkRetention(input.RetentionDays),
        state: "ENABLED",
        eventCount: 0,
        sizeBytes: 0,
        createdAt: new Date().toISOString(),
      };
      state.archives.set(arn, record);
      return { ArchiveArn: arn, State: record.state, CreationTime: Date.parse(record.createdAt) / 1000 };
    },

    DescribeArchive(ctx: RequestContext, input: { ArchiveName?: string }) {
      const archive = requireArchive(state, ctx, input.ArchiveName);
      purgeExpired(state, archive);
      return describe(state.archives.get(archive.arn)!);
    },

    ListArchives(ctx: RequestContext, input: { NamePrefix?: string; EventSourceArn?: string; State?: string; Limit?: number; NextToken?: string }) {
      const all = [...state.archives.values()]
        .filter((a) => a.account === ctx.account && a.region === ctx.region)
        .filter((a) => (!input.NamePrefix || a.name.startsWith(input.NamePrefix)) && (!input.EventSourceArn || a.eventSourceArn === input.EventSourceArn) && (!input.State || a.state === input.State))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((a) => {
          const { ArchiveArn: _x, Description: _d, EventPattern: _p, ...rest } = describe(a);
          return rest;
        });
      return paginate(all, input.Limit, input.NextToken, "Archives");
    },

    UpdateArchive(ctx: RequestContext, input: { ArchiveName?: string; Description?: string; EventPattern?: string; RetentionDays?: number }) {
      const archive = requireArchive(state, ctx, input.ArchiveName);
      const updated: ArchiveRecord = {
        ...archive,
        description: input.Description ?? archive.description,
        eventPattern: input.EventPattern !== undefined ? validateEventPattern(input.EventPattern) : archive.eventPattern,
        retentionDays: input.RetentionDays !== undefined ? checkRetention(input.RetentionDays) : archive.retentionDays,
      };
      state.archives.set(archive.arn, updated);
      return { ArchiveArn: archive.arn, State: updated.state, CreationTime: Date.parse(updated.createdAt) / 1000 };
    },

    DeleteArchive(ctx: RequestContext, input: { ArchiveName?: string }) {
      const archive = requireArchive(state, ctx, input.ArchiveName);
      for (const [key, value] of state.archived.entries()) if (value.archiveArn === archive.arn) state.archived.delete(key);
      state.archives.delete(archive.arn);
      return {};
    },
  };
}
