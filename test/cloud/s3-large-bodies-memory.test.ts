/**
 * A large upload does not become memory: a separate cloud process (the
 * launcher, default 8 MiB spool threshold) takes a 160 MiB PutObject sent as
 * a stream and serves it back, and its peak RSS (VmHWM) stays far below the
 * body. Buffered, the body alone would add 160 MiB (measured before the
 * spool: 565 MiB peak for this test).
 */
import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { spawnCloud, stopCleanly } from "../helpers/cloud-process.js";

describe("memory: a large upload to a cloud process", () => {
  it("a 160 MiB PutObject sent as a stream (HTTP chunked, aws-chunked) and read back keeps the process's peak RSS far below the body", { timeout: 180_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-spool-mem-"));
    const proc = await spawnCloud(["--data-dir", dataDir, "--log-level", "warn"], {}).ready;
    try {
      const client = new S3Client({ endpoint: proc.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
      await client.send(new CreateBucketCommand({ Bucket: "mem" }));
      const peakKb = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${proc.pid}/status`, "utf8"))![1]);
      const baseline = peakKb() * 1024;
      const size = 160 * 1024 * 1024;
      const block = randomBytes(1024 * 1024);
      const md5 = createHash("md5");
      function* blocks() {
        for (let i = 0; i < size / block.length; i++) {
          md5.update(block);
          yield block;
        }
      }
      const put = await client.send(new PutObjectCommand({ Bucket: "mem", Key: "big.bin", Body: Readable.from(blocks()), ContentLength: size }));
      expect(put.ETag).toBe(`"${md5.digest("hex")}"`);
      // Read it back as a stream, counting bytes (the GET must not load it whole either).
      const got = await client.send(new GetObjectCommand({ Bucket: "mem", Key: "big.bin" }));
      let read = 0;
      for await (const chunk of got.Body as Readable) read += (chunk as Buffer).length;
      expect(read).toBe(size);
      // Buffered, the body alone would add 160 MiB (and its decoded copy as much again); spooled, the
      // peak grows by read buffers and garbage not yet collected (~45 MiB measured here).
      const peak = peakKb() * 1024;
      // The growth is what counts: the start-up RSS itself differs by Node version (~60 MB on 20, ~100 MB on 24).
      expect(peak - baseline).toBeLessThan(size / 2);
    } finally {
      await stopCleanly(proc);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
