/**
 * SQS errors. SQS speaks two protocols and each has its own error code for
 * the same failure: the JSON protocol's `__type` (`QueueDoesNotExist`) and the
 * legacy awsQuery code (`AWS.SimpleQueueService.NonExistentQueue`), which the
 * JSON protocol also repeats in `x-amzn-query-error` (aws-behavior.md §1, §6).
 * Every constructor here sets both, so handlers never think about protocols.
 * Messages are AWS's where known; the UNCERTAIN ones are noted in index.ts.
 */
import { AwsError } from "../../core/aws-error.js";

function sqsError(jsonCode: string, queryCode: string, message: string): AwsError {
  return new AwsError(jsonCode, message, { queryCode });
}

export const queueDoesNotExist = () =>
  sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");

export const queueNameExists = (attribute: string) =>
  sqsError("QueueNameExists", "QueueAlreadyExists", `A queue already exists with the same name and a different value for attribute ${attribute}`);

export const invalidAttributeName = (name: string) => sqsError("InvalidAttributeName", "InvalidAttributeName", `Unknown Attribute ${name}.`);

export const invalidAttributeValue = (message: string) => sqsError("InvalidAttributeValue", "InvalidAttributeValue", message);

/** Generic parameter errors: JSON `InvalidParameterValueException`, query `InvalidParameterValue`. */
export const invalidParameterValue = (message: string) => sqsError("InvalidParameterValueException", "InvalidParameterValue", message);

export const missingParameter = (name: string) =>
  sqsError("MissingRequiredParameterException", "MissingParameter", `The request must contain the parameter ${name}.`);

export const invalidAddress = (url: string) => sqsError("InvalidAddress", "InvalidAddress", `The address ${url} is not valid for this endpoint.`);

export const receiptHandleIsInvalid = (handle: string) =>
  sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`);

export const messageNotInFlight = (handle: string) =>
  invalidParameterValue(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);

export const invalidMessageContents = (message: string) => sqsError("InvalidMessageContents", "InvalidMessageContents", message);

export const purgeQueueInProgress = (queueArn: string) =>
  sqsError("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", `Only one PurgeQueue operation on ${queueArn.split(":").pop()} is allowed every 60 seconds.`);

export const emptyBatchRequest = (entryName: string) =>
  sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", `There should be at least one ${entryName} in the request.`);

export const tooManyEntriesInBatchRequest = (count: number) =>
  sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${count}.`);

export const batchEntryIdsNotDistinct = (id: string) =>
  sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", `Id ${id} repeated.`);

export const invalidBatchEntryId = () =>
  sqsError(
    "InvalidBatchEntryId",
    "AWS.SimpleQueueService.InvalidBatchEntryId",
    "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
  );

export const batchRequestTooLong = (limit: number, size: number) =>
  sqsError("BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", `Batch requests cannot be longer than ${limit} bytes. You have sent ${size} bytes.`);

export const unsupportedOperation = (message: string) => sqsError("UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", message);
