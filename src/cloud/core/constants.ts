/**
 * Conventions of the local cloud that are ours, not AWS facts
 * (shared/aws-behavior.md §8): the default account and region, and the port.
 */
export const DEFAULT_ACCOUNT = "000000000000";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_PORT = 4566;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_DATA_DIR = ".localcloud";
/** The canonical id S3 shows as a bucket owner for the default account. */
export const S3_OWNER_ID = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
