/**
 * Message signatures. SNS signs every message it sends (SignatureVersion "1":
 * SHA1withRSA over a canonical string of the message's fields, SNS developer
 * guide "verifying the signatures of Amazon SNS messages"). The local cloud
 * does the same with its own RSA key, generated on first use and kept for the
 * life of the process, so the Signature field is a real signature over the
 * real fields — but it verifies only against the local key, not against the
 * certificate at SigningCertURL (which names AWS's host, as §4 shows it).
 */
import { createHash, createSign, generateKeyPair, type KeyObject } from "node:crypto";

let keyPair: Promise<{ privateKey: KeyObject; certHash: string }> | undefined;

function key(): Promise<{ privateKey: KeyObject; certHash: string }> {
  keyPair ??= new Promise((resolve, reject) => {
    generateKeyPair("rsa", { modulusLength: 2048 }, (err, publicKey, privateKey) => {
      if (err) return reject(err);
      const der = publicKey.export({ type: "spki", format: "der" });
      resolve({ privateKey, certHash: createHash("md5").update(der).digest("hex") });
    });
  });
  return keyPair;
}

/** The fields a signature covers, in SNS's order (Subject only when present). */
export interface SignedFields {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
}

function canonical(fields: SignedFields): string {
  const names =
    fields.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  let out = "";
  for (const name of names) {
    const value = fields[name as keyof SignedFields];
    if (value === undefined) continue;
    out += `${name}\n${value}\n`;
  }
  return out;
}

/** SignatureVersion "1" is SHA1withRSA, "2" (a topic attribute) SHA256withRSA. */
export async function sign(fields: SignedFields, signatureVersion = "1"): Promise<string> {
  const { privateKey } = await key();
  return createSign(signatureVersion === "2" ? "RSA-SHA256" : "RSA-SHA1").update(canonical(fields)).sign(privateKey, "base64");
}

export async function signingCertUrl(region: string): Promise<string> {
  const { certHash } = await key();
  return `https://sns.${region}.amazonaws.com/SimpleNotificationService-${certHash}.pem`;
}
