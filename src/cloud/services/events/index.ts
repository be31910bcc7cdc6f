/**
 * EventBridge (awsJson 1.1) — NOT BUILT YET. Issue "Local cloud, part 3" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { jsonProtocol } from "../../protocols/json.js";

const createEvents: ServiceFactory = () => ({
  name: "events",
  signingNames: ["events"],
  targetPrefixes: ["AWSEvents"],
  handle: jsonProtocol({ service: "events", version: "1.1", errorNamespace: "com.amazonaws.events", operations: {} }),
});
export default createEvents;
