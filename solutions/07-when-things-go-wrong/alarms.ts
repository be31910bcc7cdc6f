/**
 * Lab 07 — two CloudWatch alarms that notify the ops topic: one on the
 * function's errors, one on the failure queue's depth (README "Alarms").
 */
import type { PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";

/** ALARM as soon as one invocation in a minute fails; back to OK when a minute passes without errors. */
export function errorsAlarm(input: { alarmName: string; functionName: string; topicArn: string }): PutMetricAlarmCommandInput {
  return {
    AlarmName: input.alarmName,
    AlarmDescription: "The order function failed at least once in a minute",
    Namespace: "AWS/Lambda",
    MetricName: "Errors",
    Dimensions: [{ Name: "FunctionName", Value: input.functionName }],
    Statistic: "Sum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: "GreaterThanThreshold",
    // Lambda sends no Errors datapoint in a minute without invocations: that minute had no errors.
    TreatMissingData: "notBreaching",
    AlarmActions: [input.topicArn],
    OKActions: [input.topicArn],
  };
}

/** ALARM while any event sits in the failure queue; OK once someone has dealt with it. */
export function failureQueueAlarm(input: { alarmName: string; queueName: string; topicArn: string }): PutMetricAlarmCommandInput {
  return {
    AlarmName: input.alarmName,
    AlarmDescription: "Orders that could not be applied are waiting in the failure queue",
    Namespace: "AWS/SQS",
    MetricName: "ApproximateNumberOfMessagesVisible",
    Dimensions: [{ Name: "QueueName", Value: input.queueName }],
    Statistic: "Maximum",
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: "GreaterThanThreshold",
    // A silent failure queue must not look healthy: no data means "we do not know", not "all is well".
    TreatMissingData: "missing",
    AlarmActions: [input.topicArn],
    OKActions: [input.topicArn],
  };
}
