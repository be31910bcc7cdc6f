/**
 * UpdateTimeToLive / DescribeTimeToLive, which dynalite lacks (it answers
 * DescribeTimeToLive with a fixed DISABLED and has no UpdateTimeToLive). The
 * setting is kept in the cloud's store per account, region and table, and
 * answered the way DynamoDB does:
 * - Update answers `{TimeToLiveSpecification: {Enabled, AttributeName}}`;
 * - Describe answers `ENABLED` + AttributeName, or `DISABLED` (AWS passes
 *   through ENABLING/DISABLING for up to an hour; the local cloud settles at once);
 * - enabling when already enabled, or disabling when disabled, is AWS's
 *   ValidationException "TimeToLive is already enabled/disabled".
 * Items are NOT deleted when their TTL passes (AWS itself only promises
 * "within a few days"); see Gaps in index.ts.
 */
import { AwsError } from "../../core/aws-error.js";
import type { Table } from "../../core/store.js";

export interface TtlSetting {
  enabled: boolean;
  attributeName?: string;
}

export class TimeToLive {
  constructor(private readonly table: Table<TtlSetting>) {}

  private key(account: string, region: string, tableName: string): string {
    return `${account}/${region}/${tableName}`;
  }

  update(account: string, region: string, input: Record<string, any>): unknown {
    const spec = input.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
    if (!spec || typeof spec.Enabled !== "boolean") {
      throw new AwsError("ValidationException", "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null");
    }
    if (typeof spec.AttributeName !== "string" || spec.AttributeName.length === 0 || spec.AttributeName.length > 255) {
      throw new AwsError("ValidationException", "1 validation error detected: Value at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length between 1 and 255");
    }
    const key = this.key(account, region, String(input.TableName));
    const current = this.table.get(key);
    if (spec.Enabled && current?.enabled) throw new AwsError("ValidationException", "TimeToLive is already enabled");
    if (!spec.Enabled && !current?.enabled) throw new AwsError("ValidationException", "TimeToLive is already disabled");
    if (!spec.Enabled && current?.attributeName && current.attributeName !== spec.AttributeName) {
      throw new AwsError("ValidationException", `TimeToLive attribute name ${spec.AttributeName} does not match the enabled attribute ${current.attributeName}`);
    }
    this.table.set(key, { enabled: spec.Enabled, attributeName: spec.AttributeName });
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  describe(account: string, region: string, tableName: string): unknown {
    const current = this.table.get(this.key(account, region, tableName));
    if (!current?.enabled) return { TimeToLiveDescription: { TimeToLiveStatus: "DISABLED" } };
    return { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: current.attributeName } };
  }

  /** The table was deleted: its TTL setting goes with it. */
  forget(account: string, region: string, tableName: string): void {
    this.table.delete(this.key(account, region, tableName));
  }
}
