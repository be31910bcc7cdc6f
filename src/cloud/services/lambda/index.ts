/**
 * Lambda (restJson1) — NOT BUILT YET. Issue "Local cloud, part 2" fills it.
 */
import type { ServiceFactory } from "../../core/service.js";
import { restJsonProtocol } from "../../protocols/rest-json.js";

const createLambda: ServiceFactory = () => ({
  name: "lambda",
  signingNames: ["lambda"],
  handle: restJsonProtocol({ service: "lambda", routes: [] }),
});
export default createLambda;
