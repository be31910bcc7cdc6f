/**
 * Queue URLs and ARNs (aws-behavior.md §6). A URL is built on the cloud's own
 * endpoint (`http://127.0.0.1:4566/000000000000/name`); an incoming QueueUrl is
 * accepted with any host (localhost, sqs.us-east-1.amazonaws.com, a
 * docker-style host name…) because only the path names the queue — that is
 * what lets a URL copied from one client work in another.
 */
import { invalidAddress } from "./errors.js";

export interface QueueRef {
  account: string;
  name: string;
}

/** AWS queue names: 1–80 of [A-Za-z0-9_-] (".fifo" suffix for FIFO queues). */
export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function queueUrl(endpoint: string, account: string, name: string): string {
  return `${endpoint.replace(/\/$/, "")}/${account}/${name}`;
}

export function queueArn(region: string, account: string, name: string): string {
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

/** Parse a QueueUrl; anything without `/<12 digits>/<name>` is InvalidAddress. */
export function parseQueueUrl(url: string): QueueRef {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/]+)?\/(\d{12})\/([^/?#]+)\/?$/i.exec(url);
  if (!m) throw invalidAddress(url);
  return { account: m[1]!, name: m[2]! };
}

/** Parse arn:aws:sqs:<region>:<account>:<name>; undefined when it is not one. */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}
