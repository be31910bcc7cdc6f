/**
 * Lab 06 — what each rule sends where (PutTargets).
 *
 * A target is { Id, Arn, … }. Lambda functions, SNS topics and SQS queues let
 * EventBridge in through their own resource policies (permissions.ts). Step
 * Functions has none: EventBridge starts an execution AS A ROLE you give the
 * target (RoleArn). By default a target receives the whole event as JSON; an
 * InputTransformer picks values out of it (InputPathsMap: name → JSONPath) and
 * places them in a template (InputTemplate, placeholders <name>). A template
 * that is a sentence must be a JSON string — inside double quotes.
 * AWS: "Amazon EventBridge targets", "Input transformation"
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import type { InputTransformer, Target } from "@aws-sdk/client-eventbridge";

/** The image rule starts the workflow. */
export function imageTargets(input: { stateMachineArn: string; roleArn: string }): Target[] {
  // TODO: one target for the state machine — and the one thing Step Functions targets need.
  return [{ Id: "workflow", Arn: input.stateMachineArn }];
}

/** The CSV rule invokes the import function with the whole event. */
export function csvTargets(input: { functionArn: string }): Target[] {
  return [{ Id: "importer", Arn: input.functionArn }];
}

/** "File <key> was deleted from bucket <bucket> at <time>." (README "The deletion message"). */
export function deletionMessage(): InputTransformer {
  return {
    // TODO: name the three values (the key, the bucket's name, the event's time) by their JSONPath…
    InputPathsMap: {},
    // TODO: …and place them in the sentence.
    InputTemplate: '"Something was deleted."',
  };
}

/** The deletion rule publishes the readable message to the topic. */
export function deletionTargets(input: { topicArn: string }): Target[] {
  // TODO: send deletionMessage() instead of the whole event.
  return [{ Id: "deletions", Arn: input.topicArn }];
}
