/**
 * Lab 06 — an archive of the bucket's events, and a replay.
 *
 * An archive on the bus keeps the events its pattern matches; a replay puts
 * the events of a time window back on the bus, each marked with a top-level
 * "replay-name", and — with Destination.FilterArns — only into the rules you
 * name. Replayed events are DUPLICATES for every consumer that saw them the
 * first time (consumer.ts).
 * AWS: "Archiving and replaying events" https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html
 */
import type { StartReplayCommandInput } from "@aws-sdk/client-eventbridge";

export function archivePattern(input: { bucketName: string }) {
  // TODO: every event of this bucket (created and deleted alike), none of other buckets.
  void input;
  return { source: ["aws.s3"] };
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
    // TODO: back onto the bus — into the CSV rule only.
    Destination: { Arn: input.busArn },
  };
}
