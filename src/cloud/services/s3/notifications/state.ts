/**
 * Where notification configurations live: the store table
 * "s3.notification-configs", one record per bucket keyed by account, region
 * and bucket name, so it survives a restart and is cleared by
 * /_localcloud/reset. A PUT replaces the record in one `set` (atomic: the
 * journal line is the whole configuration), after validation passed.
 */
import type { Cloud } from "../../../core/cloud.js";
import type { Table } from "../../../core/store.js";
import type { NotificationConfig } from "./config-types.js";

export interface BucketRef {
  name: string;
  account: string;
  region: string;
}

export class NotificationState {
  private readonly table: Table<NotificationConfig>;
  constructor(cloud: Cloud) {
    this.table = cloud.store.table<NotificationConfig>("s3.notification-configs");
  }

  private static key(account: string, region: string, bucket: string): string {
    return `${account}/${region}/${bucket}`;
  }

  get(bucket: BucketRef): NotificationConfig | undefined {
    return this.table.get(NotificationState.key(bucket.account, bucket.region, bucket.name));
  }

  /** Replace the whole configuration; an empty one removes the record. */
  replace(bucket: BucketRef, config: NotificationConfig): void {
    const key = NotificationState.key(bucket.account, bucket.region, bucket.name);
    if (config.destinations.length === 0 && !config.eventBridge) this.table.delete(key);
    else this.table.set(key, config);
  }

  forget(account: string, region: string, bucket: string): void {
    this.table.delete(NotificationState.key(account, region, bucket));
  }
}
