/**
 * GetFunction's Code.Location: on AWS a presigned S3 URL, valid for 10
 * minutes, from which the deployment package can be downloaded with a plain
 * GET. Locally it is a URL on the cloud's own endpoint that carries a
 * presigned-style credential scope (X-Amz-Credential …/lambda/aws4_request,
 * so the gateway routes the unsigned GET to Lambda) and an expiry signed
 * with a per-process secret, so a URL cannot be forged or reused after it
 * expires. The path is the local cloud's own, not an AWS API.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import { restResult, type RestInput, type RestRoute } from "../../protocols/rest-json.js";
import { findFunction } from "./names.js";
import type { LambdaService } from "./service-context.js";
import type { FunctionRecord } from "./state.js";

/** AWS: the Location URL expires after 10 minutes. */
const EXPIRES_SECONDS = 600;
const PATH = "/2015-03-31/functions/{FunctionName}/localcloud-code";
const secret = randomBytes(32);

function signature(fn: FunctionRecord, expires: number): string {
  return createHmac("sha256", secret).update(`${fn.arn}\n${fn.code.sha256}\n${expires}`).digest("hex");
}

/** The Location to put in GetFunction's Code. */
export function codeLocation(ctx: RequestContext, fn: FunctionRecord): string {
  const expires = Math.floor(Date.now() / 1000) + EXPIRES_SECONDS;
  const date = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const query = new URLSearchParams({
    "X-Amz-Credential": `localcloud/${date.slice(0, 8)}/${fn.region}/lambda/aws4_request`,
    "X-Amz-Date": date,
    "X-Amz-Expires": String(EXPIRES_SECONDS),
    expires: String(expires),
    signature: signature(fn, expires),
  });
  return `${ctx.endpoint}${PATH.replace("{FunctionName}", encodeURIComponent(fn.arn))}?${query}`;
}

export function codeDownloadRoutes(svc: LambdaService): RestRoute[] {
  async function download(ctx: RequestContext, input: RestInput) {
    const fn = findFunction(svc.functions, ctx, input.path.FunctionName!);
    const expires = Number(input.query.get("expires"));
    const given = Buffer.from(input.query.get("signature") ?? "", "hex");
    const expected = Buffer.from(signature(fn, expires), "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new AwsError("AccessDeniedException", "The code download URL is not valid (the code changed, or the URL was altered). Call GetFunction again for a fresh one.", { status: 403 });
    }
    if (Date.now() / 1000 > expires) throw new AwsError("AccessDeniedException", "Request has expired. Call GetFunction again for a fresh URL.", { status: 403 });
    const zip = await svc.cloud.store.blobs.get(fn.code.blobId);
    return restResult({ status: 200, headers: { "content-type": "application/zip", "content-length": String(zip.length) }, body: zip });
  }
  return [{ method: "GET", path: PATH, operation: "GetFunctionCodeDownload", handler: download }];
}
