/**
 * Request-body decoding for S3 writes (PutObject, UploadPart): the
 * `aws-chunked` content encoding that SDK v3 uses for stream bodies and that
 * signed streaming uploads use (aws-behavior.md §1).
 *
 * The gateway has already removed HTTP's own `Transfer-Encoding: chunked`, so
 * `raw` is `<hex-size>[;chunk-signature=<sig>]\r\n<bytes>\r\n … 0[;…]\r\n`
 * followed by trailing headers (`x-amz-checksum-crc32:<b64>\r\n`, and for
 * the signed-trailer variant `x-amz-trailer-signature:<sig>\r\n`) and a blank
 * line. The decoded length must equal `x-amz-decoded-content-length`.
 *
 * Chunk signatures: checked for well-formedness always (64 hex characters,
 * chunks of the signed variants at least 8 KiB except the last, as AWS
 * requires); verified cryptographically with the secret of the access key
 * (the administrator's configured one or a role session's; identity.ts) —
 * only with `--auth any` is the administrator's secret unknown and its chunk
 * signatures unverified. Plain bodies pass through, but a hex `x-amz-content-sha256` is
 * compared with the body's real SHA-256 as S3 does.
 */
import { createHash, type Hash } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import { EMPTY_SHA256, hmac, sameSignature, sha256Hex, signingKey } from "./sigv4.js";

export interface DecodedBody {
  body: Buffer;
  /** Trailing headers, lower-cased names (x-amz-checksum-crc32 …); empty for plain bodies. */
  trailers: Record<string, string>;
  /**
   * The Content-Encoding to store with the object: the header without its
   * `aws-chunked` token (AWS stores "gzip" for "aws-chunked,gzip"); undefined when nothing remains.
   */
  contentEncoding?: string;
  /** True when the body came aws-chunked. */
  chunked: boolean;
}

export interface DecodeOptions {
  /** Secret of the signing access key, when known: chunk and trailer signatures are then verified. */
  secretAccessKey?: string;
}

/** Trailers S3 accepts in `x-amz-trailer` (S3 answers InvalidRequest for anything else). */
export const SUPPORTED_TRAILERS = new Set([
  "x-amz-checksum-crc32",
  "x-amz-checksum-crc32c",
  "x-amz-checksum-crc64nvme",
  "x-amz-checksum-sha1",
  "x-amz-checksum-sha256",
]);

const STREAMING_MODES = new Set([
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
]);

const SIGNED_CHUNK_MIN = 8192;

const incompleteBody = () => new AwsError("IncompleteBody", "The request body terminated unexpectedly");
const signatureMismatch = () =>
  new AwsError(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    { status: 403 },
  );
const malformedTrailer = () =>
  new AwsError("MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.");

function badContentSha256(): AwsError {
  return new AwsError(
    "InvalidArgument",
    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
    { fields: { ArgumentName: "x-amz-content-sha256" } },
  );
}

/** Decode a request body; plain bodies are returned as they are. Throws AwsError in S3's shape. */
export function decodeRequestBody(headers: Record<string, string>, raw: Buffer, options: DecodeOptions = {}): DecodedBody {
  const plan = planDecoding(headers, () => sha256Hex(raw), options);
  if (!plan.decoder) return { body: raw, trailers: {}, contentEncoding: plan.contentEncoding, chunked: false };
  const parts: Buffer[] = [];
  let size = 0;
  plan.decoder.push(raw, (data) => {
    parts.push(data);
    size += data.length;
  });
  const trailers = plan.decoder.end();
  return { body: Buffer.concat(parts, size), trailers, contentEncoding: plan.contentEncoding, chunked: true };
}

/** How a write's body is to be read: as it is, or through an aws-chunked decoder. */
export interface DecodingPlan {
  decoder?: ChunkedDecoder;
  /** The Content-Encoding to store (see DecodedBody.contentEncoding). */
  contentEncoding?: string;
}

/**
 * Check a write's body headers and say how to decode it. `rawSha256` gives the
 * hex SHA-256 of the bytes as sent, asked for only when x-amz-content-sha256
 * is a literal hash (S3 refuses a body that differs from what was signed).
 */
