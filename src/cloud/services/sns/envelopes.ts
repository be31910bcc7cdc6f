/**
 * What each kind of subscriber receives (aws-behavior.md §4, SNS developer
 * guide "message and JSON formats"):
 * - SQS (raw delivery off), HTTP/S and email-json: the Notification JSON
 *   `{"Type","MessageId","TopicArn","Subject"?,"Message","Timestamp",
 *   "SignatureVersion","Signature","SigningCertURL","UnsubscribeURL","MessageAttributes"?}`
 *   — Subject only when the publish had one, MessageAttributes only when it had any;
 * - Lambda: `{"Records":[{"EventVersion":"1.0","EventSubscriptionArn","EventSource":"aws:sns",
 *   "Sns":{… "SigningCertUrl", "UnsubscribeUrl" (this casing), "MessageAttributes": {} always}}]}`
 *   with Subject null when absent;
 * - HTTP/S subscription handshake: the SubscriptionConfirmation JSON.
 * Field order follows AWS's, so a printed envelope looks like the real one.
 */
import { sign, signingCertUrl } from "./signing.js";
import { envelopeAttributes, type SnsAttributes } from "./message-attributes.js";

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  region: string;
  /** The message text as published (with MessageStructure json: the whole JSON document). */
  message: string;
  /** With MessageStructure "json": the per-protocol texts, "default" included. */
  structure?: Record<string, string>;
  subject?: string;
  attributes: SnsAttributes;
  timestamp: string;
  signatureVersion: string;
}

/** The text one protocol receives (MessageStructure json picks its key, or "default"). */
export function messageFor(published: PublishedMessage, protocol: string): string {
  if (!published.structure) return published.message;
  return published.structure[protocol] ?? published.structure.default ?? "";
}

export function unsubscribeUrl(region: string, subscriptionArn: string): string {
  return `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`;
}

async function signedCore(published: PublishedMessage, protocol: string) {
  const message = messageFor(published, protocol);
  const signature = await sign(
    { Type: "Notification", MessageId: published.messageId, TopicArn: published.topicArn, Message: message, Timestamp: published.timestamp, Subject: published.subject },
    published.signatureVersion,
  );
  return { message, signature, certUrl: await signingCertUrl(published.region) };
}

/** The Notification envelope (SQS, HTTP/S, email-json). */
export async function notificationEnvelope(published: PublishedMessage, protocol: string, subscriptionArn: string): Promise<Record<string, unknown>> {
  const { message, signature, certUrl } = await signedCore(published, protocol);
  const envelope: Record<string, unknown> = { Type: "Notification", MessageId: published.messageId, TopicArn: published.topicArn };
  if (published.subject !== undefined) envelope.Subject = published.subject;
  envelope.Message = message;
  envelope.Timestamp = published.timestamp;
  envelope.SignatureVersion = published.signatureVersion;
  envelope.Signature = signature;
  envelope.SigningCertURL = certUrl;
  envelope.UnsubscribeURL = unsubscribeUrl(published.region, subscriptionArn);
  if (Object.keys(published.attributes).length) envelope.MessageAttributes = envelopeAttributes(published.attributes);
  return envelope;
}

/** The event a Lambda subscriber is invoked with. */
export async function lambdaEvent(published: PublishedMessage, subscriptionArn: string): Promise<Record<string, unknown>> {
  const { message, signature, certUrl } = await signedCore(published, "lambda");
  return {
    Records: [
      {
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        EventSource: "aws:sns",
        Sns: {
          Type: "Notification",
          MessageId: published.messageId,
          TopicArn: published.topicArn,
          Subject: published.subject ?? null,
          Message: message,
          Timestamp: published.timestamp,
          SignatureVersion: published.signatureVersion,
          Signature: signature,
          SigningCertUrl: certUrl,
          UnsubscribeUrl: unsubscribeUrl(published.region, subscriptionArn),
          MessageAttributes: envelopeAttributes(published.attributes),
        },
      },
    ],
  };
}

/** The handshake POSTed to a new HTTP/S subscription. */
export async function confirmationEnvelope(input: {
  messageId: string;
  topicArn: string;
  region: string;
  token: string;
  subscribeUrl: string;
  timestamp: string;
  signatureVersion: string;
}): Promise<Record<string, unknown>> {
  const message = `You have chosen to subscribe to the topic ${input.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
  const signature = await sign(
    { Type: "SubscriptionConfirmation", MessageId: input.messageId, TopicArn: input.topicArn, Message: message, Timestamp: input.timestamp, Token: input.token, SubscribeURL: input.subscribeUrl },
    input.signatureVersion,
  );
  return {
    Type: "SubscriptionConfirmation",
    MessageId: input.messageId,
    Token: input.token,
    TopicArn: input.topicArn,
    Message: message,
    SubscribeURL: input.subscribeUrl,
    Timestamp: input.timestamp,
    SignatureVersion: input.signatureVersion,
    Signature: signature,
    SigningCertURL: await signingCertUrl(input.region),
  };
}
