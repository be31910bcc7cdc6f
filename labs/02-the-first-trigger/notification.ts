/**
 * Lab 02 — your notification configuration: new CSV files under uploads/
 * invoke the function. Filter rules narrow a configuration to keys with a
 * given prefix and/or suffix (at most one of each).
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export function notificationConfiguration(input: { functionArn: string }): NotificationConfiguration {
  return {
    LambdaFunctionConfigurations: [
      {
        Id: "csv-uploads",
        LambdaFunctionArn: input.functionArn,
        Events: ["s3:ObjectCreated:*"],
        // TODO: only keys that start with "uploads/" and end with ".csv".
        //   AWS: "Configuring event notifications using object key name filtering"
        //   https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
      },
    ],
  };
}