export function planDecoding(headers: Record<string, string>, rawSha256: () => string, options: DecodeOptions = {}): DecodingPlan {
  const contentSha = headers["x-amz-content-sha256"];
  const encodings = (headers["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  const awsChunked = encodings.some((e) => e.toLowerCase() === "aws-chunked");
  const streaming = contentSha !== undefined && contentSha.startsWith("STREAMING-");
  const rest = encodings.filter((e) => e.toLowerCase() !== "aws-chunked");
  const contentEncoding = rest.length ? rest.join(",") : undefined;

  if (contentSha !== undefined && !streaming && contentSha !== "UNSIGNED-PAYLOAD") {
    if (!/^[0-9a-fA-F]{64}$/.test(contentSha)) throw badContentSha256();
    const computed = rawSha256();
    if (computed !== contentSha.toLowerCase()) {
      throw new AwsError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        fields: { ClientComputedContentSHA256: contentSha, S3ComputedContentSHA256: computed },
      });
    }
  }
  if (streaming && !STREAMING_MODES.has(contentSha!)) throw badContentSha256();
  if (!streaming && !awsChunked) return { contentEncoding: headers["content-encoding"] };

  const declared = headers["x-amz-decoded-content-length"];
  if (declared === undefined) {
    // AWS answers 411 when a streaming upload does not say how long the decoded payload is.
    throw new AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", { status: 411 });
  }
  if (!/^\d+$/.test(declared)) {
    throw new AwsError("InvalidArgument", "x-amz-decoded-content-length is not a valid number.", {
      fields: { ArgumentName: "x-amz-decoded-content-length", ArgumentValue: declared },
    });
  }
  const mode = contentSha ?? "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  const expectedTrailers = parseTrailerHeader(headers["x-amz-trailer"]);
  if (!mode.endsWith("-TRAILER") && expectedTrailers.length) {
    throw new AwsError("InvalidRequest", "The value specified in the x-amz-trailer header is not supported");
  }
  const verifier = mode.startsWith("STREAMING-AWS4-HMAC") && options.secretAccessKey ? chunkVerifier(headers, options.secretAccessKey) : null;
  return { decoder: new ChunkedDecoder(mode, Number(declared), expectedTrailers, verifier), contentEncoding };
}

/** Longest chunk-size line accepted (hex size + a chunk-signature extension is ~100 bytes). */
const MAX_CHUNK_LINE = 4096;
/** Longest trailer section accepted: a few checksum headers and a signature. */
const MAX_TRAILER_SECTION = 16 * 1024;

/**
 * aws-chunked decoding in pieces: push() the raw bytes as they arrive (any
 * split), decoded bytes come out through `emit` (views into the input, valid
 * during the call), chunk signatures are verified as each chunk ends, and
 * end() checks the trailers and the decoded length. Only one chunk-size line
 * or the trailer section is ever held — never a chunk's data.
 */
export class ChunkedDecoder {
  private state: "line" | "data" | "crlf" | "trailers" = "line";
  private line = "";
  private remaining = 0;
  private crlfSeen = 0;
  private signature: string | undefined;
  private chunkHash: Hash | undefined;
  private chunkCount = 0;
  private previousSize = -1;
  private size = 0;
  private trailerBytes: Buffer[] = [];
  private trailerLength = 0;
  private readonly signed: boolean;

  constructor(
    private readonly mode: string,
    private readonly declared: number,
    private readonly expectedTrailers: string[],
    private readonly verifier: ReturnType<typeof chunkVerifier> | null,
  ) {
    this.signed = mode.startsWith("STREAMING-AWS4-");
  }

