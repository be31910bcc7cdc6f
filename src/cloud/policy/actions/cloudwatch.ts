/**
 * CloudWatch (metrics and alarms) operations → IAM actions. Per the Service
 * Authorization Reference, the alarm operations take the alarm ARN
 * arn:aws:cloudwatch:<region>:<acct>:alarm:<name> (DeleteAlarms, SetAlarmState,
 * Enable/DisableAlarmActions, DescribeAlarmHistory and PutMetricAlarm one
 * check per named alarm); the metric operations and the Describe* listings
 * support only "*". PutMetricData takes the `cloudwatch:namespace` condition key.
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { listOf, str } from "./types.js";

const KNOWN = new Set([
  "PutMetricData", "GetMetricData", "GetMetricStatistics", "ListMetrics", "PutMetricAlarm", "DescribeAlarms", "DescribeAlarmsForMetric",
  "DescribeAlarmHistory", "SetAlarmState", "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions", "TagResource", "UntagResource", "ListTagsForResource",
]);

const PER_ALARM = new Set(["PutMetricAlarm", "SetAlarmState", "DeleteAlarms", "EnableAlarmActions", "DisableAlarmActions", "DescribeAlarmHistory"]);

export function cloudwatchActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `cloudwatch:${operation}`;
  const guessed = !KNOWN.has(operation);
  const alarmArn = (name: string) => `arn:aws:cloudwatch:${where.region}:${where.account}:alarm:${name}`;
  if (PER_ALARM.has(operation)) {
    const names = [str(input, "AlarmName"), ...listOf(input.AlarmNames).map((n) => (typeof n === "string" ? n : undefined))].filter((n): n is string => !!n);
    if (names.length) return { checks: names.map((n) => ({ action, resource: alarmArn(n) })), guessed };
  }
  const resourceArn = str(input, "ResourceARN");
  if (resourceArn) return { checks: [{ action, resource: resourceArn }], guessed };
  if (operation === "PutMetricData") {
    const ns = str(input, "Namespace");
    return { checks: [{ action, resource: "*", context: ns ? { "cloudwatch:namespace": ns } : undefined }], guessed };
  }
  return { checks: [{ action, resource: "*" }], guessed };
}
