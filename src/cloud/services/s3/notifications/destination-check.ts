/**
 * The destination half of PutBucketNotificationConfiguration's validation
 * (aws-behavior.md §3, item 6): every queue, topic and function must exist
 * and its resource policy must let s3.amazonaws.com send from this bucket
 * (SQS queue policy sqs:SendMessage, SNS topic policy sns:Publish, Lambda
 * function policy lambda:InvokeFunction, with aws:SourceArn /
 * aws:SourceAccount conditions honoured), evaluated by the policy engine.
 * All failing destinations are reported together, as S3 does, with numbered
 * ArgumentName<n>/ArgumentValue<n> pairs. Skipped entirely when the request
 * carries `x-amz-skip-destination-validation: true`; with `--iam off` the
 * destinations must still exist but their policies are not checked.
 */
import type { Cloud } from "../../../core/cloud.js";
import { AwsError } from "../../../core/aws-error.js";
import { serviceMayAccess } from "../../../policy/service-access.js";
import type { DestinationConfig, DestinationType } from "./config-types.js";

export const S3_SERVICE_PRINCIPAL = "s3.amazonaws.com";

const ACTION: Record<DestinationType, string> = {
  Queue: "sqs:SendMessage",
  Topic: "sns:Publish",
  CloudFunction: "lambda:InvokeFunction",
};

export interface DestinationFailure {
  name: string;
  value: string;
}

/** Why one destination fails, or undefined when S3 could deliver to it. */
export function checkDestination(cloud: Cloud, d: DestinationConfig, bucket: { name: string; account: string }): DestinationFailure | undefined {
  const sourceArn = `arn:aws:s3:::${bucket.name}`;
  const exists = cloud.destinations.exists(d.arn);
  const allowed =
    exists &&
    serviceMayAccess(cloud, cloud.destinations.resourcePolicy(d.arn), {
      service: S3_SERVICE_PRINCIPAL,
      action: ACTION[d.type],
      resource: d.arn,
      sourceArn,
      sourceAccount: bucket.account,
    }).decision === "Allow";
  switch (d.type) {
    case "Queue":
      if (!exists) return { name: d.arn, value: "The destination queue does not exist" };
      // S3 event notifications go to standard queues only. UNCERTAIN wording.
      if (d.arn.endsWith(".fifo")) return { name: d.arn, value: "FIFO queues are not supported as S3 event notification destinations" };
      if (!allowed) return { name: d.arn, value: "Permissions on the destination queue do not allow S3 to publish notifications from this bucket" };
      return undefined;
    case "Topic":
      if (!exists) return { name: d.arn, value: "The destination topic does not exist" };
      if (d.arn.endsWith(".fifo")) return { name: d.arn, value: "FIFO topics are not supported as S3 event notification destinations" };
      if (!allowed) return { name: d.arn, value: "Permissions on the destination topic do not allow S3 to publish notifications from this bucket" };
      return undefined;
    case "CloudFunction":
      // S3 does not tell a missing function from a forbidden one.
      if (!exists || !allowed) return { name: `${d.arn}, null`, value: `Not authorized to invoke function [${d.arn}]` };
      return undefined;
  }
}

/** Check every destination; throw one InvalidArgument listing all that fail. */
export function checkDestinations(cloud: Cloud, destinations: DestinationConfig[], bucket: { name: string; account: string }): void {
  const failures: DestinationFailure[] = [];
  const seen = new Set<string>();
  for (const d of destinations) {
    if (seen.has(d.arn)) continue;
    seen.add(d.arn);
    const failure = checkDestination(cloud, d, bucket);
    if (failure) failures.push(failure);
  }
  if (failures.length === 0) return;
  const fields: Record<string, string> = {};
  failures.forEach((f, i) => {
    fields[`ArgumentName${i + 1}`] = f.name;
    fields[`ArgumentValue${i + 1}`] = f.value;
  });
  throw new AwsError("InvalidArgument", "Unable to validate the following destination configurations", { fields });
}
