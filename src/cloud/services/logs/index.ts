/**
 * CloudWatch Logs (awsJson 1.1) — NOT BUILT YET. Issue "Local cloud, part 2" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { jsonProtocol } from "../../protocols/json.js";

const createLogs: ServiceFactory = () => ({
  name: "logs",
  signingNames: ["logs"],
  targetPrefixes: ["Logs_20140328"],
  handle: jsonProtocol({ service: "logs", version: "1.1", errorNamespace: "com.amazonaws.logs", operations: {} }),
});
export default createLogs;
