/**
 * `npm run outbox [-- <address>]`: what the local cloud's SNS "sent" to email
 * and email-json subscriptions (nothing is ever mailed): the addresses with
 * mail, or one address's mails, oldest first — confirmations with their
 * SubscribeURL and token, then notifications. `--confirm <address>` opens the
 * newest confirmation link of that address, as clicking it in a mail would.
 * Read-only apart from that: it never starts a cloud. On AWS there is no
 * outbox: the mails go to the real inbox.
 */
import pc from "picocolors";
import { findRunningCloud } from "../local-cloud.js";
import { localTargetAt, resolveTarget, type Target } from "../target.js";
import { readOutbox, type OutboxMail } from "../local-admin.js";

export interface OutboxOptions {
  address?: string;
  confirm?: string;
  json?: boolean;
  since?: string;
  target?: string;
  endpointUrl?: string;
  region?: string;
}

async function targetFor(opts: OutboxOptions): Promise<Target | undefined> {
  if (opts.target === "aws") return undefined;
  if (opts.endpointUrl || opts.target === "endpoint") return resolveTarget({ target: "endpoint", endpointUrl: opts.endpointUrl, region: opts.region });
  const running = await findRunningCloud();
  return running ? localTargetAt(running.endpoint, opts.region ?? process.env.AWS_REGION ?? "us-east-1", running.credentials) : undefined;
}

export function formatMail(m: OutboxMail): string[] {
  const lines = [`${pc.dim(m.sentAt)}  ${pc.bold(m.subject)}  ${pc.dim(`(${m.protocol}, ${m.type}, to ${m.address}, from ${m.from})`)}`];
  let body = m.body;
  if (m.protocol === "email-json") {
    try {
      body = JSON.stringify(JSON.parse(m.body), null, 2);
    } catch {
      /* shown as stored */
    }
  }
  lines.push(...body.trimEnd().split("\n").map((l) => `    ${l}`));
  if (m.subscribeUrl) lines.push(pc.cyan(`    → confirm: npm run outbox -- --confirm ${m.address}   (or open the SubscribeURL above)`));
  return lines;
}

export async function outboxCommand(opts: OutboxOptions): Promise<number> {
  if (opts.target === "aws") {
    console.error("On AWS there is no outbox: SNS mails the real address. Look in that inbox (and its spam folder).");
    return 1;
  }
  const target = await targetFor(opts);
  if (!target) {
    console.error("No local cloud is running, so there is no outbox. `npm start` (or any lab command) starts one.");
    return 1;
  }
  const address = opts.confirm ?? opts.address;
  const { addresses, messages } = await readOutbox(target, { address, since: opts.since });
  if (opts.confirm) {
    const latest = [...messages].reverse().find((m) => m.subscribeUrl);
    if (!latest) {
      console.error(`No confirmation mail for ${opts.confirm} in the outbox. Subscribe it first (aws sns subscribe --protocol email --notification-endpoint ${opts.confirm} …).`);
      return 1;
    }
    const res = await fetch(latest.subscribeUrl!);
    const text = await res.text();
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(text)?.[1];
    if (!res.ok || !arn) {
      console.error(`The confirmation link was refused (HTTP ${res.status}): ${text.slice(0, 300)}`);
      return 1;
    }
    if (opts.json) console.log(JSON.stringify({ confirmed: arn }));
    else console.log(`${pc.green("✔")} confirmed ${latest.address} → ${arn}`);
    return 0;
  }
  if (opts.json) {
    console.log(JSON.stringify(address ? { messages } : { addresses, messages }, null, 2));
    return 0;
  }
  if (!address) {
    if (addresses.length === 0) {
      console.log("The outbox is empty: no email or email-json subscription has been sent anything yet.");
      return 0;
    }
    console.log(pc.bold(`Local outbox (${target.endpoint}) — never sent, kept for you to read:`));
    for (const a of addresses) console.log(`  ${a.address.padEnd(36)} ${String(a.messages).padStart(4)} mail(s), last ${a.lastSentAt}`);
    console.log(pc.dim("\n  npm run outbox -- <address>   read one address's mail"));
    return 0;
  }
  if (messages.length === 0) {
    console.log(`No mail for ${address}.`);
    return 0;
  }
  for (const m of messages) console.log(formatMail(m).join("\n") + "\n");
  return 0;
}
