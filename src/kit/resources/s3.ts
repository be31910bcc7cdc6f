/**
 * S3 operations the labs share: create a bucket (recorded, tagged), save a
 * notification configuration (recorded so cleanup clears it first), and empty
 * + delete a bucket including every version and delete marker (a versioned
 * bucket cannot be deleted otherwise) and unfinished multipart uploads.
 */
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  AbortMultipartUploadCommand,
  ListObjectVersionsCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketTaggingCommand,
  type NotificationConfiguration,
  type S3Client,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import { type KitContext, recordResource } from "../context.js";
import { kitTags } from "../names.js";
import { errorCode, sleep } from "../wait.js";

export async function createBucket(ctx: KitContext, name: string): Promise<{ name: string; arn: string }> {
  const arn = `arn:aws:s3:::${name}`;
  recordResource(ctx, "s3-bucket", name, { arn });
  try {
    await ctx.clients.s3.send(
      new CreateBucketCommand({
        Bucket: name,
        // us-east-1 is the one region that must not be named (AWS answers InvalidLocationConstraint).
        ...(ctx.target.region !== "us-east-1" ? { CreateBucketConfiguration: { LocationConstraint: ctx.target.region as BucketLocationConstraint } } : {}),
      }),
    );
  } catch (err) {
    if (errorCode(err) !== "BucketAlreadyOwnedByYou") throw err;
  }
  const tags = kitTags(ctx.lab, ctx.names.namespace);
  await ctx.clients.s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
  return { name, arn };
}

export async function putNotifications(ctx: KitContext, bucket: string, config: NotificationConfiguration): Promise<void> {
  recordResource(ctx, "s3-notification", bucket, { arn: `arn:aws:s3:::${bucket}` });
  await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: config }));
}

/**
 * Delete every object version, delete marker and multipart upload, then the bucket.
 * A write that lands after the bucket was emptied (an invocation of a function
 * that was deleted a moment earlier can still finish its PutObject, locally and
 * on AWS) makes DeleteBucket answer BucketNotEmpty: empty it again, a few times.
 */
export async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await emptyBucket(s3, bucket);
    try {
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
      return;
    } catch (err) {
      if (errorCode(err) !== "BucketNotEmpty" || attempt >= 5) throw err;
      await sleep(200 * attempt);
    }
  }
}

async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
    // "null" is a real version id (objects written before versioning was enabled): dropping it would add a delete marker instead.
    if (objects.length > 0) {
      for (let i = 0; i < objects.length; i += 1000) {
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.slice(i, i + 1000), Quiet: true } }));
      }
    }
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
  for (const u of uploads.Uploads ?? []) await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
}

export { errorCode };
