/**
 * The notification configuration as the local cloud keeps it: one list of
 * destination configurations (queue, topic, Lambda function), each with its
 * Id, destination ARN, event names ("s3:ObjectCreated:*"…) and optional
 * prefix/suffix key filter, plus whether EventBridge delivery is on. This is
 * the shape that is validated (validate.ts), persisted (state.ts), written
 * back by GET (config-xml.ts) and matched against events (router.ts).
 */

/** The XML element names S3 uses for each destination type (also the ArgumentName of ARN errors). */
export type DestinationType = "Queue" | "Topic" | "CloudFunction";

export interface FilterRule {
  /** Always capitalised once parsed: S3 accepts any case and returns "Prefix"/"Suffix" (aws-behavior.md §3). */
  name: "Prefix" | "Suffix";
  value: string;
}

export interface DestinationConfig {
  id: string;
  type: DestinationType;
  arn: string;
  /** As sent, e.g. "s3:ObjectCreated:*". */
  events: string[];
  filterRules: FilterRule[];
  /** Whether the request carried a <Filter> element (GET writes it back even when it is empty). */
  hasFilter: boolean;
}

export interface NotificationConfig {
  destinations: DestinationConfig[];
  eventBridge: boolean;
}

export const EMPTY_CONFIG: NotificationConfig = { destinations: [], eventBridge: false };

/** The destination ARN's service for each type. */
export const SERVICE_OF: Record<DestinationType, "sqs" | "sns" | "lambda"> = {
  Queue: "sqs",
  Topic: "sns",
  CloudFunction: "lambda",
};