  push(raw: Buffer, emit: (data: Buffer) => void): void {
    let pos = 0;
    while (pos < raw.length) {
      switch (this.state) {
        case "line": {
          const lf = raw.indexOf(10, pos);
          const end = lf < 0 ? raw.length : lf + 1;
          this.line += raw.toString("latin1", pos, end);
          pos = end;
          if (this.line.length > MAX_CHUNK_LINE) throw incompleteBody();
          if (lf >= 0) this.startChunk();
          break;
        }
        case "data": {
          const n = Math.min(this.remaining, raw.length - pos);
          const data = raw.subarray(pos, pos + n);
          this.chunkHash?.update(data);
          emit(data);
          pos += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            if (this.verifier) this.verifier.chunk(this.signature!, this.chunkHash!.digest("hex"));
            this.chunkHash = undefined;
            this.state = "crlf";
            this.crlfSeen = 0;
          }
          break;
        }
        case "crlf": {
          const expected = this.crlfSeen === 0 ? 13 : 10;
          if (raw[pos] !== expected) throw incompleteBody();
          pos++;
          if (++this.crlfSeen === 2) this.state = "line";
          break;
        }
        case "trailers": {
          this.trailerLength += raw.length - pos;
          if (this.trailerLength > MAX_TRAILER_SECTION) throw malformedTrailer();
          this.trailerBytes.push(raw.subarray(pos));
          pos = raw.length;
          break;
        }
      }
    }
  }

  /** A complete chunk-size line is in `line` (ending in \n). */
  private startChunk(): void {
    if (!this.line.endsWith("\r\n")) throw incompleteBody();
    const [sizeText, ...extensions] = this.line.slice(0, -2).split(";");
    this.line = "";
    if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText!.trim())) throw incompleteBody();
    const chunkSize = parseInt(sizeText!.trim(), 16);
    this.signature = readChunkSignature(extensions, this.signed);
    if (this.signed && chunkSize > 0 && this.previousSize >= 0 && this.previousSize < SIGNED_CHUNK_MIN) {
      // Only the last chunk (and the final 0-chunk after it) may be short in a signed stream.
      throw new AwsError("InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes", {
        fields: { Chunk: String(this.chunkCount), BadChunkSize: String(this.previousSize) },
      });
    }
    if (this.size + chunkSize > this.declared) {
      // More than x-amz-decoded-content-length says: refused before the bytes are read.
      throw new AwsError("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    }
    if (chunkSize === 0) {
      this.verifier?.chunk(this.signature!, EMPTY_SHA256);
      this.state = "trailers"; // the trailer section starts right after the 0-chunk's line
      return;
    }
    this.chunkCount++;
    this.size += chunkSize;
    this.previousSize = chunkSize;
    this.remaining = chunkSize;
    if (this.verifier) this.chunkHash = createHash("sha256");
    this.state = "data";
  }

  /** The body ended: check what came after the last chunk. Returns the trailers (signature removed). */
  end(): Record<string, string> {
    if (this.state !== "trailers") throw incompleteBody();
    const trailers = parseTrailers(Buffer.concat(this.trailerBytes, this.trailerLength));
    const trailerSignature = trailers["x-amz-trailer-signature"];
    delete trailers["x-amz-trailer-signature"];
    for (const name of Object.keys(trailers)) {
      if (!this.expectedTrailers.includes(name)) throw malformedTrailer();
    }
    for (const name of this.expectedTrailers) {
      if (trailers[name] === undefined) throw malformedTrailer();
    }
    if (this.mode === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" && this.expectedTrailers.length) {
      if (!trailerSignature || !/^[0-9a-f]{64}$/.test(trailerSignature)) throw malformedTrailer();
      this.verifier?.trailer(trailerSignature, trailers);
    }
    if (this.size !== this.declared) {
      throw new AwsError("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    }
    return trailers;
  }
}

function parseTrailerHeader(value: string | undefined): string[] {
  if (!value) return [];
  const names = value
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  for (const name of names) {
    if (!SUPPORTED_TRAILERS.has(name)) throw new AwsError("InvalidRequest", "The value specified in the x-amz-trailer header is not supported");
  }
  return names;
}

function readChunkSignature(extensions: string[], signed: boolean): string | undefined {
  let signature: string | undefined;
  for (const ext of extensions) {
    const eq = ext.indexOf("=");
    const name = (eq < 0 ? ext : ext.slice(0, eq)).trim();
    if (name === "chunk-signature") signature = ext.slice(eq + 1).trim();
  }
  if (signed && (!signature || !/^[0-9a-f]{64}$/.test(signature))) throw signatureMismatch();
  return signature;
}

/** Trailing headers after the 0-chunk: `name:value\r\n` lines, ended by a blank line or the end of the body. */
function parseTrailers(section: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  const text = section.toString("latin1");
  const lines = text.split("\r\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") {
      // A blank line ends the trailers; only empty remains may follow it.
      if (lines.slice(i + 1).some((l) => l !== "")) throw malformedTrailer();
      break;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformedTrailer();
    out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // Some clients stop right after the last trailer line, without the blank line: accepted.
  return out;
}

/** Verifies the chain of chunk signatures that starts at the request's seed signature. */
function chunkVerifier(headers: Record<string, string>, secret: string) {
  const auth = headers["authorization"] ?? "";
  const scopeMatch = /Credential=[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  const seed = /Signature=([0-9a-f]{64})/.exec(auth)?.[1];
  const amzDate = headers["x-amz-date"];
  if (!scopeMatch || !seed || !amzDate) throw signatureMismatch();
  const [, date, region, service] = scopeMatch;
  const key = signingKey(secret, date!, region!, service!);
  const scope = `${date}/${region}/${service}/aws4_request`;
  let previous = seed;
  return {
    /** `dataSha256`: hex SHA-256 of the chunk's data. */
    chunk(signature: string, dataSha256: string) {
      const toSign = ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, EMPTY_SHA256, dataSha256].join("\n");
      const expected = hmac(key, toSign).toString("hex");
      if (!sameSignature(expected, signature)) throw signatureMismatch();
      previous = signature;
    },
    trailer(signature: string, trailers: Record<string, string>) {
      const canonical = Object.entries(trailers)
        .map(([k, v]) => `${k}:${v}\n`)
        .join("");
      const toSign = ["AWS4-HMAC-SHA256-TRAILER", amzDate, scope, previous, sha256Hex(canonical)].join("\n");
      if (!sameSignature(hmac(key, toSign).toString("hex"), signature)) throw signatureMismatch();
    },
  };
}
