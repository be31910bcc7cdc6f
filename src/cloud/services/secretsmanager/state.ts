/**
 * Secrets Manager records in the cloud's store (they survive a restart): one
 * record per secret, holding its versions and their staging labels. Keys are
 * `account:region:name`; the ARN (with AWS's random 6-character suffix) is
 * indexed in memory. Versions older than AWSPREVIOUS that have no label are
 * dropped, as AWS drops unlabelled versions.
 */
import { randomBytes } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";

export interface SecretVersion {
  id: string;
  secretString?: string;
  /** base64 */
  secretBinary?: string;
  stages: string[];
  created: number;
}

export interface SecretRecord {
  account: string;
  region: string;
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  tags: Array<{ Key: string; Value: string }>;
  versions: SecretVersion[];
  created: number;
  lastChanged: number;
  lastAccessed?: number;
  /** Scheduled deletion: when it was asked (DeletedDate) and when it happens. */
  deletedAt?: number;
  deletionDate?: number;
  owningService?: string;
}

const SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** AWS appends a hyphen and 6 random letters/digits to every secret's ARN (§9). */
export function arnSuffix(): string {
  const bytes = randomBytes(6);
  let out = "";
  for (const b of bytes) out += SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length];
  return out;
}

/** A new secret's ARN: its name and a fresh random suffix. */
export function newSecretArn(account: string, region: string, name: string): string {
  return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${arnSuffix()}`;
}

/** Whether a secret's recovery window has passed (it is purged on first access). */
const expired = (s: SecretRecord) => s.deletionDate !== undefined && s.deletionDate <= Date.now();

export const secretKey = (account: string, region: string, name: string) => `${account}:${region}:${name}`;

export class SecretsState {
  readonly secrets: Table<SecretRecord>;
  private byArn = new Map<string, string>();

  constructor(cloud: Cloud) {
    this.secrets = cloud.store.table<SecretRecord>("secretsmanager.secrets");
    for (const [key, s] of this.secrets.entries()) this.byArn.set(s.arn, key);
  }

  put(record: SecretRecord): void {
    const key = secretKey(record.account, record.region, record.name);
    this.secrets.set(key, record);
    this.byArn.set(record.arn, key);
  }

  remove(record: SecretRecord): void {
    this.secrets.delete(secretKey(record.account, record.region, record.name));
    this.byArn.delete(record.arn);
  }

  /**
   * By name, full ARN, or partial ARN (the ARN without its suffix), as
   * SecretId accepts them. A secret whose recovery window has passed is
   * deleted here, on first access.
   */
  find(account: string, region: string, secretId: string): SecretRecord | undefined {
    let record: SecretRecord | undefined;
    if (secretId.startsWith("arn:")) {
      const key = this.byArn.get(secretId);
      if (key) record = this.secrets.get(key);
      else {
        const parts = secretId.split(":");
        if (parts.length >= 7 && parts[2] === "secretsmanager" && parts[5] === "secret") {
          record = this.secrets.get(secretKey(parts[4]!, parts[3]!, parts.slice(6).join(":")));
        }
      }
    } else {
      record = this.secrets.get(secretKey(account, region, secretId));
    }
    if (record && expired(record)) {
      this.remove(record);
      return undefined;
    }
    return record;
  }

  list(account: string, region: string): SecretRecord[] {
    return this.secrets
      .withPrefix(`${account}:${region}:`)
      .map(([, s]) => s)
      .filter((s) => {
        if (expired(s)) {
          this.remove(s);
          return false;
        }
        return true;
      });
  }

  reset(): void {
    this.byArn.clear();
  }
}
