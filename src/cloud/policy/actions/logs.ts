/**
 * CloudWatch Logs operations → IAM actions. Log groups are
 * arn:aws:logs:<region>:<acct>:log-group:<name>; operations on a stream
 * (CreateLogStream, PutLogEvents, GetLogEvents) use the stream's ARN
 * arn:aws:logs:<region>:<acct>:log-group:<name>:log-stream:<stream>, so the
 * usual learner resource "log-group:/aws/lambda/fn:*" covers them.
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const KNOWN = new Set([
  "CreateLogGroup", "DeleteLogGroup", "DescribeLogGroups", "PutRetentionPolicy", "DeleteRetentionPolicy", "CreateLogStream", "DeleteLogStream",
  "DescribeLogStreams", "ListTagsLogGroup", "TagLogGroup", "UntagLogGroup", "ListTagsForResource", "TagResource", "UntagResource",
  "PutLogEvents", "GetLogEvents", "FilterLogEvents",
]);

export function logsActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `logs:${operation}`;
  const group = str(input, "logGroupName") ?? str(input, "logGroupIdentifier");
  const stream = str(input, "logStreamName");
  let resource: string;
  if (group?.startsWith("arn:")) resource = group;
  else if (group && stream) resource = `arn:aws:logs:${where.region}:${where.account}:log-group:${group}:log-stream:${stream}`;
  else if (group) resource = `arn:aws:logs:${where.region}:${where.account}:log-group:${group}`;
  else resource = str(input, "resourceArn") ?? `arn:aws:logs:${where.region}:${where.account}:log-group:*`;
  return { checks: [{ action, resource }], guessed: !KNOWN.has(operation) };
}
