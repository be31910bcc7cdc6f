/**
 * Which bucket and key a request names. S3 has two addressing styles (§1):
 * path-style `http://127.0.0.1:4566/bucket/key` (botocore, the AWS CLI, SDK v3
 * with forcePathStyle or an IP endpoint) and virtual-hosted
 * `http://bucket.localhost:4566/key` (SDK v3's default with a host-name
 * endpoint). A Host of `<bucket>.localhost`, `<bucket>.s3.localhost`,
 * `<bucket>.s3.<region>.localhost`, `<bucket>.localhost.localstack.cloud` or
 * `<bucket>.s3[.<region>].amazonaws.com` names the bucket; anything else is
 * path-style.
 *
 * The key is the rest of the path, percent-decoded exactly once ("+" stays a
 * plus in a path), from the raw path as sent — so "a/../b" or "a//b" are keys
 * like any other, never resolved as file paths.
 */
import { AwsError } from "../../core/aws-error.js";

export interface S3Address {
  bucket?: string;
  key?: string;
  /** True when the bucket came from the Host header. */
  virtualHosted: boolean;
}

const VIRTUAL_HOST = [
  /^(.+?)\.s3(?:[.-][a-z0-9-]+)?\.(?:localhost(?:\.localstack\.cloud)?|amazonaws\.com)$/,
  /^(.+)\.localhost(?:\.localstack\.cloud)?$/,
];

function bucketFromHost(host: string): string | undefined {
  const hostname = host.replace(/:\d+$/, "").toLowerCase();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith("[")) return undefined;
  for (const pattern of VIRTUAL_HOST) {
    const m = pattern.exec(hostname);
    if (m && m[1] !== "s3" && !/^s3[.-]/.test(m[1]!)) return m[1];
  }
  return undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError("InvalidURI", "Couldn't parse the specified URI.", { fields: { URI: segment } });
  }
}

export function parseAddress(host: string, rawPath: string): S3Address {
  const path = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath;
  const hostBucket = bucketFromHost(host);
  if (hostBucket !== undefined) {
    return { bucket: hostBucket, key: path === "" ? undefined : decode(path), virtualHosted: true };
  }
  if (path === "") return { virtualHosted: false };
  const slash = path.indexOf("/");
  if (slash < 0) return { bucket: decode(path), virtualHosted: false };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), key: key === "" ? undefined : decode(key), virtualHosted: false };
}
