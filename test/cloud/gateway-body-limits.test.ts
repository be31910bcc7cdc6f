/**
 * Request bodies the gateway will not hold: a request to a service other than
 * S3 past its (generous) cap is refused with 413 before it is buffered —
 * declared by Content-Length or found while streaming — and the connection
 * is closed; the cloud carries on.
 *
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
import { SQSClient, CreateQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "node:crypto";
import { cloudForFile, errorOf, type TestCloud } from "../helpers/cloud.js";

const IDLE_MS = 1000;
process.env.LOCALCLOUD_BODY_IDLE_TIMEOUT_MS = String(IDLE_MS);

let s3: S3Client;
let cloud: TestCloud;
cloudForFile(S3Client, async (c, client) => {
  cloud = c;
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

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof d === "string" ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);

/** node:crypto in the shape SignatureV4 wants. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

describe("bodies past a service's cap", () => {
  it("a declared 20 MiB SQS request is refused with 413 before it is read, and SQS still works", async () => {
    const sqs = new SQSClient({ ...cloud.clientConfig, maxAttempts: 1 });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "capped" }));
    const err = await errorOf(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m".repeat(20 * 1024 * 1024) })));
    expect(err.$metadata.httpStatusCode).toBe(413);
    expect(err.name).toBe("RequestEntityTooLarge");
    const ok = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "small" }));
    expect(ok.MessageId).toBeTruthy();
    sqs.destroy();
  });

  it("a chunked body (no Content-Length) is cut off at the cap with 413 and the connection closed", async () => {
    const url = new URL(cloud.endpoint);
    const body = JSON.stringify({ QueueUrl: `${cloud.endpoint}/000000000000/capped`, MessageBody: "c".repeat(17 * 1024 * 1024) });
    const signer = new SignatureV4({ service: "sqs", region: "us-east-1", credentials: cloud.clientConfig.credentials, sha256: Sha256 });
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
      body,
    });
    const res = await new Promise<{ status: number; text: string; closed: Promise<void> }>((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, method: "POST", path: "/", headers: { ...signed.headers, "transfer-encoding": "chunked" } });
      req.on("error", () => {}); // writes after the server closed
      req.on("response", (r) => {
        let text = "";
        r.setEncoding("utf8");
        r.on("data", (d) => (text += d));
        const closed = new Promise<void>((done) => req.socket!.once("close", () => done()));
        r.on("end", () => resolve({ status: r.statusCode!, text, closed }));
      });
      req.on("close", () => reject(new Error("no response")));
      const buf = Buffer.from(body);
      let at = 0;
      const pump = () => {
        while (at < buf.length) {
          const ok = req.write(buf.subarray(at, (at += 256 * 1024)));
          if (!ok) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(res.status).toBe(413);
    expect(res.text).toContain("RequestEntityTooLarge");
    await res.closed;
  });
});
