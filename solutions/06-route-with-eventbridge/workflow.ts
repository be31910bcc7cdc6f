/**
 * Lab 06 — reference solution: the image workflow in the Amazon States
 * Language. Its input is the whole EventBridge event.
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
      Payload: { "bucket.$": "$.detail.bucket.name", "key.$": "$.detail.object.key", format },
    },
    ResultSelector: { "thumbnail.$": "$.Payload" },
    ResultPath: "$.result",
    // Only the transient error is worth another try; 1 s, 2 s, 4 s apart.
    Retry: [{ ErrorEquals: ["ThumbnailServiceBusy"], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 }],
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "NotifyFailure" }],
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
          { Or: [{ Variable: "$.detail.object.key", StringMatches: "*.jpg" }, { Variable: "$.detail.object.key", StringMatches: "*.jpeg" }], Next: "JpegThumbnail" },
        ],
        Default: "UnsupportedType",
      },
      PngThumbnail: thumbnailTask(input, "png"),
      JpegThumbnail: thumbnailTask(input, "jpeg"),
      NotifyFailure: {
        Type: "Task",
        Resource: "arn:aws:states:::sns:publish",
        Parameters: {
          TopicArn: input.failureTopicArn,
          "Message.$": "States.Format('Thumbnail failed for {}: {}', $.detail.object.key, $.error.Error)",
        },
        ResultPath: null,
        Next: "Failed",
      },
      Failed: { Type: "Fail", Error: "ThumbnailFailed", Cause: "The thumbnail task failed; see the failure notification." },
      UnsupportedType: { Type: "Fail", Error: "UnsupportedType", Cause: "Only .png, .jpg and .jpeg images have a thumbnail branch." },
      Done: { Type: "Succeed" },
    },
  };
}
