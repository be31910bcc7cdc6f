/**
 * Lab 03 — your notification configuration: new images under uploads/
 * invoke the function.
 *
 * A filter takes at most one prefix rule and one suffix rule, so three image
 * types need three configurations — one per suffix, all with the prefix
 * "uploads/" and all sending to the same function. They do not overlap
 * because no key can end with two of ".jpg", ".jpeg" and ".png" at once
 * (".jpeg" does not end with ".jpg"). S3 filters are case-sensitive: a
 * "photo.JPG" would not match.
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export function notificationConfiguration(input: { functionArn: string }): NotificationConfiguration {
  return {
    LambdaFunctionConfigurations: [
      {
        Id: "images-jpg",
        LambdaFunctionArn: input.functionArn,
        Events: ["s3:ObjectCreated:*"],
        Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }, { Name: "suffix", Value: ".jpg" }] } },
      },
      // TODO: two more configurations like the one above, for ".jpeg" and ".png"
      //   (each with its own Id, e.g. "images-jpeg" and "images-png").
    ],
  };
}
