/**
 * s3:TestEvent (aws-behavior.md §2; S3 user guide, "NotificationHowTo"): when
 * a configuration is saved, S3 sends this message to each SQS and SNS
 * destination to show the path works. It has no Records, so consumers must
 * skip it. Not sent to Lambda (UNCERTAIN whether AWS does) nor EventBridge.
 */
export interface S3TestEvent {
  Service: "Amazon S3";
  Event: "s3:TestEvent";
  Time: string;
  Bucket: string;
  RequestId: string;
  HostId: string;
}

export function buildTestEvent(bucket: string, ids: { requestId: string; hostId: string }, time = new Date()): S3TestEvent {
  return { Service: "Amazon S3", Event: "s3:TestEvent", Time: time.toISOString(), Bucket: bucket, RequestId: ids.requestId, HostId: ids.hostId };
}
