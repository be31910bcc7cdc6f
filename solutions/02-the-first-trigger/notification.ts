/**
 * Lab 02 — reference solution: new .csv objects under uploads/ invoke the function.
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

export function notificationConfiguration(input: { functionArn: string }): NotificationConfiguration {
  return {
    LambdaFunctionConfigurations: [
      {
        Id: "csv-uploads",
        LambdaFunctionArn: input.functionArn,
        Events: ["s3:ObjectCreated:*"],
        Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }, { Name: "suffix", Value: ".csv" }] } },
      },
    ],
  };
}
