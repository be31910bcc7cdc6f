/**
 * Lab 06 — your workflow, in the Amazon States Language (ASL).
 *
 * The image rule starts it with the whole EventBridge event as input
 * ($.detail.bucket.name, $.detail.object.key…). The README's diagram shows the
 * states; keep their names — the grader reads the branches from each
 * execution's history by them:
 *   FileType (Choice on the key's file type) → PngThumbnail | JpegThumbnail
 *   (Tasks: the thumbnail function) → Done; a failed task → NotifyFailure
 *   (publish to the failures topic) → Failed.
 * The thumbnail function takes { "bucket": …, "key": …, "format": "png" | "jpeg" }
 * and fails in two ways: ThumbnailServiceBusy (transient: it works on a later
 * try) and UnsupportedImage (permanent: the file is broken).
 * AWS: "Amazon States Language", "Handling errors in Step Functions workflows"
 *   https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */

export interface WorkflowInput {
  thumbnailFunctionArn: string;
  failureTopicArn: string;
}

function thumbnailTask(input: WorkflowInput, format: "png" | "jpeg") {
  return {
    Type: "Task",
    Resource: "arn:aws:states:::lambda:invoke",
    Parameters: {
      FunctionName: input.thumbnailFunctionArn,
      // TODO: the payload the function takes, with bucket and key taken from the event ("name.$": "$.path").
      Payload: { format },
    },
    ResultSelector: { "thumbnail.$": "$.Payload" },
    ResultPath: "$.result",
    // TODO: Retry the transient error (with backoff), and Catch every error into NotifyFailure
    //   (keep the input: ResultPath "$.error").
    Next: "Done",
  };
}

export function workflowDefinition(input: WorkflowInput) {
  return {
    Comment: "S3 Event Labs lab 06: a thumbnail per image, by file type",
    StartAt: "FileType",
    States: {
      FileType: {
        Type: "Choice",
        Choices: [
          { Variable: "$.detail.object.key", StringMatches: "*.png", Next: "PngThumbnail" },
          // TODO: .jpg and .jpeg go to JpegThumbnail.
        ],
        Default: "UnsupportedType",
      },
      PngThumbnail: thumbnailTask(input, "png"),
      JpegThumbnail: thumbnailTask(input, "jpeg"),
      // TODO: NotifyFailure — a Task with the SNS integration (arn:aws:states:::sns:publish) that publishes
      //   a message naming the key and the error to input.failureTopicArn, then goes to Failed.
      Failed: { Type: "Fail", Error: "ThumbnailFailed", Cause: "The thumbnail task failed; see the failure notification." },
      UnsupportedType: { Type: "Fail", Error: "UnsupportedType", Cause: "Only .png, .jpg and .jpeg images have a thumbnail branch." },
      Done: { Type: "Succeed" },
    },
  };
}
