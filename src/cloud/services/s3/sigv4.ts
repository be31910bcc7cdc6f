/**
 * S3's SigV4 primitives live with the gateway's verifier (gateway/auth/sigv4.ts):
 * one implementation for header signatures, presigned URLs, chunk signatures
 * and POST policies. Re-exported here so S3's modules keep their imports.
 */
export * from "../../gateway/auth/sigv4.js";
