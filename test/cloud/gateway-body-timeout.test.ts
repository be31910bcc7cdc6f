/**
 * A body that stops half-way is answered as S3 answers it: 400
 * RequestTimeout after the idle time (injected short here through
 * LOCALCLOUD_BODY_IDLE_TIMEOUT_MS), the connection closed, nothing stored.
 * A slow body that keeps arriving is not cut off. The uploads go to
 * presigned URLs so they are properly authorized without the SDK (which
 * cannot stop half-way through a body).
 */
import * as http from "node:http";
import { describe, expect, it } from "vitest";
import { S3Client, CreateBucketCommand, PutObjectCommand, HeadObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { cloudForFile, errorOf } from "../helpers/cloud.js";

const IDLE_MS = 1000;
process.env.LOCALCLOUD_BODY_IDLE_TIMEOUT_MS = String(IDLE_MS);

let s3: S3Client;
cloudForFile(S3Client, async (_cloud, client) => {
  s3 = client;
  await s3.send(new CreateBucketCommand({ Bucket: "slow" }));
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The server closed the connection after answering. */
  closed: Promise<void>;
}

/** PUT to a URL declaring `declared` bytes, sending `chunks` with `gapMs` between them, then (maybe) stopping short. */
function put(url: string, declared: number, chunks: Buffer[], gapMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "PUT", headers: { "content-length": declared } });
    req.on("error", () => {}); // the server may close while we would still write
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      const closed = new Promise<void>((done) => req.socket!.once("close", () => done()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body, closed }));
    });
    req.on("close", () => reject(new Error("no response")));
    let i = 0;
    const next = () => {
      if (i < chunks.length) {
        req.write(chunks[i++]);
        setTimeout(next, gapMs);
      } else if (chunks.reduce((n, c) => n + c.length, 0) === declared) req.end();
      // else: keep the request open and silent, as a stalled client does
    };
    next();
  });
}

const presignedPut = (key: string) => getSignedUrl(s3, new PutObjectCommand({ Bucket: "slow", Key: key }), { expiresIn: 300 });

describe("half-sent bodies", () => {
  it("time out with S3's RequestTimeout, close the connection and store nothing", async () => {
    const res = await put(await presignedPut("half.bin"), 1000, [Buffer.alloc(100, 1)], 0);
    expect(res.status).toBe(400);
    expect(res.body).toContain("<Code>RequestTimeout</Code>");
    expect(res.body).toContain("Your socket connection to the server was not read from or written to within the timeout period");
    expect(res.headers.connection).toBe("close");
    await res.closed;
    const err = await errorOf(s3.send(new HeadObjectCommand({ Bucket: "slow", Key: "half.bin" })));
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("a slow body that keeps arriving is not cut off", async () => {
    const chunks = Array.from({ length: 6 }, (_, i) => Buffer.alloc(10, 65 + i));
    const res = await put(await presignedPut("slow.bin"), 60, chunks, IDLE_MS / 5); // 1.2 s in all, never idle for long
    expect(res.status).toBe(200);
    const back = await s3.send(new GetObjectCommand({ Bucket: "slow", Key: "slow.bin" }));
    expect(await back.Body!.transformToString()).toBe(Buffer.concat(chunks).toString());
  });
});
