/**
 * Lab 06 — reference solution: an archive of the bucket's events, and a
 * replay of a time window into the CSV rule only.
 */
import type { StartReplayCommandInput } from "@aws-sdk/client-eventbridge";

export function archivePattern(input: { bucketName: string }) {
  return { source: ["aws.s3"], detail: { bucket: { name: [input.bucketName] } } };
}

export interface ReplayInput {
  replayName: string;
  archiveArn: string;
  busArn: string;
  ruleArn: string;
  from: Date;
  to: Date;
}

export function replayRequest(input: ReplayInput): StartReplayCommandInput {
  return {
    ReplayName: input.replayName,
    EventSourceArn: input.archiveArn,
    EventStartTime: input.from,
    EventEndTime: input.to,
    Destination: { Arn: input.busArn, FilterArns: [input.ruleArn] },
  };
}
