// Unit tests of the pure request-body functions of S3: aws-chunked decoding
// (unsigned with trailers, signed with chunk signatures checked against the
// example of AWS's "sigv4-streaming" page) and checksum verification. The
// wire-level behaviour through the real SDK is in s3-checksums.test.ts.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { decodeRequestBody } from "../../src/cloud/services/s3/aws-chunked.js";
import { compositeChecksum, computeChecksum, verifyChecksums } from "../../src/cloud/services/s3/checksums.js";
import { AwsError } from "../../src/cloud/core/aws-error.js";
import { thrownAwsError } from "../helpers/aws-error.js";

function chunked(parts: Buffer[], trailer = ""): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) out.push(Buffer.from(p.length.toString(16) + "\r\n"), p, Buffer.from("\r\n"));
  out.push(Buffer.from("0\r\n" + trailer + "\r\n"));
  return Buffer.concat(out);
}

async function awsErrorAsync(fn: () => Promise<unknown>): Promise<AwsError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AwsError) return err;
    throw err;
  }
  throw new Error("expected an AwsError");
}

const unsignedHeaders = (length: number, trailer = "x-amz-checksum-crc32") => ({
  "content-encoding": "aws-chunked",
  "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "x-amz-decoded-content-length": String(length),
  "x-amz-trailer": trailer,
});

