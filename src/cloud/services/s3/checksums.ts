/**
 * S3's data-integrity checks on writes (aws-behavior.md §1): `Content-MD5`
 * and the flexible checksums `x-amz-checksum-{crc32,crc32c,crc64nvme,sha1,sha256}`
 * sent as a header or as an aws-chunked trailer. A wrong value is refused
 * with AWS's codes and messages (BadDigest, InvalidDigest, InvalidRequest);
 * a right one is returned so it can be stored with the object, echoed on the
 * write response and returned by GetObject/HeadObject with
 * `x-amz-checksum-mode: ENABLED`.
 *
 * When a write carries no flexible checksum, S3 (since its default integrity
 * protections of 2025) computes a CRC64NVME of the object; so does this module,
 * marked `defaulted` so the caller may decide not to echo it on the write.
 *
 * Multipart helpers live here too: the composite checksum of a completed
 * upload is the checksum of the concatenated binary part checksums, with
 * "-N" appended; a FULL_OBJECT checksum is computed over the whole object.
 */
import { createHash } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import { crc32, crc32c } from "./crc32.js";

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Bytes of each digest: a value of another length is "invalid", not "did not match". */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** What an object stores about its checksum. */
export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64, with "-N" for a composite multipart checksum. */
  value: string;
  type: ChecksumType;
  /** Computed by S3 because the client sent none (CRC64NVME). */
  defaulted?: boolean;
}

export interface ChecksumResult {
  checksum: ObjectChecksum;
  /** Hex MD5 of the body — the ETag of a single-part object, without quotes. */
  md5Hex: string;
  /** Response headers to echo on the write (x-amz-checksum-<alg>, x-amz-checksum-type). Empty for a defaulted checksum. */
  headers: Record<string, string>;
}

export function headerName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

export function parseAlgorithm(value: string | undefined): ChecksumAlgorithm | undefined {
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

let crc64Module: typeof import("@aws-sdk/crc64-nvme") | undefined;

/** A digest computed in pieces, for bodies that stream past (spooled uploads, multipart completion). */
export interface Digester {
  update(data: Uint8Array): void;
  digest(): Promise<Buffer>;
}

export async function createDigester(algorithm: ChecksumAlgorithm): Promise<Digester> {
  switch (algorithm) {
    case "SHA1":
    case "SHA256": {
      const hash = createHash(algorithm === "SHA1" ? "sha1" : "sha256");
      return { update: (data) => hash.update(data), digest: async () => hash.digest() };
    }
    case "CRC32":
    case "CRC32C": {
      const fn = algorithm === "CRC32" ? crc32 : crc32c;
      let crc = 0;
      return { update: (data) => void (crc = fn(data, crc)), digest: async () => uint32(crc) };
    }
    case "CRC64NVME": {
      // Loaded on first use (start-up stays light) and kept: a dynamic import per call costs ~0.3 ms.
      crc64Module ??= await import("@aws-sdk/crc64-nvme");
      const crc = new crc64Module.Crc64Nvme();
      return { update: (data) => crc.update(data), digest: async () => Buffer.from(await crc.digest()) };
    }
  }
}

/** The raw digest of `data`. CRC64NVME's implementation is async, hence the Promise. */
export async function digest(algorithm: ChecksumAlgorithm, data: Uint8Array): Promise<Buffer> {
  switch (algorithm) {
    case "SHA1":
      return createHash("sha1").update(data).digest();
    case "SHA256":
      return createHash("sha256").update(data).digest();
    case "CRC32":
      return uint32(crc32(data));
    case "CRC32C":
      return uint32(crc32c(data));
    case "CRC64NVME": {
      const crc = await createDigester("CRC64NVME");
      crc.update(data);
      return crc.digest();
    }
  }
}

/** The digests of a write's body: computed from a Buffer on demand, or precomputed while a large body streamed past. */
export interface BodyDigests {
  md5(): Buffer;
  digest(algorithm: ChecksumAlgorithm): Promise<Buffer>;
}

export function bufferDigests(body: Buffer): BodyDigests {
  return { md5: () => createHash("md5").update(body).digest(), digest: (algorithm) => digest(algorithm, body) };
}

/**
 * The checksum algorithms a write's verification will ask for: the ones its
 * headers and declared trailers name, and the CRC64NVME S3 computes when none is sent.
 */
export function algorithmsFor(headers: Record<string, string>): Set<ChecksumAlgorithm> {
  const wanted = new Set<ChecksumAlgorithm>(["CRC64NVME"]);
  const trailer = (headers["x-amz-trailer"] ?? "").toLowerCase();
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    if (headers[headerName(algorithm)] !== undefined || trailer.includes(headerName(algorithm))) wanted.add(algorithm);
  }
  const sdk = parseAlgorithm(headers["x-amz-sdk-checksum-algorithm"]);
  if (sdk) wanted.add(sdk);
  return wanted;
}

