/**
 * S3 event notifications — NOT BUILT YET (placeholder so S3's handlers can be
 * wired to it): put answers NotImplemented, get returns an empty
 * configuration, emit does nothing. The notifications work item replaces this
 * file with the real thing behind the same BucketNotifications contract.
 */
import type { Cloud } from "../../../core/cloud.js";
import { notImplemented } from "../../../core/aws-error.js";
import type { BucketNotifications } from "./contract.js";

export interface NotificationDeps {
  /** The bucket's facts, or undefined when it does not exist. */
  getBucket(name: string): { name: string; account: string; region: string; versioning?: "Enabled" | "Suspended" } | undefined;
}

export function createBucketNotifications(_cloud: Cloud, _deps: NotificationDeps): BucketNotifications {
  return {
    async put() {
      throw notImplemented("s3", "PutBucketNotificationConfiguration");
    },
    get() {
      return {};
    },
    emit() {},
    forgetBucket() {},
  };
}
