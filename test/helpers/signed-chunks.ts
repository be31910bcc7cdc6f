/**
 * Test helpers for S3's signed streaming uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
 * a role session allowed s3:* (its secret is minted by the cloud, so its chunk
 * signatures are verified), and an aws-chunked body whose chunk signatures
 * chain from the request's own header signature.
 */
import { IAMClient, CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";
import { EMPTY_SHA256, hmac, sha256Hex, signingKey } from "../../src/cloud/gateway/auth/sigv4.js";
import { signHeaders } from "./signed-fetch.js";
import type { TestCloud } from "./cloud.js";

export interface RoleCredentials {
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
}

/** Create a role the account's root may assume, allowed s3:*, and assume it. */
export async function s3RoleSession(cloud: TestCloud, roleName: string, sessionName: string): Promise<RoleCredentials> {
  const iam = new IAMClient(cloud.clientConfig);
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({ RoleName: roleName, PolicyName: "s3", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) }),
  );
  iam.destroy();
  const sts = new STSClient(cloud.clientConfig);
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::000000000000:role/${roleName}`, RoleSessionName: sessionName }));
  sts.destroy();
  return out.Credentials as RoleCredentials;
}

/**
 * A signed aws-chunked PUT body for `url` and its headers. `tamperAt` is the
 * index of a chunk whose signature is broken (chunks.length = the final, empty one).
 */
export async function signedChunkedUpload(url: URL, chunks: Buffer[], creds: RoleCredentials, tamperAt = -1): Promise<{ body: Buffer; headers: Record<string, string> }> {
  // The seed is the request's own header signature, made with the role session's secret and token.
  const signed = await signHeaders({
    method: "PUT",
    host: url.host,
    path: url.pathname,
    headers: {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "x-amz-decoded-content-length": String(chunks.reduce((n, c) => n + c.length, 0)),
    },
    service: "s3",
    credentials: { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken },
  });
  delete signed.host;
  const amzDate = signed["x-amz-date"]!;
  const date = amzDate.slice(0, 8);
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const key = signingKey(creds.SecretAccessKey, date, "us-east-1", "s3");
  let previous = /Signature=([0-9a-f]{64})/.exec(signed.authorization!)![1]!;
  const parts: Buffer[] = [];
  for (const [i, chunk] of [...chunks, Buffer.alloc(0)].entries()) {
    const toSign = ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join("\n");
    let signature = hmac(key, toSign).toString("hex");
    if (i === tamperAt) signature = signature.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from("\r\n"));
    previous = signature;
  }
  return { body: Buffer.concat(parts), headers: signed };
}
