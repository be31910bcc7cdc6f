/**
 * Lab 05 — the grader's email checks. Locally the mails are in the cloud's
 * outbox (admin API, src/kit/local-admin.ts): the grader confirms the
 * subscription by opening the confirmation's SubscribeURL, as the ops team
 * would click it, and reads the notifications. On AWS the mails go to a real
 * inbox the grader cannot read: with LABS_EMAIL set it asks the learner to
 * confirm and waits for SNS to show the subscription confirmed; otherwise, or
 * if nobody confirms in time, the confirmation check is skipped (CheckSkipped:
 * never a pass — green means right) with a reason saying what was not checked
 * and how to check it by hand; the mail check needs it, so it is skipped too.
 * Confirmed or not, on AWS the mail check itself is skipped: the grader sends
 * the round and says which mails to expect in the inbox it cannot read.
 */
import { GetSubscriptionAttributesCommand } from "@aws-sdk/client-sns";
import { CheckFailed, CheckSkipped, type GradeContext } from "../../src/kit/grader/types.js";
import { pollUntil } from "../../src/kit/wait.js";
import { pace } from "../../src/kit/context.js";
import { hasOutbox, mailMessage, mailsTo, s3Records } from "./support.js";

export interface EmailState {
  address: string;
  emailSubscriptionArn?: string;
  emailSubscribedAt?: string;
  /** "skipped" on AWS when nobody confirmed (the confirmation check was skipped). */
  emailConfirmed?: true | "skipped";
}

const AWS_CONFIRM_WAIT_MS = 180_000;

async function pending(ctx: GradeContext, st: EmailState): Promise<boolean> {
  const out = await ctx.clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: st.emailSubscriptionArn! }));
  return out.Attributes?.PendingConfirmation !== "false";
}

export async function awaitConfirmation(ctx: GradeContext, st: EmailState): Promise<string> {
  const p = pace(ctx);
  if (!hasOutbox(ctx)) {
    if (!process.env.LABS_EMAIL) {
      st.emailConfirmed = "skipped";
      throw new CheckSkipped("on AWS the grader cannot read an inbox. Set LABS_EMAIL=<your address> and grade again to confirm the subscription from your inbox (the large-upload mails are then yours to check).");
    }
    ctx.log(`Open the mail "AWS Notification - Subscription Confirmation" sent to ${st.address} and click "Confirm subscription" (waiting up to ${AWS_CONFIRM_WAIT_MS / 60_000} minutes)…`);
    const ok = await pollUntil(async () => ((await pending(ctx, st)) ? undefined : true), { timeoutMs: AWS_CONFIRM_WAIT_MS, intervalMs: 3000, maxIntervalMs: 5000, what: "the confirmation", onWait: () => ctx.status(`waiting for you to confirm ${st.address}…`) }).catch(() => false);
    if (!ok) {
      st.emailConfirmed = "skipped";
      throw new CheckSkipped(`${st.address} was not confirmed within ${AWS_CONFIRM_WAIT_MS / 60_000} minutes, so the email checks were not run. Confirm from your inbox and grade again (then check the large-upload mails there).`);
    }
    st.emailConfirmed = true;
    return `${st.address} confirmed from your inbox`;
  }
  const confirmation = await pollUntil(async () => (await mailsTo(ctx, st.address)).find((m) => m.type === "SubscriptionConfirmation" && m.subscriptionArn === st.emailSubscriptionArn), {
    timeoutMs: 10_000, intervalMs: p.intervalMs, maxIntervalMs: p.maxIntervalMs, what: `the confirmation mail to ${st.address}`,
  }).catch(() => undefined);
  if (!confirmation?.subscribeUrl) throw new CheckFailed(`no confirmation mail for ${st.address} in the local outbox (npm run outbox -- ${st.address})`);
  const res = await fetch(confirmation.subscribeUrl);
  if (!res.ok) throw new CheckFailed(`opening the confirmation link failed: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  if (await pending(ctx, st)) throw new CheckFailed("the subscription is still pending after its confirmation link was opened");
  st.emailConfirmed = true;
  return `confirmed through the link in the mail "${confirmation.subject}"`;
}

/** Exactly the large events were mailed, each once, and the confirmation is the only other mail. */
export async function checkMails(ctx: GradeContext, st: EmailState, large: Array<{ key: string; size: number }>, roundDone: () => Promise<void>): Promise<string> {
  // On AWS the grader cannot read the inbox even once the learner confirmed: the round is sent, the mails are the learner's to check.
  // (Unconfirmed, the harness has already skipped this check: it needs the confirmation.)
  if (!hasOutbox(ctx)) {
    if (st.emailConfirmed === true) await roundDone();
    throw new CheckSkipped(`on AWS the grader cannot read your inbox — check it by hand: one mail per upload of at least 1 MiB (${large.length} in this round), none for the small ones`);
  }
  const p = pace(ctx);
  const want = new Map<string, number>();
  for (const e of large) want.set(e.key, (want.get(e.key) ?? 0) + 1);
  const mailedKeys = async () => {
    const mails = (await mailsTo(ctx, st.address)).filter((m) => m.subscriptionArn === st.emailSubscriptionArn);
    const got = new Map<string, number>();
    const strange: string[] = [];
    for (const m of mails.filter((x) => x.type === "Notification")) {
      const records = s3Records(mailMessage(m));
      if (!records) strange.push(mailMessage(m).slice(0, 80));
      for (const r of records ?? []) got.set(r.key, (got.get(r.key) ?? 0) + 1);
    }
    return { mails, got, strange };
  };
  await roundDone();
  // The mails come from the same publishes: a short settle once the round has fanned out.
  await pollUntil(async () => {
    const { got } = await mailedKeys();
    return [...want].every(([k, n]) => (got.get(k) ?? 0) >= n) ? true : undefined;
  }, { timeoutMs: ctx.target.kind === "aws" ? 60_000 : 500, intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs, what: "the mails" }).catch(() => undefined);
  const { mails, got, strange } = await mailedKeys();
  const problems: string[] = [];
  const missing = [...want].filter(([k, n]) => (got.get(k) ?? 0) < n).map(([k]) => k);
  const extra = [...got].filter(([k, n]) => n > (want.get(k) ?? 0)).map(([k]) => k);
  if (missing.length === want.size && got.size === 0) problems.push(`no mail arrived for any of the ${want.size} large uploads — the filter matches nothing S3 sends. S3 publishes its event as the message body and sets no message attributes.`);
  else if (missing.length) problems.push(`no mail for the large upload(s) ${missing.map((k) => JSON.stringify(k)).join(", ")}`);
  if (extra.length) problems.push(`mail for upload(s) that are not large (< 1 MiB) or came twice: ${extra.map((k) => JSON.stringify(k)).join(", ")}`);
  if (strange.length) problems.push(`${strange.length} mail(s) that are not S3 events: ${strange[0]}`);
  const confirmations = mails.filter((m) => m.type === "SubscriptionConfirmation").length;
  if (confirmations !== 1) problems.push(`${confirmations} confirmation mails, expected 1`);
  if (problems.length) throw new CheckFailed(problems.join("\n    "));
  return `${[...got.values()].reduce((a, b) => a + b, 0)} mails for the large uploads, and the confirmation (npm run outbox -- ${st.address})`;
}
