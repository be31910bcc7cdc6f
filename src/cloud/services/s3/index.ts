/**
 * S3 (restXml) — NOT BUILT YET: every request answers NotImplemented in S3's
 * XML error shape. Issue "Local cloud, part 1" fills this folder.
 */
import type { ServiceFactory } from "../../core/service.js";
import { notImplemented } from "../../core/aws-error.js";
import { s3ErrorResponse } from "../../protocols/rest-xml.js";
import { s3HostId, s3RequestId } from "../../core/ids.js";

const createS3: ServiceFactory = () => ({
  name: "s3",
  signingNames: ["s3"],
  async handle(req) {
    return s3ErrorResponse(notImplemented("s3", `${req.method} ${req.rawPath}`), { requestId: s3RequestId(), hostId: s3HostId() }, req.method);
  },
});
export default createS3;
