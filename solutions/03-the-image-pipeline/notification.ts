/**
 * Lab 03 — reference solution: one configuration per image suffix, all for
 * the prefix uploads/ and the same function (they do not overlap: no key ends
 * with two of these suffixes).
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

const SUFFIXES = [".jpg", ".jpeg", ".png"];

export function notificationConfiguration(input: { functionArn: string }): NotificationConfiguration {
  return {
    LambdaFunctionConfigurations: SUFFIXES.map((suffix) => ({
      Id: `images-${suffix.slice(1)}`,
      LambdaFunctionArn: input.functionArn,
      Events: ["s3:ObjectCreated:*"],
      Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }, { Name: "suffix", Value: suffix }] } },
    })),
  };
}
