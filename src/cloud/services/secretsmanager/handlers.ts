/**
 * Secrets Manager operations (awsJson 1.1). Messages are AWS's where they
 * were seen (aws-behavior.md §9); timestamps are epoch seconds with a
 * fraction, as the service sends them.
 */
import { randomUUID, randomInt } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import { keyValueTags, mergeKeyValueTags, type KeyValueTag } from "../../core/tags.js";
import type { JsonHandler } from "../../protocols/json.js";
import { newSecretArn, type SecretRecord, type SecretVersion, type SecretsState } from "./state.js";

const NAME = /^[A-Za-z0-9/_+=.@!-]{1,512}$/;
const DAY_MS = 24 * 3600 * 1000;

const epoch = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export function notFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
}

function markedForDeletion(): AwsError {
  return new AwsError("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
}

function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

function requireId(input: Record<string, unknown>): string {
  const id = input.SecretId;
  if (typeof id !== "string" || id === "") throw invalidParameter("You must provide a SecretId.");
  return id;
}

function secretValue(input: Record<string, unknown>): { secretString?: string; secretBinary?: string } {
  const s = input.SecretString;
  const b = input.SecretBinary;
  if (s !== undefined && b !== undefined) throw invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  if (s !== undefined && typeof s !== "string") throw invalidParameter("SecretString must be a string.");
  if (b !== undefined && typeof b !== "string") throw invalidParameter("SecretBinary must be base64-encoded bytes.");
  const size = s !== undefined ? Buffer.byteLength(s) : b !== undefined ? Buffer.from(b, "base64").length : 0;
  if (size > 65536) throw invalidParameter("The secret value exceeds the maximum size of 65536 bytes.");
  return { secretString: s as string | undefined, secretBinary: b as string | undefined };
}

function tagsOf(value: unknown): KeyValueTag[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidParameter("Tags must be a list of {Key, Value}.");
  return keyValueTags(value, invalidParameter);
}

/** A new version becomes AWSCURRENT; the previous current one AWSPREVIOUS; unlabelled versions go. */
function addVersion(record: SecretRecord, version: SecretVersion): void {
  const stages = version.stages;
  if (stages.includes("AWSCURRENT")) {
    for (const v of record.versions) {
      v.stages = v.stages.filter((s) => s !== "AWSPREVIOUS");
      if (v.stages.includes("AWSCURRENT")) v.stages = [...v.stages.filter((s) => s !== "AWSCURRENT"), "AWSPREVIOUS"];
    }
  }
  for (const v of record.versions) v.stages = v.stages.filter((s) => s === "AWSCURRENT" || s === "AWSPREVIOUS" || !stages.includes(s));
  record.versions = [...record.versions.filter((v) => v.stages.length > 0), version];
  record.lastChanged = Date.now();
}

export function secretHandlers(state: SecretsState): Record<string, JsonHandler> {
  function live(ctx: RequestContext, id: string, allowDeleted = false): SecretRecord {
    const record = state.find(ctx.account, ctx.region, id);
    if (!record) throw notFound();
    if (record.deletedAt !== undefined && !allowDeleted) throw markedForDeletion();
    return record;
  }

  return {
    CreateSecret(ctx, input) {
      const name = input.Name;
      if (typeof name !== "string" || !NAME.test(name)) {
        throw invalidParameter("Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
      }
      const existing = state.find(ctx.account, ctx.region, name);
      if (existing) {
        if (existing.deletedAt !== undefined) throw new AwsError("InvalidRequestException", `You can't create this secret because a secret with this name is already scheduled for deletion.`);
        throw new AwsError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
      }
      const value = secretValue(input);
      const now = Date.now();
      const record: SecretRecord = {
        account: ctx.account,
        region: ctx.region,
        name,
        arn: newSecretArn(ctx.account, ctx.region, name),
        description: typeof input.Description === "string" ? input.Description : undefined,
        kmsKeyId: typeof input.KmsKeyId === "string" ? input.KmsKeyId : undefined,
        tags: tagsOf(input.Tags),
        versions: [],
        created: now,
        lastChanged: now,
      };
      let versionId: string | undefined;
      if (value.secretString !== undefined || value.secretBinary !== undefined) {
        const id = typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID();
        versionId = id;
        record.versions.push({ id, ...value, stages: ["AWSCURRENT"], created: now });
      }
      state.put(record);
      return { ARN: record.arn, Name: name, VersionId: versionId };
    },

    GetSecretValue(ctx, input) {
      const record = live(ctx, requireId(input));
      const stage = typeof input.VersionStage === "string" ? input.VersionStage : undefined;
      const versionId = typeof input.VersionId === "string" ? input.VersionId : undefined;
      const version = versionId
        ? record.versions.find((v) => v.id === versionId && (!stage || v.stages.includes(stage)))
        : record.versions.find((v) => v.stages.includes(stage ?? "AWSCURRENT"));
      if (!version) {
        throw new AwsError(
          "ResourceNotFoundException",
          versionId ? `Secrets Manager can't find the specified secret value for VersionId: ${versionId}` : `Secrets Manager can't find the specified secret value for staging label: ${stage ?? "AWSCURRENT"}`,
        );
      }
      // AWS reports the day of the last access only: the record is written once a day, not on every read.
      const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      if (record.lastAccessed === undefined || Math.floor(record.lastAccessed / DAY_MS) * DAY_MS !== today) {
        record.lastAccessed = today;
        state.put(record);
      }
      return {
        ARN: record.arn,
        Name: record.name,
        VersionId: version.id,
        SecretString: version.secretString,
        SecretBinary: version.secretBinary,
        VersionStages: version.stages,
        CreatedDate: epoch(version.created),
      };
    },

    PutSecretValue(ctx, input) {
      const record = live(ctx, requireId(input));
      const value = secretValue(input);
      if (value.secretString === undefined && value.secretBinary === undefined) throw invalidParameter("You must provide either SecretString or SecretBinary.");
      const versionId = typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID();
      const stages = Array.isArray(input.VersionStages) && input.VersionStages.length ? (input.VersionStages as string[]) : ["AWSCURRENT"];
      const same = record.versions.find((v) => v.id === versionId);
      if (same) {
        // Idempotent retry with the same token and value; a different value under the same token is refused, as AWS does.
        if (same.secretString !== value.secretString || same.secretBinary !== value.secretBinary) {
          throw new AwsError("ResourceExistsException", `A resource with the ID you requested already exists.`);
        }
      } else {
        addVersion(record, { id: versionId, ...value, stages, created: Date.now() });
        state.put(record);
      }
      return { ARN: record.arn, Name: record.name, VersionId: versionId, VersionStages: record.versions.find((v) => v.id === versionId)!.stages };
    },

    UpdateSecret(ctx, input) {
      const record = live(ctx, requireId(input));
      if (typeof input.Description === "string") record.description = input.Description;
      if (typeof input.KmsKeyId === "string") record.kmsKeyId = input.KmsKeyId;
      const value = secretValue(input);
      let versionId: string | undefined;
      if (value.secretString !== undefined || value.secretBinary !== undefined) {
        const id = typeof input.ClientRequestToken === "string" ? input.ClientRequestToken : randomUUID();
        versionId = id;
        addVersion(record, { id, ...value, stages: ["AWSCURRENT"], created: Date.now() });
      }
      record.lastChanged = Date.now();
      state.put(record);
      return { ARN: record.arn, Name: record.name, VersionId: versionId };
    },

    DescribeSecret(ctx, input) {
      return describe(live(ctx, requireId(input), true));
    },

    ListSecrets(ctx, input) {
      const includeDeleted = input.IncludePlannedDeletion === true;
      const filters = Array.isArray(input.Filters) ? (input.Filters as Array<{ Key?: string; Values?: string[] }>) : [];
      let list = state.list(ctx.account, ctx.region).filter((s) => includeDeleted || s.deletedAt === undefined);
      for (const f of filters) list = list.filter((s) => matchesFilter(s, f.Key ?? "", f.Values ?? []));
      list.sort((a, b) => a.created - b.created);
      const max = typeof input.MaxResults === "number" ? Math.min(Math.max(1, input.MaxResults), 100) : 100;
      const start = typeof input.NextToken === "string" ? Number.parseInt(Buffer.from(input.NextToken, "base64").toString(), 10) || 0 : 0;
      const page = list.slice(start, start + max);
      const next = start + max < list.length ? Buffer.from(String(start + max)).toString("base64") : undefined;
      return { SecretList: page.map(describe), NextToken: next };
    },

    DeleteSecret(ctx, input) {
      const record = live(ctx, requireId(input), true);
      const force = input.ForceDeleteWithoutRecovery === true;
      const window = input.RecoveryWindowInDays;
      if (force && window !== undefined) throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      const days = window === undefined ? 30 : Number(window);
      if (!force && (!Number.isInteger(days) || days < 7 || days > 30)) throw invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
      const now = Date.now();
      if (force) {
        // AWS deletes asynchronously (a re-create right away may still fail); here the name is free at once.
        state.remove(record);
        return { ARN: record.arn, Name: record.name, DeletionDate: epoch(now) };
      }
      if (record.deletedAt === undefined) {
        record.deletedAt = now;
        record.deletionDate = now + days * DAY_MS;
        state.put(record);
      }
      return { ARN: record.arn, Name: record.name, DeletionDate: epoch(record.deletionDate) };
    },

    RestoreSecret(ctx, input) {
      const record = live(ctx, requireId(input), true);
      delete record.deletedAt;
      delete record.deletionDate;
      state.put(record);
      return { ARN: record.arn, Name: record.name };
    },

    TagResource(ctx, input) {
      const record = live(ctx, requireId(input), true);
      record.tags = mergeKeyValueTags(record.tags, tagsOf(input.Tags));
      state.put(record);
      return {};
    },

    UntagResource(ctx, input) {
      const record = live(ctx, requireId(input), true);
      const keys = Array.isArray(input.TagKeys) ? (input.TagKeys as string[]) : [];
      record.tags = record.tags.filter((t) => !keys.includes(t.Key));
      state.put(record);
      return {};
    },

    ListSecretVersionIds(ctx, input) {
      const record = live(ctx, requireId(input), true);
      return {
        ARN: record.arn,
        Name: record.name,
        Versions: record.versions.map((v) => ({ VersionId: v.id, VersionStages: v.stages, CreatedDate: epoch(v.created) })),
      };
    },

    GetRandomPassword(_ctx, input) {
      return { RandomPassword: randomPassword(input) };
    },
  };
}

function describe(s: SecretRecord) {
  const stages: Record<string, string[]> = {};
  for (const v of s.versions) stages[v.id] = v.stages;
  return {
    ARN: s.arn,
    Name: s.name,
    Description: s.description,
    KmsKeyId: s.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: epoch(s.lastChanged),
    LastAccessedDate: s.lastAccessed !== undefined ? epoch(Math.floor(s.lastAccessed / DAY_MS) * DAY_MS) : undefined,
    DeletedDate: epoch(s.deletedAt),
    Tags: s.tags.length ? s.tags : undefined,
    VersionIdsToStages: stages,
    OwningService: s.owningService,
    CreatedDate: epoch(s.created),
  };
}

function matchesFilter(s: SecretRecord, key: string, values: string[]): boolean {
  // AWS: each value is a prefix match; a value starting with "!" negates it.
  const test = (candidates: Array<string | undefined>) =>
    values.some((raw) => {
      const negate = raw.startsWith("!");
      const v = (negate ? raw.slice(1) : raw).toLowerCase();
      const hit = candidates.some((c) => c !== undefined && c.toLowerCase().startsWith(v));
      return negate ? !hit : hit;
    });
  switch (key) {
    case "name":
      return test([s.name]);
    case "description":
      return test([s.description]);
    case "tag-key":
      return test(s.tags.map((t) => t.Key));
    case "tag-value":
      return test(s.tags.map((t) => t.Value));
    case "owning-service":
      return test([s.owningService]);
    case "primary-region":
      return test([s.region]);
    case "all":
      return test([s.name, s.description, s.owningService, ...s.tags.flatMap((t) => [t.Key, t.Value])]);
    default:
      throw invalidParameter(`Invalid filter key: ${key}`);
  }
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const DIGITS = "0123456789";
const PUNCT = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

export function randomPassword(input: Record<string, unknown> = {}): string {
  const length = typeof input.PasswordLength === "number" ? input.PasswordLength : 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) throw invalidParameter("PasswordLength must be between 1 and 4096.");
  const exclude = typeof input.ExcludeCharacters === "string" ? input.ExcludeCharacters : "";
  const classes = [
    input.ExcludeLowercase === true ? "" : LOWER,
    input.ExcludeUppercase === true ? "" : UPPER,
    input.ExcludeNumbers === true ? "" : DIGITS,
    input.ExcludePunctuation === true ? "" : PUNCT,
    input.IncludeSpace === true ? " " : "",
  ].map((c) => [...c].filter((ch) => !exclude.includes(ch)).join("")).filter(Boolean);
  if (!classes.length) throw invalidParameter("The password can't be generated with every character type excluded.");
  const all = classes.join("");
  const out: string[] = [];
  // RequireEachIncludedType (default true): one of each class first, then shuffle.
  if (input.RequireEachIncludedType !== false) for (const c of classes.slice(0, length)) out.push(c[randomInt(c.length)]!);
  while (out.length < length) out.push(all[randomInt(all.length)]!);
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out.join("");
}
