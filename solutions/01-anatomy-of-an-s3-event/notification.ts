/**
 * Lab 01 — reference solution: the notification configuration. Both event
 * families go to the one queue; "*" covers every variant of each.
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export interface NotificationInput {
  queueArn: string;
}

export function notificationConfiguration(input: NotificationInput): NotificationConfiguration {
  return {
    QueueConfigurations: [
      {
        Id: "object-changes",
        QueueArn: input.queueArn,
        Events: ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"],
      },
    ],
  };
}
