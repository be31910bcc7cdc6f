/**
 * SQS (awsJson 1.0 and awsQuery) — NOT BUILT YET: every operation answers
 * UnknownOperationException/InvalidAction. Issue "Local cloud, part 1" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { jsonProtocol } from "../../protocols/json.js";

const createSqs: ServiceFactory = () => ({
  name: "sqs",
  signingNames: ["sqs"],
  targetPrefixes: ["AmazonSQS"],
  queryVersions: ["2012-11-05"],
  handle: jsonProtocol({ service: "sqs", version: "1.0", errorNamespace: "com.amazonaws.sqs", queryCompatible: true, operations: {} }),
});
export default createSqs;
