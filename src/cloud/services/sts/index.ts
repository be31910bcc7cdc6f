/**
 * STS (awsQuery) — NOT BUILT YET. Issue "Local cloud, part 2" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { queryProtocol } from "../../protocols/query.js";

const createSts: ServiceFactory = () => ({
  name: "sts",
  signingNames: ["sts"],
  queryVersions: ["2011-06-15"],
  handle: queryProtocol({ service: "sts", xmlns: "https://sts.amazonaws.com/doc/2011-06-15/", operations: {} }),
});
export default createSts;
