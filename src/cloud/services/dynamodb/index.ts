/**
 * DynamoDB (awsJson 1.0) — NOT BUILT YET. Issue "Local cloud, part 3" fills it
 * (through an embedded emulator library, not by hand).
 */
import type { ServiceFactory } from "../../core/service.js";
import { jsonProtocol } from "../../protocols/json.js";

const createDynamoDb: ServiceFactory = () => ({
  name: "dynamodb",
  signingNames: ["dynamodb"],
  targetPrefixes: ["DynamoDB_20120810"],
  handle: jsonProtocol({ service: "dynamodb", version: "1.0", errorNamespace: "com.amazonaws.dynamodb.v20120810", operations: {} }),
});
export default createDynamoDb;