function uint32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n >>> 0);
  return out;
}

/** base64 checksum, as S3 sends it in x-amz-checksum-* headers. */
export async function computeChecksum(algorithm: ChecksumAlgorithm, data: Uint8Array): Promise<string> {
  return (await digest(algorithm, data)).toString("base64");
}

/** Decode a base64 checksum value; undefined when it is not base64 of the right length. */
function decodeValue(algorithm: ChecksumAlgorithm, value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(value, "base64");
  return bytes.length === DIGEST_BYTES[algorithm] ? bytes : undefined;
}

/**
 * Verify the integrity headers of a write against its decoded body. `trailers`
 * are the aws-chunked trailing headers (aws-chunked.ts). Throws AwsError.
 */
export function verifyChecksums(headers: Record<string, string>, trailers: Record<string, string>, body: Buffer): Promise<ChecksumResult> {
  return verifyDigests(headers, trailers, bufferDigests(body));
}

/** verifyChecksums for a body known only by its digests (a spooled upload). */
export async function verifyDigests(headers: Record<string, string>, trailers: Record<string, string>, body: BodyDigests): Promise<ChecksumResult> {
  const md5 = body.md5();
  const contentMd5 = headers["content-md5"];
  if (contentMd5 !== undefined) {
    const sent = /^[A-Za-z0-9+/]{22}==$/.test(contentMd5.trim()) ? Buffer.from(contentMd5.trim(), "base64") : undefined;
    if (!sent || sent.length !== 16) throw new AwsError("InvalidDigest", "The Content-MD5 you specified is not valid.", { fields: { "Content-MD5": contentMd5 } });
    if (!sent.equals(md5)) {
      throw new AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", {
        fields: { ExpectedDigest: contentMd5, CalculatedDigest: md5.toString("base64") },
      });
    }
  }

  // Every flexible checksum the request carries, from headers and from trailers.
  const provided: Array<{ algorithm: ChecksumAlgorithm; value: string; where: "header" | "trailing header" }> = [];
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const name = headerName(algorithm);
    if (headers[name] !== undefined) provided.push({ algorithm, value: headers[name]!.trim(), where: "header" });
    if (trailers[name] !== undefined) provided.push({ algorithm, value: trailers[name]!.trim(), where: "trailing header" });
  }
  if (provided.length > 1) {
    throw new AwsError("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  }

  const sdkAlgorithmHeader = headers["x-amz-sdk-checksum-algorithm"];
  if (sdkAlgorithmHeader !== undefined) {
    const sdkAlgorithm = parseAlgorithm(sdkAlgorithmHeader);
    if (!sdkAlgorithm || (provided[0] && provided[0].algorithm !== sdkAlgorithm)) {
      throw new AwsError("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    }
    const trailerDeclared = (headers["x-amz-trailer"] ?? "").toLowerCase().includes(headerName(sdkAlgorithm));
    if (!provided[0] && !trailerDeclared) {
      throw new AwsError("InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
    }
  }

  const md5Hex = md5.toString("hex");
  const claim = provided[0];
  if (!claim) {
    const value = (await body.digest("CRC64NVME")).toString("base64");
    return { checksum: { algorithm: "CRC64NVME", value, type: "FULL_OBJECT", defaulted: true }, md5Hex, headers: {} };
  }
  const sent = decodeValue(claim.algorithm, claim.value);
  if (!sent) throw new AwsError("InvalidRequest", `Value for ${headerName(claim.algorithm)} ${claim.where} is invalid.`);
  const computed = await body.digest(claim.algorithm);
  if (!computed.equals(sent)) {
    throw new AwsError("BadDigest", `The ${claim.algorithm} you specified did not match the calculated checksum.`);
  }
  const checksum: ObjectChecksum = { algorithm: claim.algorithm, value: computed.toString("base64"), type: "FULL_OBJECT" };
  return { checksum, md5Hex, headers: checksumHeaders(checksum) };
}

/** The x-amz-checksum-* response headers for a stored checksum (GetObject/HeadObject with checksum mode, writes). */
export function checksumHeaders(checksum: ObjectChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [headerName(checksum.algorithm)]: checksum.value, "x-amz-checksum-type": checksum.type };
}

/** Composite checksum of a multipart upload: checksum of the concatenated raw part checksums, "-N". */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): Promise<string> {
  const joined = Buffer.concat(partChecksums.map((v) => Buffer.from(v, "base64")));
  return `${await computeChecksum(algorithm, joined)}-${partChecksums.length}`;
}
