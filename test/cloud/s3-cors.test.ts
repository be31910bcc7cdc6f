// Bucket CORS through the real SDK and a browser-like fetch: Put/Get/
// DeleteBucketCors with S3's validation, the unsigned OPTIONS preflight
// (allowed, refused, no configuration), and Access-Control-* headers on
// ordinary requests whose Origin a rule allows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure, rawRequest } from "../helpers/s3.js";

let cloud: TestCloud;
let s3: S3Client;
const bucket = "web-assets";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "app.js", Body: "console.log(1)" }));
});
afterAll(async () => {
  await cloud.close();
});

const preflight = (path: string, headers: Record<string, string>) => fetch(`${cloud.endpoint}${path}`, { method: "OPTIONS", headers });

describe("CORS configuration", () => {
  it("NoSuchCORSConfiguration until set; stored as sent; deleted", async () => {
    const none = await failure(s3.send(new GetBucketCorsCommand({ Bucket: bucket })));
    expect(none.name).toBe("NoSuchCORSConfiguration");
    expect(none.status).toBe(404);
    const rules = [
      { ID: "app", AllowedOrigins: ["http://localhost:5173", "https://*.example.com"], AllowedMethods: ["GET", "PUT"], AllowedHeaders: ["content-type", "x-amz-*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 },
      { AllowedOrigins: ["*"], AllowedMethods: ["HEAD"] },
    ];
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
    const got = await s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(got.CORSRules?.[0]).toMatchObject(rules[0]!);
    expect(got.CORSRules?.[1]).toMatchObject({ AllowedOrigins: ["*"], AllowedMethods: ["HEAD"] });
  });

  it("refuses unsupported methods, double wildcards and rules without origins", async () => {
    const method = await failure(s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] }] } })));
    expect(method.name).toBe("InvalidRequest");
    expect(method.message).toBe("Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
    const wild = await failure(s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["*.*"], AllowedMethods: ["GET"] }] } })));
    expect(wild.name).toBe("InvalidRequest");
    const empty = await failure(s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: [], AllowedMethods: ["GET"] }] } })));
    expect(empty.name).toBe("MalformedXML");
    // The earlier configuration is untouched by refused ones.
    expect((await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toHaveLength(2);
  });
});

describe("preflight and responses", () => {
  it("an allowed preflight answers 200 with the Access-Control-* headers", async () => {
    const res = await preflight(`/${bucket}/upload.png`, { origin: "https://app.example.com", "access-control-request-method": "PUT", "access-control-request-headers": "Content-Type, X-Amz-Date" });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(res.headers.get("access-control-allow-methods")).toBe("GET, PUT");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type, x-amz-date");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("a preflight no rule allows is 403 AccessForbidden; missing Origin is 400", async () => {
    const origin = await preflight(`/${bucket}/app.js`, { origin: "https://evil.test", "access-control-request-method": "GET" });
    expect(origin.status).toBe(403);
    expect(await origin.text()).toContain("<Code>AccessForbidden</Code>");
    const header = await preflight(`/${bucket}/app.js`, { origin: "http://localhost:5173", "access-control-request-method": "PUT", "access-control-request-headers": "x-custom" });
    expect(header.status).toBe(403);
    const noOrigin = await preflight(`/${bucket}/app.js`, { "access-control-request-method": "GET" });
    expect(noOrigin.status).toBe(400);
  });

  it("a GET with an allowed Origin carries Access-Control-Allow-Origin and Expose-Headers; others carry none", async () => {
    const allowed = await rawRequest(cloud, { method: "GET", path: `/${bucket}/app.js`, headers: { origin: "http://localhost:5173" } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    expect(allowed.headers["access-control-expose-headers"]).toBe("ETag");
    const other = await rawRequest(cloud, { method: "GET", path: `/${bucket}/app.js`, headers: { origin: "https://evil.test" } });
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const missing = await rawRequest(cloud, { method: "GET", path: `/${bucket}/missing.js`, headers: { origin: "http://localhost:5173" } });
    expect(missing.status).toBe(404);
    expect(missing.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
  });

  it("without a configuration the preflight says CORS is not enabled", async () => {
    await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
    const res = await preflight(`/${bucket}/app.js`, { origin: "http://localhost:5173", "access-control-request-method": "GET" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("CORS is not enabled for this bucket.");
  });
});
