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
      // TODO: one queue configuration with
      //   Id: a name you choose (it comes back in every event as s3.configurationId),
      //   QueueArn: input.queueArn,
      //   Events: every "object created" AND every "object removed" event type.
    ],
  };
}
