// Presigned-URL checks without a server: URLs made by the real
// @aws-sdk/s3-request-presigner are parsed into the request the gateway would
// hand S3 and verified with a known secret. End-to-end tests with fetch are in
// s3-presign.test.ts.
import { describe, expect, it } from "vitest";
import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { verifyPresigned, type SecretSource } from "../../src/cloud/services/s3/presign.js";
import type { GatewayRequest } from "../../src/cloud/core/service.js";
import { AwsError } from "../../src/cloud/core/aws-error.js";
import { thrownAwsError } from "../helpers/aws-error.js";

const creds = { accessKeyId: "ASIAMINTEDKEY0000001", secretAccessKey: "minted-secret", sessionToken: "tok" };
const known: SecretSource = { secretFor: (id) => (id === creds.accessKeyId ? { secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken } : undefined) };
const unknown: SecretSource = { secretFor: () => undefined };

function client(forcePathStyle: boolean, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = creds) {
  return new S3Client({ endpoint: "http://localhost:4566", region: "us-east-1", credentials, forcePathStyle });
}

function toRequest(url: string, method = "GET", headers: Record<string, string> = {}): GatewayRequest {
  const u = new URL(url);
  return { method, rawPath: u.pathname, query: u.searchParams, headers: { host: u.host, ...headers }, body: Buffer.alloc(0), host: u.host };
}

describe("verifyPresigned", () => {
  it("accepts GET and PUT URLs from the SDK presigner, path-style and virtual-hosted, with an awkward key", async () => {
    for (const forcePathStyle of [true, false]) {
      const key = "uploads/my photo+1 (ü)@x=y!*'~.jpg";
      const get = await getSignedUrl(client(forcePathStyle), new GetObjectCommand({ Bucket: "photos", Key: key }), { expiresIn: 60 });
      const info = verifyPresigned(toRequest(get), known);
      expect(info).toMatchObject({ version: 4, accessKeyId: creds.accessKeyId, signatureVerified: true });
      const put = await getSignedUrl(client(forcePathStyle), new PutObjectCommand({ Bucket: "photos", Key: key, ContentType: "image/jpeg" }), { expiresIn: 60 });
      expect(verifyPresigned(toRequest(put, "PUT", { "content-type": "image/jpeg" }), known)?.signatureVerified).toBe(true);
    }
  });

  it("refuses a tampered URL when the secret is known, and only checks form for unknown keys", async () => {
    const url = await getSignedUrl(client(true), new GetObjectCommand({ Bucket: "photos", Key: "a.txt" }), { expiresIn: 60 });
    const tampered = url.replace("/a.txt", "/b.txt");
    const err = thrownAwsError(() => verifyPresigned(toRequest(tampered), known));
    expect([err.code, err.status]).toEqual(["SignatureDoesNotMatch", 403]);
    expect(thrownAwsError(() => verifyPresigned(toRequest(url, "DELETE"), known)).code).toBe("SignatureDoesNotMatch");
    const other = await getSignedUrl(client(true, { accessKeyId: "test", secretAccessKey: "test" }), new GetObjectCommand({ Bucket: "photos", Key: "a.txt" }), { expiresIn: 60 });
    expect(verifyPresigned(toRequest(other.replace("/a.txt", "/b.txt")), unknown)?.signatureVerified).toBe(false);
  });

  it("answers 403 AccessDenied 'Request has expired' after X-Amz-Expires", async () => {
    const url = await getSignedUrl(client(true), new GetObjectCommand({ Bucket: "photos", Key: "a.txt" }), { expiresIn: 1 });
    const err = thrownAwsError(() => verifyPresigned(toRequest(url), unknown, Date.now() + 5_000));
    expect([err.code, err.message, err.status]).toEqual(["AccessDenied", "Request has expired", 403]);
    expect(err.fields["X-Amz-Expires"]).toBe("1");
  });

  it("checks the form of the query parameters", async () => {
    const url = new URL(await getSignedUrl(client(true), new GetObjectCommand({ Bucket: "photos", Key: "a.txt" }), { expiresIn: 60 }));
    const variant = (edit: (q: URLSearchParams) => void) => {
      const u = new URL(url);
      edit(u.searchParams);
      return thrownAwsError(() => verifyPresigned(toRequest(u.toString()), unknown));
    };
    expect(variant((q) => q.delete("X-Amz-Date")).code).toBe("AuthorizationQueryParametersError");
    expect(variant((q) => q.set("X-Amz-Expires", "604801")).code).toBe("AuthorizationQueryParametersError");
    expect(variant((q) => q.set("X-Amz-Expires", "soon")).message).toBe("X-Amz-Expires should be a number");
    expect(variant((q) => q.set("X-Amz-Algorithm", "AWS4-HMAC-SHA1")).code).toBe("AuthorizationQueryParametersError");
    expect(variant((q) => q.set("X-Amz-Credential", "nope")).message).toContain("the Credential is mal-formed");
    const both = thrownAwsError(() => verifyPresigned(toRequest(url.toString(), "GET", { authorization: "AWS4-HMAC-SHA256 Credential=x" }), unknown));
    expect(both.code).toBe("InvalidArgument");
  });

  it("refuses a session token that is not the key's", async () => {
    const url = await getSignedUrl(client(true, { ...creds, sessionToken: "other-token" }), new GetObjectCommand({ Bucket: "photos", Key: "a.txt" }), { expiresIn: 60 });
    expect(thrownAwsError(() => verifyPresigned(toRequest(url), known)).code).toBe("InvalidToken");
  });

  it("ignores requests that are not presigned", () => {
    expect(verifyPresigned(toRequest("http://localhost:4566/photos/a.txt"), known)).toBeNull();
  });
});
