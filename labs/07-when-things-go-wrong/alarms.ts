/**
 * Lab 07 — two CloudWatch alarms that notify the ops topic: one on the
 * function's errors, one on the failure queue's depth (README "Alarms").
 */
import type { PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";

/** ALARM as soon as one invocation in a minute fails; back to OK when a minute passes without errors. */
export function errorsAlarm(input: { alarmName: string; functionName: string; topicArn: string }): PutMetricAlarmCommandInput {
  return {
    AlarmName: input.alarmName,
    // TODO 1: which metric, in which namespace, for which function (Dimensions)?
    // TODO 2: which statistic over which period, compared how with which threshold?
    // TODO 3: what does a minute WITHOUT any datapoint mean for this metric? (TreatMissingData)
    // TODO 4: who is told when it goes to ALARM, and when it is OK again?
    // AWS: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
    MetricName: undefined,
    Namespace: undefined,
  } as PutMetricAlarmCommandInput;
}

/** ALARM while any event sits in the failure queue; OK once someone has dealt with it. */
export function failureQueueAlarm(input: { alarmName: string; queueName: string; topicArn: string }): PutMetricAlarmCommandInput {
  return {
    AlarmName: input.alarmName,
    // TODO 5: the same questions for the failure queue's depth (AWS/SQS, one dimension: QueueName).
    // AWS: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html
    MetricName: undefined,
    Namespace: undefined,
  } as PutMetricAlarmCommandInput;
}
