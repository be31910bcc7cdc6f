/**
 * SNS (awsQuery) — NOT BUILT YET. Issue "Local cloud, part 3" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { queryProtocol } from "../../protocols/query.js";

const createSns: ServiceFactory = () => ({
  name: "sns",
  signingNames: ["sns"],
  queryVersions: ["2010-03-31"],
  handle: queryProtocol({ service: "sns", xmlns: "http://sns.amazonaws.com/doc/2010-03-31/", operations: {} }),
});
export default createSns;
