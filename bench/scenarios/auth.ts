/**
 * What signature verification costs (issue 11: well under 5% of a 1 KiB
 * PutObject). The same requests — 1 KiB PutObjects by the administrator
 * (test/test) — go to two clouds started alike, one verifying every SigV4
 * signature (the default) and one with `--auth any`, in alternating batches
 * so drift on this noisy machine hits both sides equally. A second figure
 * times the verifier alone, in this process, on a real SDK-signed request:
 * the part of the difference that is ours rather than noise.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import { IdentityRegistry, DEFAULT_AUTH } from "../../src/cloud/core/identity.js";
import { Store } from "../../src/cloud/core/store.js";
import { authenticate } from "../../src/cloud/gateway/auth/verify.js";
import { clientConfig, median, pairedPutObjectTimes, percentile, spawnCloud, type Row } from "../lib.js";


class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** µs per verification of an SDK-signed 1 KiB PutObject (header signature, literal payload hash checked against the body). */
async function verifierCostMicros(): Promise<number> {
  const body = Buffer.alloc(1024, 1);
  const signer = new SignatureV4({ service: "s3", region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, sha256: NodeSha256 as never, uriEscapePath: false });
  const headers = { host: "127.0.0.1:4566", "content-type": "application/octet-stream", "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") };
  const signed = (await signer.sign({ method: "PUT", protocol: "http:", hostname: "127.0.0.1", path: "/bench/k1", query: {}, headers, body } as never)) as unknown as { headers: Record<string, string> };
  const lower = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const identity = new IdentityRegistry(new Store(null), DEFAULT_AUTH);
  const request = { method: "PUT", rawPath: "/bench/k1", rawQuery: "", query: new URLSearchParams(), headers: lower, host: "127.0.0.1:4566", body, s3: true };
  const run = (n: number) => {
    for (let i = 0; i < n; i++) if (authenticate(identity, request)?.principal.kind !== "admin") throw new Error("the bench request should verify");
  };
  run(2000); // warm-up (JIT, signing-key cache)
  const n = 20_000;
  const t = performance.now();
  run(n);
  return ((performance.now() - t) * 1000) / n;
}

export async function authScenario(): Promise<Row[]> {
  const verifying = await spawnCloud();
  const relaxed = await spawnCloud(["--auth", "any"]);
  const bucket = `bench-auth-${Date.now()}`;
  const on = new S3Client(clientConfig(verifying.endpoint));
  const off = new S3Client(clientConfig(relaxed.endpoint));
  try {
    await on.send(new CreateBucketCommand({ Bucket: bucket }));
    await off.send(new CreateBucketCommand({ Bucket: bucket }));
    const { a: withAuth, b: withoutAuth } = await pairedPutObjectTimes(on, off, bucket);
    const pOn = median(withAuth);
    const pOff = median(withoutAuth);
    const overhead = (pOn - pOff) / pOff;
    const micros = await verifierCostMicros();
    return [
      { figure: `1 KiB PutObject p50, signatures verified (${withAuth.length})`, value: pOn, unit: "ms", note: `p95 ${percentile(withAuth, 95).toFixed(2)} ms` },
      { figure: `1 KiB PutObject p50, --auth any (${withoutAuth.length})`, value: pOff, unit: "ms", note: `p95 ${percentile(withoutAuth, 95).toFixed(2)} ms` },
      { figure: "verification overhead (p50, verified vs --auth any)", value: overhead * 100, unit: "%", target: "< 5%", met: overhead < 0.05 },
      { figure: "SigV4 verification alone (in process, 1 KiB PutObject)", value: micros, unit: "µs", target: "< 5% of p50", met: micros / 1000 < pOff * 0.05 },
    ];
  } finally {
    on.destroy();
    off.destroy();
    await verifying.stop();
    await relaxed.stop();
  }
}
