/**
 * Lab 01 — your bucket notification configuration.
 *
 * A bucket's notification configuration lists destinations (queues, topics,
 * Lambda functions) and, for each, which event types go there. Saving it
 * replaces the whole configuration. Event types look like
 * "s3:ObjectCreated:Put"; a trailing "*" covers a family
 * ("s3:ObjectCreated:*" = Put, Post, Copy, CompleteMultipartUpload).
 *
 * Return the configuration the kit will save on the lab's bucket.
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export interface NotificationInput {
  /** The queue that receives the events. */
  queueArn: string;
}

export function notificationConfiguration(input: NotificationInput): NotificationConfiguration {
  void input;
  return {
    QueueConfigurations: [
      // TODO: one queue configuration that sends every "object created" and every
      //   "object removed" event to input.queueArn (its Id comes back in each event
      //   as s3.configurationId). Read: README "Steps" (step 4); AWS: "Supported event types"
      //   https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
    ],
  };
}