describe("aws-chunked decoding", () => {
  it("decodes an unsigned body with a CRC32 trailer, as SDK v3 sends stream bodies", async () => {
    const data = Buffer.from("hello, chunked world");
    const crc = await computeChecksum("CRC32", data);
    const raw = chunked([data.subarray(0, 5), data.subarray(5)], `x-amz-checksum-crc32:${crc}\r\n`);
    const out = decodeRequestBody(unsignedHeaders(data.length), raw);
    expect(out.body.equals(data)).toBe(true);
    expect(out.trailers).toEqual({ "x-amz-checksum-crc32": crc });
    expect(out.chunked).toBe(true);
    expect(out.contentEncoding).toBeUndefined();
  });

  it("keeps the other content encodings (aws-chunked,gzip stores gzip)", () => {
    const raw = chunked([Buffer.from("x")]);
    const out = decodeRequestBody({ ...unsignedHeaders(1, ""), "content-encoding": "aws-chunked,gzip" }, raw);
    expect(out.contentEncoding).toBe("gzip");
  });

  it("passes a plain body through and checks a hex x-amz-content-sha256", () => {
    const body = Buffer.from("plain");
    const sha = createHash("sha256").update(body).digest("hex");
    expect(decodeRequestBody({ "x-amz-content-sha256": sha }, body).body).toBe(body);
    expect(decodeRequestBody({ "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, body).body).toBe(body);
    const err = thrownAwsError(() => decodeRequestBody({ "x-amz-content-sha256": "0".repeat(64) }, body));
    expect(err.code).toBe("XAmzContentSHA256Mismatch");
    expect(thrownAwsError(() => decodeRequestBody({ "x-amz-content-sha256": "bogus" }, body)).code).toBe("InvalidArgument");
  });

  it("refuses a decoded length that differs from x-amz-decoded-content-length", () => {
    const err = thrownAwsError(() => decodeRequestBody(unsignedHeaders(10, ""), chunked([Buffer.from("abc")])));
    expect(err.code).toBe("IncompleteBody");
    expect(err.status).toBe(400);
  });

  it("answers 411 MissingContentLength without x-amz-decoded-content-length", () => {
    const headers: Record<string, string> = unsignedHeaders(3, "");
    delete headers["x-amz-decoded-content-length"];
    const err = thrownAwsError(() => decodeRequestBody(headers, chunked([Buffer.from("abc")])));
    expect(err.code).toBe("MissingContentLength");
    expect(err.status).toBe(411);
  });

  it("refuses a body cut short, a bad chunk size and garbage after a chunk", () => {
    const whole = chunked([Buffer.from("abcdef")]);
    expect(thrownAwsError(() => decodeRequestBody(unsignedHeaders(6, ""), whole.subarray(0, 6))).message).toBe("The request body terminated unexpectedly");
    expect(thrownAwsError(() => decodeRequestBody(unsignedHeaders(6, ""), Buffer.from("zz\r\nabcdef\r\n0\r\n\r\n"))).code).toBe("IncompleteBody");
    expect(thrownAwsError(() => decodeRequestBody(unsignedHeaders(6, ""), Buffer.from("6\r\nabcdefXX0\r\n\r\n"))).code).toBe("IncompleteBody");
  });

  it("refuses trailers that were not declared, declared trailers that are missing, and unsupported ones", () => {
    const data = Buffer.from("abc");
    const undeclared = thrownAwsError(() => decodeRequestBody(unsignedHeaders(3, ""), chunked([data], "x-amz-checksum-crc32:AAAAAA==\r\n")));
    expect(undeclared.code).toBe("MalformedTrailerError");
    const missing = thrownAwsError(() => decodeRequestBody(unsignedHeaders(3), chunked([data])));
    expect(missing.code).toBe("MalformedTrailerError");
    const unsupported = thrownAwsError(() => decodeRequestBody(unsignedHeaders(3, "x-amz-checksum-sha10"), chunked([data])));
    expect(unsupported.code).toBe("InvalidRequest");
    expect(unsupported.message).toBe("The value specified in the x-amz-trailer header is not supported");
  });

  // The worked example of docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html:
  // 65 KiB of 'a' in chunks of 64 KiB and 1 KiB, signed with the documentation's example key.
  const example = {
    secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
    sigs: [
      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ],
  };
  const signedHeaders = {
    "content-encoding": "aws-chunked",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "x-amz-decoded-content-length": "66560",
    "x-amz-date": "20130524T000000Z",
    authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${example.seed}`,
  };
  function signedBody(sigs: string[]): Buffer {
    return Buffer.concat([
      Buffer.from(`10000;chunk-signature=${sigs[0]}\r\n`),
      Buffer.alloc(65536, "a"),
      Buffer.from(`\r\n400;chunk-signature=${sigs[1]}\r\n`),
      Buffer.alloc(1024, "a"),
      Buffer.from(`\r\n0;chunk-signature=${sigs[2]}\r\n\r\n`),
    ]);
  }

  it("decodes and verifies the signed-chunk example from AWS's documentation", () => {
    const out = decodeRequestBody(signedHeaders, signedBody(example.sigs), { secretAccessKey: example.secret });
    expect(out.body.length).toBe(66560);
    expect(out.body.every((b) => b === 0x61)).toBe(true);
  });

  it("refuses a tampered chunk signature when the secret is known, and a malformed one always", () => {
    const tampered = [example.sigs[0]!, example.sigs[1]!.replace(/^0/, "1"), example.sigs[2]!];
    const err = thrownAwsError(() => decodeRequestBody(signedHeaders, signedBody(tampered), { secretAccessKey: example.secret }));
    expect(err.code).toBe("SignatureDoesNotMatch");
    expect(err.status).toBe(403);
    // Without the secret the chain cannot be checked, but the form of each signature can.
    expect(decodeRequestBody(signedHeaders, signedBody(tampered)).body.length).toBe(66560);
    expect(thrownAwsError(() => decodeRequestBody(signedHeaders, signedBody(["xxxxxxxx", ...example.sigs.slice(1)]))).code).toBe("SignatureDoesNotMatch");
  });

  it("refuses a short chunk before the last one in a signed stream", () => {
    const sig = "a".repeat(64);
    const raw = Buffer.from(`3;chunk-signature=${sig}\r\nabc\r\n3;chunk-signature=${sig}\r\ndef\r\n0;chunk-signature=${sig}\r\n\r\n`);
    const err = thrownAwsError(() => decodeRequestBody({ ...signedHeaders, "x-amz-decoded-content-length": "6" }, raw));
    expect(err.code).toBe("InvalidChunkSizeError");
  });
});

describe("checksum verification", () => {
  const body = Buffer.from("The quick brown fox jumps over the lazy dog");

  it("computes the checksums AWS documents for known inputs", async () => {
    expect(await computeChecksum("CRC32", body)).toBe(Buffer.from("414fa339", "hex").toString("base64"));
    expect(await computeChecksum("CRC32C", body)).toBe(Buffer.from("22620404", "hex").toString("base64"));
    expect(await computeChecksum("SHA1", body)).toBe(createHash("sha1").update(body).digest("base64"));
    // CRC64/NVME check value: crc("123456789") = 0xae8b14860a799888
    expect(await computeChecksum("CRC64NVME", Buffer.from("123456789"))).toBe(Buffer.from("ae8b14860a799888", "hex").toString("base64"));
  });

  it("agrees with @aws-crypto's CRC32 and CRC32C at every length around the 8-byte stride", async () => {
    const { Crc32 } = await import("@aws-crypto/crc32");
    const { Crc32c } = await import("@aws-crypto/crc32c");
    const data = createHash("sha512").update("seed").digest();
    for (let len = 0; len <= data.length; len++) {
      const b = data.subarray(0, len);
      const ref32 = Buffer.alloc(4);
      ref32.writeUInt32BE(new Crc32().update(b).digest());
      const ref32c = Buffer.alloc(4);
      ref32c.writeUInt32BE(new Crc32c().update(b).digest());
      expect(await computeChecksum("CRC32", b)).toBe(ref32.toString("base64"));
      expect(await computeChecksum("CRC32C", b)).toBe(ref32c.toString("base64"));
    }
  });

  it("accepts each algorithm from a header or a trailer and returns the headers to echo", async () => {
    for (const alg of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      const value = await computeChecksum(alg, body);
      const name = `x-amz-checksum-${alg.toLowerCase()}`;
      const fromHeader = await verifyChecksums({ [name]: value }, {}, body);
      expect(fromHeader.headers).toEqual({ [name]: value, "x-amz-checksum-type": "FULL_OBJECT" });
      expect(fromHeader.checksum).toEqual({ algorithm: alg, value, type: "FULL_OBJECT" });
      const fromTrailer = await verifyChecksums({ "x-amz-trailer": name, "x-amz-sdk-checksum-algorithm": alg }, { [name]: value }, body);
      expect(fromTrailer.checksum.value).toBe(value);
    }
  });

  it("answers BadDigest with AWS's message on a mismatch", async () => {
    const other = await computeChecksum("CRC32", Buffer.from("something else"));
    const err = await awsErrorAsync(() => verifyChecksums({ "x-amz-checksum-crc32": other }, {}, body));
    expect(err.code).toBe("BadDigest");
    expect(err.message).toBe("The CRC32 you specified did not match the calculated checksum.");
    const sha = await awsErrorAsync(() => verifyChecksums({}, { "x-amz-checksum-sha256": Buffer.alloc(32).toString("base64") }, body));
    expect(sha.message).toBe("The SHA256 you specified did not match the calculated checksum.");
  });

  it("answers InvalidRequest for malformed values and for more than one checksum", async () => {
    const bad = await awsErrorAsync(() => verifyChecksums({ "x-amz-checksum-crc32": "abc" }, {}, body));
    expect([bad.code, bad.message]).toEqual(["InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid."]);
    const badTrailer = await awsErrorAsync(() => verifyChecksums({}, { "x-amz-checksum-crc32c": "a" }, body));
    expect(badTrailer.message).toBe("Value for x-amz-checksum-crc32c trailing header is invalid.");
    const crc = await computeChecksum("CRC32", body);
    const sha1 = await computeChecksum("SHA1", body);
    const two = await awsErrorAsync(() => verifyChecksums({ "x-amz-checksum-crc32": crc, "x-amz-checksum-sha1": sha1 }, {}, body));
    expect(two.message).toBe("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    const noValue = await awsErrorAsync(() => verifyChecksums({ "x-amz-sdk-checksum-algorithm": "CRC32" }, {}, body));
    expect(noValue.code).toBe("InvalidRequest");
  });

  it("checks Content-MD5: InvalidDigest when malformed, BadDigest when wrong", async () => {
    const md5 = createHash("md5").update(body).digest("base64");
    const ok = await verifyChecksums({ "content-md5": md5 }, {}, body);
    expect(ok.md5Hex).toBe(createHash("md5").update(body).digest("hex"));
    expect((await awsErrorAsync(() => verifyChecksums({ "content-md5": "nope" }, {}, body))).code).toBe("InvalidDigest");
    const wrong = await awsErrorAsync(() => verifyChecksums({ "content-md5": createHash("md5").update("x").digest("base64") }, {}, body));
    expect([wrong.code, wrong.message]).toEqual(["BadDigest", "The Content-MD5 you specified did not match what we received."]);
  });

  it("computes a CRC64NVME when the client sends no checksum, as S3 does, without echoing it", async () => {
    const out = await verifyChecksums({}, {}, body);
    expect(out.checksum).toMatchObject({ algorithm: "CRC64NVME", type: "FULL_OBJECT", defaulted: true });
    expect(out.headers).toEqual({});
  });

  it("builds a composite multipart checksum from the part checksums", async () => {
    const a = await computeChecksum("CRC32", Buffer.from("part one"));
    const b = await computeChecksum("CRC32", Buffer.from("part two"));
    const expected = await computeChecksum("CRC32", Buffer.concat([Buffer.from(a, "base64"), Buffer.from(b, "base64")]));
    expect(await compositeChecksum("CRC32", [a, b])).toBe(`${expected}-2`);
  });
});
