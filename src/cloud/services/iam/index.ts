/**
 * IAM (awsQuery) — NOT BUILT YET. Issue "Local cloud, part 2" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { queryProtocol } from "../../protocols/query.js";

const createIam: ServiceFactory = () => ({
  name: "iam",
  signingNames: ["iam"],
  queryVersions: ["2010-05-08"],
  handle: queryProtocol({ service: "iam", xmlns: "https://iam.amazonaws.com/doc/2010-05-08/", operations: {} }),
});
export default createIam;
